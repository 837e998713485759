"""The shortfall journey in a real browser at 1366×768 with the demo accounts: the handler writes a
说明 for a 20% reserve on a 500万 goods project; both reviewers see that row's warning, its budget
and the 说明 before 通过; the public page shows the 说明 paragraph."""

import re

import pytest
from playwright.sync_api import expect

from announcements.models import Announcement
from devdata import accounts as accounts_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EXPLANATION = "该设备专业性强，本市具备资质的中小企业较少，预留比例未达到30%。"
WARNING = "第1行：预留比例20%低于30%的要求（财库〔2020〕46号 第八条）。"


def desktop(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    return page


def open_todo(page, title):
    page.get_by_role("link", name="其他政府采购公告").first.click()
    row = page.locator("tbody tr").filter(has_text=title)
    row.get_by_role("link", name="审批").click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()


def reviewer_sees_everything(page, shot):
    panel = page.locator(".review-panel")
    expect(panel.locator(".review-warnings")).to_contain_text(WARNING)
    expect(panel.locator(".review-warnings")).to_contain_text("检测设备采购")
    expect(panel.locator(".review-explanation")).to_have_text(EXPLANATION)
    expect(panel.locator(".review-rows tbody tr").first).to_contain_text("500")  # the budget
    expect(panel.locator(".review-rows tbody tr").first).to_contain_text("货物")
    # The panel comes before the decision buttons.
    panel_box, actions_box = panel.bounding_box(), page.locator(".workflow-actions").bounding_box()
    assert panel_box["y"] < actions_box["y"]
    page.screenshot(path=shot, full_page=True)


def confirm(page, label):
    """Decisive actions ask first (static/js/confirm.js): press the dialog's own button."""
    page.get_by_role("dialog").get_by_role("button", name=label, exact=True).click()


def test_shortfall_explained_reviewed_and_published(live_server, browser, sign_in):
    accounts_demo.seed({})
    handler = desktop(sign_in("demo-handler"))
    handler.get_by_role("link", name="其他政府采购公告").first.click()
    handler.get_by_role("link", name="新增").click()
    handler.get_by_role("dialog").get_by_role("link", name="面向中小企业预留项目执行情况公告").click()
    handler.get_by_label("年份").select_option("2025")
    handler.get_by_role("button", name="生成公告").click()
    expect(handler).to_have_url(re.compile(r"/edit/$"))

    handler.locator("[name='rows-0-name']").fill("检测设备采购")
    handler.locator("[name='rows-0-category']").select_option("goods")
    handler.locator("[name='rows-0-budget_amount']").fill("500")
    handler.locator("[name='rows-0-option']").select_option("dedicated_lot")
    handler.locator("[name='rows-0-ratio']").fill("20")
    handler.locator("[name='rows-0-sme_amount']").fill("100")
    handler.locator("[name='rows-0-small_micro_amount']").fill("80")
    handler.locator("[name='rows-0-contract_url']").fill(
        "https://www.zfcg.sh.gov.cn/site/detail?parentId=137027&articleId=shortfall-1"
    )
    # The shortfall asks for a 说明, in the live preview already.
    expect(handler.locator(".policy-warnings")).to_contain_text(WARNING)
    expect(handler.locator(".notice-preview")).to_contain_text("未达到预留份额比例的说明：（尚未填写）")
    # The row that misses the threshold asks for its reason beside its note.
    reason = handler.locator("[name='rows-0-shortfall_reason']")
    expect(reason).to_be_visible()
    reason.select_option(label="项目特殊性")
    handler.locator("[name='report-explanation']").fill(EXPLANATION)
    handler.locator("#save-button").click()
    expect(handler.locator(".message-success")).to_be_visible()
    title = Announcement.objects.get(institution__name=accounts_demo.UNIT_NAME, year=2025).title
    handler.get_by_role("link", name="返回公告详情").first.click()
    handler.get_by_role("button", name="提交", exact=True).click()
    confirm(handler, "提交")
    expect(handler.locator(".status").first).to_have_text("采购人初审")

    reviewer = desktop(sign_in("demo-reviewer"))
    open_todo(reviewer, title)
    reviewer_sees_everything(reviewer, "var/shortfall-purchaser-review.png")
    reviewer.get_by_label("审核意见（选填）").fill("说明合理。")
    reviewer.get_by_role("button", name="通过", exact=True).click()
    confirm(reviewer, "通过")
    expect(reviewer.locator(".status").first).to_have_text("财政审核")
    expect(reviewer.locator(".flow-log tbody")).to_contain_text("说明合理。")

    finance = desktop(sign_in("demo-finance"))
    open_todo(finance, title)
    reviewer_sees_everything(finance, "var/shortfall-finance-review.png")
    finance.get_by_role("button", name="通过", exact=True).click()
    confirm(finance, "通过")
    expect(finance.locator(".status").first).to_have_text("已发布")

    public = desktop(browser.new_context(locale="zh-CN").new_page())
    public.goto(f"{live_server.url}/notices/")
    public.get_by_role("link", name=re.compile(re.escape(title))).first.click()
    expect(public.locator(".notice-explanation")).to_have_text(f"未达到预留份额比例的说明：{EXPLANATION}")
    public.screenshot(path="var/shortfall-public.png", full_page=True)
