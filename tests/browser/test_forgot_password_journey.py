"""忘记密码 by a code to the verified 绑定手机: from the sign-in page back into the console, on a
desktop (1366×768) and on a phone, by the labels a user reads. The console SMS backend is the one
`make run` uses; the test reads the code where a developer would see it."""

import re

import pytest
from playwright.sync_api import expect

from accounts import sms
from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NEW_PASSWORD = "Winter-snow-2027"
VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_forgot_password_by_phone_code_back_to_the_console(world, live_server, browser, device):
    User.objects.filter(pk=world.handler.pk).update(phone="13812345678", phone_verified=True)
    sms.outbox.clear()
    context = browser.new_context(locale="zh-CN", viewport=VIEWPORTS[device], is_mobile=device == "phone")
    page = context.new_page()
    page.set_default_timeout(8000)
    csp_errors = []
    page.on(
        "console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None
    )

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="忘记密码").click()
    expect(page.get_by_role("heading", name="忘记密码")).to_be_visible()
    page.get_by_label("账号").fill(world.handler.username)
    page.get_by_label("绑定手机").fill("13812345678")
    page.get_by_role("button", name="获取验证码").click()

    expect(page.get_by_role("heading", name="输入验证码")).to_be_visible()
    expect(page.get_by_text("138****5678")).to_be_visible()
    assert [m.phone for m in sms.outbox] == ["13812345678"]
    wrong = "000000" if sms.outbox[-1].code != "000000" else "111111"
    page.get_by_label("验证码").fill(wrong)
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("确认新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="重置密码").click()
    expect(page.get_by_text("验证码不正确，还可以尝试4次")).to_be_visible()

    page.get_by_label("验证码").fill(sms.outbox[-1].code)
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("确认新密码").fill(NEW_PASSWORD)
    page.screenshot(path=f"var/forgot-password-code-{device}.png", full_page=True)
    page.get_by_role("button", name="重置密码").click()

    expect(page.get_by_text("您的密码已重置，请使用新密码登录。")).to_be_visible()
    page.get_by_label("账号").fill(world.handler.username)
    page.get_by_label("密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/console/$"))
    expect(page.get_by_text(world.handler.full_name).first).to_be_visible()
    page.screenshot(path=f"var/forgot-password-console-{device}.png", full_page=True)
    assert csp_errors == []
    context.close()
