"""The department journey in a real browser, by the labels a user reads: demo-dept-handler
compiles 2025 and sees both schools with their subtotals and 说明, submits; demo-dept-reviewer
and demo-finance approve; the public reads one notice grouped by unit with 小计 lines."""

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from devdata import accounts as accounts_demo
from devdata import department as demo_department
from tests.browser.actions import confirm

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def approve_from_todo(page, title):
    page.get_by_role("link", name="其他政府采购公告").first.click()
    row = page.locator("tbody tr").filter(has_text=title)
    expect(row).to_have_count(1)
    row.get_by_role("link", name="审批").click()
    page.locator("#action-purchaser_approve, #action-finance_approve").get_by_role(
        "button", name="通过"
    ).click()
    confirm(page)
    expect(page.locator(".messages")).to_contain_text("通过")


def test_department_compiles_submits_is_reviewed_and_published_grouped(live_server, browser, sign_in):
    context: dict = {}
    accounts_demo.seed(context)
    demo_department.seed_units(context["users"]["demo-finance"])
    handler = sign_in("demo-dept-handler")
    handler.set_viewport_size({"width": 1366, "height": 768})
    handler.get_by_role("link", name="新建部门汇总公告").first.click()
    handler.get_by_label("年份").fill("2025")
    handler.get_by_role("button", name="生成汇总").click()
    expect(handler.locator(".messages")).to_contain_text("部门汇总公告已生成")
    units = handler.locator("table.department-units")
    caoyang = units.locator("tr.unit-row").filter(has_text="上海市普陀区曹杨中学")
    expect(caoyang).to_contain_text("188.4")
    expect(caoyang).to_contain_text("100.1")
    expect(units.locator("tr.unit-notes").first).to_contain_text("实验室仪器设备采购（预算300万元）专业性强")
    expect(units.locator("tr.unit-row").filter(has_text="上海市普陀区真如中心小学")).to_contain_text("70.5")
    expect(units.locator("tfoot tr").first).to_contain_text("258.9")
    # At 1366 px the whole table fits: 小微企业占比, the figure the 60% rule is judged on, is in view.
    box = handler.locator(".table-container").filter(has=units)
    assert box.evaluate("e => e.scrollWidth - e.clientWidth") <= 0
    expect(units.get_by_role("columnheader", name="小微企业占比（%）")).to_be_in_viewport()
    handler.screenshot(path="var/department-compiled.png", full_page=True)
    title = handler.get_by_label("公告标题").input_value()
    # A unit misses a threshold: the department's own 说明 is required before submitting.
    handler.get_by_label("部门说明").fill("各单位未达标项目的原因见各单位说明。")
    handler.get_by_role("button", name="保存").click()
    expect(handler.locator(".messages")).to_contain_text("已保存")
    handler.get_by_role("link", name="去提交").click()
    handler.locator("#action-submit").get_by_role("button", name="提交").click()
    confirm(handler)
    expect(handler.locator(".messages")).to_contain_text("已提交")

    approve_from_todo(sign_in("demo-dept-reviewer"), title)
    finance = sign_in("demo-finance")
    approve_from_todo(finance, title)
    expect(
        finance.get_by_role("link", name="外网链接").or_(finance.get_by_text("已发布")).first
    ).to_be_visible()

    public = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768}).new_page()
    public.goto(f"{live_server.url}/notices/")
    public.get_by_role("link", name=title).first.click()
    expect(public).to_have_url(re.compile(r"/notices/[0-9a-f]{32}/$"))
    table = public.locator("table.notice-table")
    expect(table.locator("tr.unit-heading")).to_have_count(2)
    expect(table.locator("tr.subtotal")).to_have_count(2)
    expect(
        table.locator("tbody").filter(has_text="上海市普陀区曹杨中学").locator("tr.subtotal")
    ).to_contain_text("188.4")
    expect(table.locator("tfoot")).to_contain_text("258.9")
    # The 说明 paragraph after the table, as in a unit's notice: the department's, then 曹杨中学's.
    explanation = public.locator(".notice-explanation")
    expect(explanation.first).to_contain_text(
        "未达到预留份额比例的说明：各单位未达标项目的原因见各单位说明。"
    )
    expect(explanation.nth(1)).to_contain_text("上海市普陀区曹杨中学：实验室仪器设备采购")
    # Links both ways: the department notice names each unit's own notice where it is public (not yet).
    expect(public.locator(".notice-relations")).to_have_count(0)
    public.screenshot(path="var/department-public.png", full_page=True)

    # demo-finance reads the statistics and downloads the written report: the same figures.
    finance.get_by_role("link", name="上报统计").first.click()
    finance.get_by_label("年份").fill("2025")
    finance.get_by_role("button", name="查询").click()
    line = finance.locator("#by-department tr").filter(has_text="上海市普陀区教育局")
    expect(line).to_contain_text("258.9")
    expect(line).to_contain_text("162.6")
    finance.screenshot(path="var/department-statistics.png", full_page=True)
    with finance.expect_download() as download:
        finance.get_by_role("link", name="下载书面报告（Excel）").click()
    book = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    summary = {row[0]: row for row in book.worksheets[0].iter_rows(values_only=True) if row and row[0]}
    assert summary["年度"][1] == 2025
    _unit, projects, _reserved, budget, *money = summary["上海市普陀区教育局"][:6]
    assert projects == 4
    assert [Decimal(str(v)) for v in (budget, *money)] == [Decimal("443"), Decimal("258.9"), Decimal("162.6")]
