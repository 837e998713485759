"""The workbench in a real browser: demo-reviewer signs in, sees 待办 and an unread message in the
header, opens the inbox and follows the message to the notice; the admin batch-adds staff."""

import re

import pytest
from django.conf import settings
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.models import User
from announcements import workflow
from announcements.enums import PublishMode
from announcements.services import announcement_create_sme
from devdata import accounts as accounts_demo
from reservations.services import report_rows_save

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def submitted_notice(users):
    announcement = announcement_create_sme(
        user=users["demo-handler"],
        district=users["demo-handler"].institution.district,
        year=2024,
        publish_mode=PublishMode.ON_APPROVAL,
    )
    report_rows_save(
        report=announcement.report,
        rows=[
            {
                "name": "社区活动室设备采购",
                "code": "",
                "category": "",
                "option": "whole",
                "ratio": 100,
                "budget_amount": None,
                "sme_amount": "42.8",
                "small_micro_amount": "42.8",
                "contract_url": "https://www.zfcg.sh.gov.cn/site/detail?contractId=workbench-1",
            }
        ],
    )
    announcement.refresh_from_db()
    workflow.apply_action(announcement=announcement, action="submit", actor=users["demo-handler"])
    return announcement


def test_reviewer_follows_an_unread_message_from_the_header_to_the_notice(demo, live_server, sign_in):
    announcement = submitted_notice(demo["users"])
    page = sign_in("demo-reviewer")
    page.set_viewport_size({"width": 1366, "height": 768})
    header = page.locator(".site-header")
    expect(header.locator('[data-count="todo"] .badge')).to_have_text("1")
    expect(header.locator('[data-count="messages"] .badge')).to_have_text("1")
    expect(page.get_by_role("heading", name="待办事项")).to_be_visible()
    expect(page.get_by_role("link", name=announcement.title).first).to_be_visible()
    page.screenshot(path="var/screenshots/workbench-reviewer-home.png", full_page=True)

    header.locator('[data-count="messages"]').click()
    expect(page.get_by_role("heading", name="消息通知", level=1)).to_be_visible()
    page.screenshot(path="var/screenshots/workbench-reviewer-inbox.png", full_page=True)
    page.get_by_role("link", name=f"待审核：{announcement.title}").click()
    expect(page).to_have_url(re.compile(rf"/console/notices/{announcement.public_id}/$"))
    expect(page.get_by_role("heading", name=announcement.title, level=1)).to_be_visible()
    expect(page.locator('.site-header [data-count="messages"] .badge')).to_have_count(0)

    # The user menu: 账号安全, 修改密码, 登录记录, 退出.
    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="登录记录").click()
    expect(page.get_by_role("heading", name="登录记录")).to_be_visible()
    expect(page.locator("tbody tr").first).to_contain_text("登录成功")


def test_admin_batch_adds_five_staff_from_the_template(demo, live_server, sign_in, tmp_path):
    page = sign_in("demo-admin")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.get_by_role("link", name="员工管理").first.click()
    page.get_by_role("link", name="批量新增").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载模板").click()
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)
    book = load_workbook(template)
    sheet = book.worksheets[0]
    for n in range(1, 6):
        sheet.append((f"新员工{n}", f"batch{n}", f"1380000000{n}", "办公室", "项目采购经办岗"))
    filled = tmp_path / "filled.xlsx"
    book.save(filled)
    page.get_by_label("Excel文件（.xlsx）").set_input_files(str(filled))
    page.get_by_role("button", name="导入").click()
    expect(page.get_by_role("heading", name="邀请链接")).to_be_visible()
    expect(page.locator("code.invitation-link")).to_have_count(5)
    page.screenshot(path="var/screenshots/workbench-batch-add.png", full_page=True)
    assert (
        User.objects.filter(username__startswith="batch", institution__name=accounts_demo.UNIT_NAME).count()
        == 5
    )


def test_home_on_a_phone_shows_the_workbench(demo, live_server, browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("账号").fill("demo-handler")
    page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="工作台", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="预警")).to_be_visible()
    page.screenshot(path="var/screenshots/workbench-phone.png", full_page=True)
