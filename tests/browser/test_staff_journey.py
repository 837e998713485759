"""An institution admin manages staff in a real browser, by the labels a user reads (附件1 1.3–1.6)."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Department, User
from tests import factories as F

# serialized_rollback: a transactional test flushes the tables, including the districts and the
# position groups that migrations load; this puts them back for the next test.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _sign_in(page, live_server, user):
    page.set_default_timeout(5000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("账号").fill(user.username)
    page.get_by_label("密码").fill(F.PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/console/$"))


def _row(page, text):
    return page.locator("tbody tr").filter(has_text=text)


def test_staff_journey_filter_add_disable_and_set_positions(world, live_server, page):
    csp_errors = []
    page.on(
        "console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    Department.objects.create(institution=world.unit, name="办公室")
    _sign_in(page, live_server, world.admin)

    # The console menu leads to 员工管理; filter by 姓名.
    page.get_by_role("link", name="员工管理").first.click()
    expect(page.get_by_role("heading", name="员工管理")).to_be_visible()
    expect(page.get_by_text("共有4条")).to_be_visible()
    page.get_by_label("姓名", exact=True).fill("经办")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_text("共有2条")).to_be_visible()
    expect(page.locator("tbody")).not_to_contain_text("审核人甲")
    page.get_by_role("link", name="重置").click()
    expect(page.locator("tbody tr")).to_have_count(4)

    # 新增: an account with an initial password.
    page.get_by_role("link", name="新增", exact=True).click()
    page.get_by_label("账号").fill("wangwu2026")
    page.get_by_label("姓名").fill("王五")
    page.get_by_label("绑定手机").fill("13600136000")
    page.get_by_label("所属部门").select_option(label="办公室")
    page.get_by_label("职务").fill("科员")
    page.get_by_label("初始密码", exact=True).fill("Autumn-leaf-2026")
    page.get_by_label("确认初始密码").fill("Autumn-leaf-2026")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="员工详情：王五")).to_be_visible()
    expect(page.get_by_text("初始密码：下次登录时必须修改")).to_be_visible()
    assert User.objects.get(username="wangwu2026").must_change_password is True

    # 批量停用 on two checked rows.
    page.locator(".breadcrumbs").get_by_role("link", name="员工管理").click()
    expect(page.get_by_text("共有5条")).to_be_visible()
    _row(page, "经办人甲").get_by_role("checkbox").check()
    _row(page, "王五").get_by_role("checkbox").check()
    expect(page.get_by_text("已选中2项")).to_be_visible()
    page.get_by_role("button", name="批量停用").click()
    page.get_by_role("dialog").get_by_role("button", name="批量停用").click()
    expect(page.get_by_text("已停用2个账号")).to_be_visible()
    expect(_row(page, "经办人甲")).to_contain_text("已停用")
    expect(_row(page, "王五")).to_contain_text("已停用")
    expect(_row(page, "经办人乙")).to_contain_text("已启用")

    # 更多 → 设置岗位: give 王五 the handler and reviewer positions.
    _row(page, "王五").get_by_text("更多").click()
    _row(page, "王五").get_by_role("link", name="设置岗位").click()
    expect(page.get_by_text("岗位权限设置")).to_be_visible()
    expect(page.get_by_label("财政审核岗")).to_have_count(0)  # a budget unit cannot grant it
    page.get_by_label("项目采购经办岗").check()
    page.get_by_label("采购人审核岗").check()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已设置岗位：王五。")).to_be_visible()
    positions = page.locator(".position-list")
    expect(positions).to_contain_text("项目采购经办岗")
    expect(positions).to_contain_text("采购人审核岗")
    expect(page.locator(".staff-history")).to_contain_text("岗位：项目采购经办岗、采购人审核岗")
    assert csp_errors == []
