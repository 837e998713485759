"""Oversight in a real browser with the demo data, by the labels a user reads: demo-finance
follows 普陀区's 2025 campaign and sends reminders; demo-supervisor compares districts, draws a
sample and records a check result."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import User
from devdata import accounts as accounts_demo
from devdata import oversight as oversight_demo
from oversight import services as oversight_services
from oversight.enums import SampleSize
from oversight.models import FilingCampaign, Reminder, SpotCheckSample

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo():
    context: dict = {}
    accounts_demo.seed(context)
    oversight_demo.seed(context)
    return context


def test_finance_follows_the_campaign_and_sends_reminders(demo, live_server, browser, sign_in):
    page = sign_in("demo-finance")
    page.get_by_role("link", name="填报任务").first.click()
    page.get_by_role("link", name="普陀区").click()
    expect(page.get_by_role("heading", name="普陀区2025年度填报情况")).to_be_visible()
    # Who has and has not filed.
    row = page.locator("tbody tr").filter(has_text="上海市普陀区教育局")
    expect(row).to_contain_text("已发布")
    expect(page.locator("tbody tr").filter(has_text="上海市普陀区民政局")).to_contain_text("草稿")
    expect(page.locator("tbody tr").filter(has_text="上海市普陀区图书馆")).to_contain_text("免报")
    expect(page.locator("svg[role=img]")).to_be_visible()
    page.get_by_label("状态", exact=True).select_option(label="已撤回发布")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_role("button", name="发送提醒").click()
    dialog = page.get_by_role("dialog")  # asks first, listing who the reminder reaches
    expect(dialog).to_contain_text("将收到提醒")
    dialog.get_by_role("button", name="发送提醒").click()
    expect(page.locator(".messages")).to_contain_text("已向")
    # The demo handler of 真如镇 (not started) got one; the record shows on the page.
    assert any("demo-handler@example.cn" in m.to for m in mail.outbox)
    expect(page.locator(".ov-reminders")).to_contain_text("demo-handler@example.cn")
    assert Reminder.objects.filter(sent_by__username="demo-finance").exists()
    page.screenshot(path="var/oversight-dashboard.png", full_page=True)


def test_supervisor_compares_draws_and_records_a_result(demo, live_server, browser, sign_in):
    page = sign_in("demo-supervisor")
    page.get_by_role("link", name="各区对比").first.click()
    table = page.locator("table.ov-summary")
    expect(table).to_contain_text("普陀区")
    expect(table).to_contain_text("青浦区")
    page.screenshot(path="var/oversight-compare.png", full_page=True)
    page.get_by_role("link", name="抽查").first.click()
    page.get_by_label("年份").fill("2025")
    page.get_by_label("抽取数量").fill("2")
    page.get_by_label("随机种子").fill("12345")
    page.get_by_role("button", name="开始抽取").click()
    expect(page.locator(".messages")).to_contain_text("12345")
    expect(page.locator("[data-figure=progress]")).to_have_text("0 / 2")
    first = page.locator("tbody tr").first
    # A refused record: the reason sits in the row and the chosen 结果 stays chosen.
    first.get_by_label("结果").select_option(label="需整改")
    first.get_by_role("button", name="记录结果").click()
    first = page.locator("tbody tr").first
    expect(first.locator(".error")).to_contain_text("请在备注中说明问题")
    expect(first.get_by_label("结果")).to_have_value("rectify")
    expect(page.locator("[data-figure=progress]")).to_have_text("0 / 2")
    first.get_by_label("备注").fill("合同链接无法打开")
    first.get_by_role("button", name="记录结果").click()
    expect(page.locator("[data-figure=progress]")).to_have_text("1 / 2")
    expect(page.locator("tbody tr").first).to_contain_text("合同链接无法打开")
    sample = SpotCheckSample.objects.get(seed=12345)
    assert sample.items.exclude(result="").get().checked_by.username == "demo-supervisor"
    page.screenshot(path="var/oversight-sample.png", full_page=True)


OVERSIGHT_PAGES = {
    "demo-finance": [
        "/console/oversight/",
        "campaign",
        "campaign-units",
        "/console/oversight/statistics/?year=2025",
        "/console/oversight/district-setting/",
    ],
    "demo-supervisor": [
        "/console/oversight/",
        "/console/oversight/districts/",
        "/console/oversight/statistics/?year=2025",
        "/console/oversight/samples/",
        "sample",
    ],
}


BOXES_WIDER_THAN_THEIR_SPACE = """
[...document.querySelectorAll('#main .table-container, #main .ov-chart')]
  .filter(box => box.scrollWidth > box.clientWidth + 1)
  .map(box => (box.querySelector('caption, figcaption, h2') || box).textContent.trim().slice(0, 30)
       + ' ' + box.scrollWidth + '>' + box.clientWidth)
"""


@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)], ids=["1366", "phone"])
def test_oversight_pages_never_scroll_sideways(demo, live_server, sign_in, viewport):
    """At 1366×768 every oversight table and the district chart fit; on a phone a wide table
    scrolls inside its own box, never the page."""
    campaign = FilingCampaign.objects.filter(district__code="310107").order_by("-year").first()
    supervisor = User.objects.get(username="demo-supervisor")
    sample = oversight_services.spot_check_sample_draw(
        actor=supervisor, year=2025, size_mode=SampleSize.COUNT, size_value=4, seed=7
    )
    named = {
        "campaign": f"/console/oversight/campaigns/{campaign.pk}/",
        "campaign-units": f"/console/oversight/campaigns/{campaign.pk}/units/",
        "sample": f"/console/oversight/samples/{sample.pk}/",
    }
    width, height = viewport
    wide = []
    for username, paths in OVERSIGHT_PAGES.items():
        page = sign_in(username)
        page.set_viewport_size({"width": width, "height": height})
        for path in paths:
            url = live_server.url + named.get(path, path)
            response = page.goto(url)
            assert response.status == 200, url
            name = path.split("?")[0].strip("/").removeprefix("console/oversight").strip("/") or "campaigns"
            name = name.replace("/", "-")
            page.screenshot(path=f"var/screenshots/oversight-{name}-{width}.png", full_page=True)
            scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
            if scroll > inner:
                wide.append((username, path, scroll, inner))
            if width >= 1366:
                # At 1366 px nothing scrolls inside its box either: tables and the chart fit.
                boxes = page.evaluate(BOXES_WIDER_THAN_THEIR_SPACE)
                wide.extend((username, path, box) for box in boxes)
        page.context.close()
    assert wide == [], "\n".join(map(str, wide))
