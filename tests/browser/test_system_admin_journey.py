"""系统管理 as an institution admin in a real browser: 部门管理, 所属部门 and the staff filter, 机构信息,
and 重置密码 of a colleague, who must then choose a new password at sign-in."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories as F

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _sign_in(page, live_server, username, password=F.PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("账号").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_admin_departments_filter_institution_and_reset(world, live_server, browser):
    admin = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768}).new_page()
    admin.set_default_timeout(8000)
    _sign_in(admin, live_server, world.admin.username)
    expect(admin).to_have_url(re.compile(r"/console/$"))

    # 部门管理: two departments; 采购科 first by its order.
    admin.get_by_role("link", name="部门管理").first.click()
    for name, order in [("办公室", "2"), ("采购科", "1")]:
        admin.get_by_role("link", name="新增", exact=True).click()
        admin.get_by_label("部门名称").fill(name)
        admin.get_by_label("排序").fill(order)
        admin.get_by_role("button", name="保存").click()
        expect(admin.get_by_role("cell", name=name, exact=True)).to_be_visible()
    admin.screenshot(path="var/departments.png", full_page=True)
    expect(admin.locator("tbody tr").first).to_contain_text("采购科")

    # 员工管理 → 编辑: 经办人乙 joins 采购科; the list filters by it.
    admin.get_by_role("link", name="员工管理").first.click()
    admin.locator("tbody tr").filter(has_text="经办人乙").get_by_role("link", name="编辑").click()
    admin.get_by_label("所属部门").select_option(label="采购科")
    admin.get_by_label("职务").fill("科员")
    admin.get_by_role("button", name="保存").click()
    expect(admin.get_by_text("修改已保存。")).to_be_visible()
    admin.locator(".breadcrumbs").get_by_role("link", name="员工管理").click()
    admin.locator("form.filters").get_by_label("所属部门").select_option(label="采购科")
    admin.get_by_role("button", name="搜索").click()
    expect(admin.locator("tbody tr")).to_have_count(1)
    expect(admin.locator("tbody tr")).to_contain_text("采购科 / 科员")

    # 机构信息: a wrong check character is refused next to the field, a right one saved.
    admin.get_by_role("link", name="机构信息").first.click()
    admin.get_by_label("统一社会信用代码").fill("913100001321492370")
    admin.get_by_role("button", name="保存").click()
    expect(admin.get_by_text("统一社会信用代码的校验码不正确，请核对。")).to_be_visible()
    admin.get_by_label("统一社会信用代码").fill("91310000132149237G")
    admin.get_by_label("联系人").fill("王五")
    admin.get_by_role("button", name="保存").click()
    expect(admin.get_by_text("机构信息已保存。")).to_be_visible()
    admin.screenshot(path="var/institution-info.png", full_page=True)

    # 重置密码 of 经办人乙 from 详情: the one-time password is shown once.
    admin.get_by_role("link", name="员工管理").first.click()
    admin.locator("tbody tr").filter(has_text="经办人乙").get_by_role("link", name="经办人乙").click()
    admin.get_by_role("link", name="重置密码").click()
    admin.get_by_role("button", name="重置密码").click()
    password = admin.locator(".one-time-password code").inner_text()
    admin.screenshot(path="var/staff-password-issued.png", full_page=True)

    colleague = browser.new_context(locale="zh-CN").new_page()
    colleague.set_default_timeout(8000)
    _sign_in(colleague, live_server, world.handler2.username, password)
    expect(colleague).to_have_url(re.compile(r"/accounts/password/$"))
    expect(colleague.locator(".notice")).to_contain_text("管理员已为您重置密码")
    colleague.get_by_label("临时密码").fill(password)
    colleague.get_by_label("新密码", exact=True).fill("Spring-wind-2027")
    colleague.get_by_label("确认新密码").fill("Spring-wind-2027")
    colleague.get_by_role("button", name="保存").click()
    expect(colleague).to_have_url(re.compile(r"/console/$"))
