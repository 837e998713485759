"""The review journey in a real browser with the demo accounts, by the labels a user reads
(附件2 §二–§四): 新增 → 生成公告 → rows → 提交 → 采购人初审 通过 → 财政审核 通过 → 已发布 on /notices/;
and the return-with-reason path."""

import re

import pytest
from playwright.sync_api import expect

from announcements import workflow
from announcements.enums import PublishMode, State
from announcements.models import Announcement
from announcements.services import announcement_create_sme
from devdata import accounts as accounts_demo
from reservations.services import report_rows_save
from tests.browser.actions import confirm

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def open_todo(page, title):
    page.get_by_role("link", name="其他政府采购公告").first.click()
    expect(page.get_by_role("link", name="我的待办")).to_have_attribute("aria-current", "page")
    row = page.locator("tbody tr").filter(has_text=title)
    expect(row).to_have_count(1)
    row.get_by_role("link", name="审批").click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()


def test_notice_goes_from_new_to_published_through_both_reviews(demo, live_server, browser, sign_in):
    handler = sign_in("demo-handler")
    handler.get_by_role("link", name="其他政府采购公告").first.click()
    handler.get_by_role("link", name="新增").click()
    # The choice opens in a <dialog> (or as a page without JS).
    handler.locator("#create-dialog").get_by_role("link", name="面向中小企业预留项目执行情况公告").click()
    handler.get_by_label("年份").select_option("2025")
    handler.get_by_role("button", name="生成公告").click()
    expect(handler).to_have_url(re.compile(r"/edit/$"))

    row = handler.locator("#rows-body li.row-form").first
    row.locator(".cell-name input").fill("社区物业管理服务")
    row.locator(".cell-category select").select_option("services")
    row.locator(".cell-budget_amount input").fill("90")
    row.locator(".cell-option select").select_option("whole")
    row.locator(".cell-sme_amount input").fill("86.5")
    row.locator(".cell-small_micro_amount input").fill("60.2")
    row.locator(".cell-contract_url input").fill(
        "https://www.zfcg.sh.gov.cn/site/detail?contractId=journey-1"
    )
    handler.locator("#save-button").click()
    expect(handler.locator(".message-success")).to_be_visible()
    announcement = Announcement.objects.get(institution__name=accounts_demo.UNIT_NAME, year=2025)
    title = announcement.title

    handler.get_by_role("link", name="返回公告详情").first.click()
    handler.get_by_role("button", name="提交").click()
    confirm(handler)
    expect(handler.locator(".status").first).to_have_text("采购人初审")
    expect(handler.locator(".step-reviewers")).to_contain_text("张伟")

    reviewer = sign_in("demo-reviewer")
    expect(reviewer.locator('.badge[title="待办"]')).to_have_text("1")
    open_todo(reviewer, title)
    reviewer.get_by_role("button", name="通过").click()
    confirm(reviewer)
    expect(reviewer.locator(".status").first).to_have_text("财政审核")
    expect(reviewer.locator(".step-reviewers")).to_contain_text("陈芳")

    finance = sign_in("demo-finance")
    open_todo(finance, title)
    finance.get_by_role("button", name="通过").click()
    confirm(finance)
    expect(finance.locator(".status").first).to_have_text("已发布")
    log = finance.locator(".flow-log tbody")
    expect(log).to_contain_text("提交")
    expect(log).to_contain_text("审核通过【采购人初审】")
    expect(log).to_contain_text("审核通过【财政审核】")

    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(f"{live_server.url}/notices/")
    expect(public.get_by_text(title).first).to_be_visible()
    announcement.refresh_from_db()
    assert announcement.state == State.PUBLISHED


