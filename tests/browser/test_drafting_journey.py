"""A handler drafts a notice in a real browser, by the labels a user reads: 新增 →
面向中小企业预留项目执行情况公告 → 生成公告, three typed rows with the preview following every change,
an imported sheet, an export."""

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from announcements.models import Announcement
from devdata import accounts as accounts_demo
from tests import drafting_support as S

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def fill_row(page, index, *, name, option, ratio, sme, small_micro, category="services", budget="100"):
    page.locator(f"[name='rows-{index}-name']").fill(name)
    page.locator(f"[name='rows-{index}-category']").select_option(value=category)
    page.locator(f"[name='rows-{index}-budget_amount']").fill(budget)
    page.locator(f"[name='rows-{index}-option']").select_option(value=option)
    if ratio is not None:
        page.locator(f"[name='rows-{index}-ratio']").fill(ratio)
    page.locator(f"[name='rows-{index}-sme_amount']").fill(sme)
    page.locator(f"[name='rows-{index}-small_micro_amount']").fill(small_micro)
    page.locator(f"[name='rows-{index}-contract_url']").fill(
        f"https://www.zfcg.sh.gov.cn/site/detail?id={index}"
    )


def test_handler_creates_types_imports_and_exports(live_server, browser, tmp_path, sign_in):
    accounts_demo.seed({})
    errors = []
    page = sign_in("demo-handler")
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.get_by_role("link", name="其他政府采购公告").first.click()
    page.get_by_role("link", name="新增").click()
    # The dialog's title starts at its left edge, the close button at the right.
    title_left = page.locator("#create-dialog-title").evaluate(
        "h => h.getBoundingClientRect().left - h.closest('dialog').getBoundingClientRect().left"
    )
    assert title_left < 40
    page.get_by_role("dialog").get_by_role("link", name="面向中小企业预留项目执行情况公告").click()
    expect(page).to_have_url(re.compile(r"/console/notices/new/sme/$"))
    expect(page.get_by_label("年份")).to_have_value("2025")
    page.get_by_role("button", name="生成公告").click()
    expect(page.locator(".messages")).to_contain_text("公告草稿已生成")
    expect(page.get_by_label("公告标题")).to_have_value(
        "上海市普陀区真如镇街道社区党群服务中心2025年面向中小企业预留项目执行情况公告"
    )
    expect(page.locator(".data-source")).to_have_text("手工创建")

    # Three rows; the preview's totals follow each change without a reload.
    fill_row(page, 0, name="物业管理服务", option="whole", ratio=None, sme="100", small_micro="80")
    expect(page.locator("[name='rows-0-ratio']")).to_have_value("100")
    expect(page.locator("#sme-total")).to_have_text("100")
    fill_row(
        page, 1, name="办公家具", option="dedicated_lot", ratio="40", sme="50.5", small_micro="10",
        category="goods", budget="260",
    )  # fmt: skip
    expect(page.locator("#sme-total")).to_have_text("150.5")
    page.get_by_role("button", name="添加一行").click()
    fill_row(
        page, 2, name="修缮工程", option="subcontract", ratio="20", sme="0.000001", small_micro="0",
        category="works", budget="500",
    )  # fmt: skip
    expect(page.locator("#sme-total")).to_have_text("150.500001")
    expect(page.locator("#share")).to_have_text("59.80")
    expect(page.locator(".policy-warnings")).to_contain_text(
        "第3行：预留比例20%低于30%的要求（财库〔2020〕46号 第八条）"
    )
    expect(page.locator(".notice-preview")).to_contain_text("共计150.500001万元")
    # Reorder: the third row moves up; 序号 follows.
    page.locator("#rows-body li.row-form").nth(2).get_by_role("button", name="上移").click()
    expect(page.locator("#rows-body li.row-form").nth(1).locator("[name$='-name']")).to_have_value("修缮工程")
    expect(page.locator(".notice-preview tbody tr").nth(1)).to_contain_text("修缮工程")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("您的修改已保存")
    notice = Announcement.objects.get(institution__name__contains="党群")
    assert list(notice.report.rows.values_list("name", flat=True)) == ["物业管理服务", "修缮工程", "办公家具"]

    # Import two more rows from a sheet.
    sheet = tmp_path / "rows.xlsx"
    sheet.write_bytes(S.xlsx([S.line(1), S.line(2)]).read())
    page.get_by_role("button", name="保存并从Excel导入").click()
    expect(page.locator(".messages")).to_contain_text("请选择要导入的Excel文件")
    page.get_by_label("Excel文件（.xlsx）").set_input_files(str(sheet))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已导入2行")
    expect(page.locator(".data-source")).to_have_text("Excel导入")
    expect(page.locator("#sme-total")).to_have_text("551.500001")
    page.screenshot(path="var/drafting-edit.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出明细").click()
    workbook = load_workbook(io.BytesIO(open(download_info.value.path(), "rb").read()))
    names = [row[1].value for row in workbook.active.iter_rows(min_row=2)]
    assert names == ["物业管理服务", "修缮工程", "办公家具", "导入项目1", "导入项目2"]
    assert errors == []


def test_handler_writes_a_manual_notice_with_the_rich_text_editor(live_server, browser, sign_in):
    accounts_demo.seed({})
    page = sign_in("demo-handler")
    page.goto(f"{live_server.url}/console/notices/new/")
    page.get_by_role("link", name="手动录入公告").click()
    page.get_by_label("公告标题").fill("关于采购意向的补充说明")
    # The toolbar shows once drafting.js has put the editable area in the textarea's place; a
    # locator resolved before that would hold on to the textarea the script then hides.
    expect(page.get_by_role("toolbar", name="格式")).to_be_visible()
    editor = page.get_by_role("textbox", name="公告内容")
    editor.click()
    page.keyboard.type("特此说明。")
    page.keyboard.press("Control+A")
    page.get_by_role("button", name="加粗").click()
    page.get_by_role("button", name="生成公告").click()
    expect(page.locator(".messages")).to_contain_text("公告草稿已保存")
    notice = Announcement.objects.get(title="关于采购意向的补充说明")
    assert re.fullmatch(r"<(b|strong)>特此说明。</(b|strong)>", notice.body_html)
    expect(page.locator(".notice-preview")).to_contain_text("特此说明。")
