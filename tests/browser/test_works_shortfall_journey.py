"""A handler's 2025 works row reserved at 30% in a real browser at 1366×768: 520万 by 要求合同分包,
procured 2025-06-30 in 普陀区, misses Shanghai's 40% for works above 400万 (《新时代新征程促进
民营经济高质量发展的若干措施》, 2025-04-01 to 2026-12-31) although it meets 46号's 30%. The editor
warns, 提交 is refused with every reason listed (the row's 未达标原因 and the 说明), and once both
are given the notice goes to review, where the panel shows the reason."""

import re

import pytest
from playwright.sync_api import expect

from announcements.models import Announcement
from devdata import accounts as accounts_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHANGHAI_RULE = "中共上海市委、上海市人民政府《新时代新征程促进民营经济高质量发展的若干措施》（2025年4月）"
WARNING = f"第1行：预留比例30%低于40%的要求（{SHANGHAI_RULE}）。"
EXPLANATION = "河道整治工程专业性强，具备资质的小微施工企业较少，合同分包比例为30%。"


def desktop(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    return page


def submit(page):
    """提交 asks first (static/js/confirm.js): press the dialog's own button."""
    page.locator("#submit-button").click()
    page.get_by_role("dialog").get_by_role("button", name="提交", exact=True).click()


def test_works_row_at_30_percent_in_2025_is_warned_and_needs_a_reason_and_a_explanation(live_server, sign_in):
    accounts_demo.seed({})
    handler = desktop(sign_in("demo-handler"))
    handler.get_by_role("link", name="其他政府采购公告").first.click()
    handler.get_by_role("link", name="新增").click()
    handler.get_by_role("dialog").get_by_role("link", name="面向中小企业预留项目执行情况公告").click()
    handler.get_by_label("年份").select_option("2025")
    handler.get_by_role("button", name="生成公告").click()
    expect(handler).to_have_url(re.compile(r"/edit/$"))

    handler.locator("[name='rows-0-name']").fill("河道综合整治工程")
    handler.locator("[name='rows-0-category']").select_option("works")
    handler.locator("[name='rows-0-budget_amount']").fill("520")
    handler.locator("[name='rows-0-option']").select_option("subcontract")
    handler.locator("[name='rows-0-ratio']").fill("30")
    handler.locator("[name='rows-0-sme_amount']").fill("156")
    handler.locator("[name='rows-0-small_micro_amount']").fill("120")
    handler.locator("[name='rows-0-procurement_date']").fill("2025-06-30")
    handler.locator("[name='rows-0-contract_url']").fill(
        "https://www.zfcg.sh.gov.cn/site/detail?parentId=137027&articleId=works-30"
    )
    # The live preview warns under Shanghai's 40% rule and the row asks for its reason.
    expect(handler.locator(".policy-warnings")).to_contain_text(WARNING)
    reason = handler.locator("[name='rows-0-shortfall_reason']")
    expect(reason).to_be_visible()
    handler.screenshot(path="var/works-shortfall-editor.png", full_page=True)

    # 保存并提交 without reason or 说明: every refusal is listed, none hidden.
    submit(handler)
    problems = handler.locator("#submit-problems")
    expect(problems).to_contain_text("第1行未达到政策规定的比例：请选择未达标原因。")
    expect(problems).to_contain_text("有项目未达到政策规定比例，提交前须填写说明。")
    expect(problems).to_contain_text(WARNING)

    handler.locator("[name='rows-0-shortfall_reason']").select_option(label="项目特殊性")
    handler.locator("[name='report-explanation']").fill(EXPLANATION)
    submit(handler)
    expect(handler.locator(".message-success")).to_contain_text("已保存并提交")
    notice = Announcement.objects.get(institution__name=accounts_demo.UNIT_NAME, year=2025)
    row = notice.report.rows.get()
    assert (row.verdict_status, row.verdict_missed, row.shortfall_reason) == (
        "shortfall",
        ",ratio-works-shanghai-2025,",
        "special",
    )