def test_reviewer_returns_with_a_reason_the_handler_reads(demo, live_server, browser, sign_in):
    users = demo["users"]
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
                "contract_url": "https://www.zfcg.sh.gov.cn/site/detail?contractId=journey-2",
            }
        ],
    )
    announcement.refresh_from_db()
    workflow.apply_action(announcement=announcement, action="submit", actor=users["demo-handler"])

    reviewer = sign_in("demo-reviewer")
    open_todo(reviewer, announcement.title)
    reviewer.get_by_label("退回原因").fill("合同链接请改为采购合同公告的链接")
    reviewer.get_by_role("button", name="退回").click()
    confirm(reviewer)
    expect(reviewer.locator(".status").first).to_have_text("已退回")

    handler = sign_in("demo-handler")
    handler.get_by_role("link", name="其他政府采购公告").first.click()
    handler.locator("tbody tr").filter(has_text=announcement.title).get_by_role(
        "link", name="编辑"
    ).wait_for()
    handler.goto(f"{live_server.url}/console/notices/{announcement.public_id}/")
    expect(handler.locator(".return-reason")).to_contain_text("合同链接请改为采购合同公告的链接")
    expect(handler.locator(".flow-log tbody")).to_contain_text("合同链接请改为采购合同公告的链接")
    announcement.refresh_from_db()
    assert (announcement.state, announcement.return_reason) == (
        State.DRAFT,
        "合同链接请改为采购合同公告的链接",
    )


def test_two_browsers_approving_at_once_leave_one_transition(demo, live_server, browser, sign_in):
    users = demo["users"]
    announcement = announcement_create_sme(
        user=users["demo-handler"],
        district=users["demo-handler"].institution.district,
        year=2023,
        publish_mode=PublishMode.ON_APPROVAL,
    )
    report_rows_save(
        report=announcement.report,
        rows=[
            {
                "name": "社区道路维修工程",
                "code": "",
                "category": "",
                "option": "whole",
                "ratio": 100,
                "budget_amount": None,
                "sme_amount": "180",
                "small_micro_amount": "120",
                "contract_url": "https://www.zfcg.sh.gov.cn/site/detail?contractId=journey-3",
            }
        ],
    )
    announcement.refresh_from_db()
    workflow.apply_action(announcement=announcement, action="submit", actor=users["demo-handler"])

    first = sign_in("demo-reviewer")
    second = sign_in("demo-reviewer")
    for page in (first, second):
        open_todo(page, announcement.title)
    first.get_by_role("button", name="通过").click()
    confirm(first)
    expect(first.locator(".message-success")).to_be_visible()
    second.get_by_role("button", name="通过").click()
    confirm(second)
    expect(second.locator(".message-error")).to_contain_text("已被他人处理")
    assert announcement.flow_log.filter(action="purchaser_approve").count() == 1


def test_review_panel_fits_1366_with_long_contract_links(demo, live_server, browser, sign_in):
    """At 1366×768 the reviewer's rows table and the notice's 合同链接 column fit their boxes: long
    links wrap instead of scrolling."""
    users = demo["users"]
    announcement = announcement_create_sme(
        user=users["demo-handler"],
        district=users["demo-handler"].institution.district,
        year=2024,
        publish_mode=PublishMode.ON_APPROVAL,
    )
    link = "https://www.zfcg.sh.gov.cn/site/detail?contractId=" + "8a71c4e5" * 8 + "&articleKey=" + "x" * 40
    row = {
        "code": "SHXM-2024-000123-WX",
        "category": "services",
        "option": "dedicated_lot",
        "ratio": 45,
        "budget_amount": "1234.567891",
        "sme_amount": "987.654321",
        "small_micro_amount": "876.543219",
        "contract_url": link,
        "procurement_date": None,
    }
    report_rows_save(
        report=announcement.report,
        rows=[
            {**row, "name": f"上海市普陀区真如镇街道社区综合服务设施维护保养服务项目第{n}包"}
            for n in range(1, 4)
        ],
    )
    announcement.refresh_from_db()
    workflow.apply_action(announcement=announcement, action="submit", actor=users["demo-handler"])
    page = sign_in("demo-reviewer")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/console/notices/{announcement.public_id}/")
    expect(page.locator(".review-rows")).to_contain_text("第3包")
    page.locator(".review-panel").screenshot(path="var/screenshots/review-panel-1366.png")
    page.locator(".notice-document").screenshot(path="var/screenshots/review-notice-1366.png")
    scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner
    wide = page.evaluate(
        """[...document.querySelectorAll('#main .table-container')]
             .filter(box => box.scrollWidth > box.clientWidth + 1)
             .map(box => box.getAttribute('aria-label') || box.querySelector('caption, th').textContent)"""
    )
    assert wide == []
