"""Oversight in a real browser with the demo data, by the labels a user reads: demo-finance
follows 普陀区's 2025 campaign and sends reminders; demo-supervisor compares districts, draws a
sample and records a check result."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from devdata import accounts as accounts_demo
from devdata import oversight as oversight_demo
from oversight.models import Reminder, SpotCheckSample

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
    first.get_by_label("结果").select_option(label="需整改")
    first.get_by_label("备注").fill("合同链接无法打开")
    first.get_by_role("button", name="记录结果").click()
    expect(page.locator("[data-figure=progress]")).to_have_text("1 / 2")
    expect(page.locator("tbody tr").first).to_contain_text("合同链接无法打开")
    sample = SpotCheckSample.objects.get(seed=12345)
    assert sample.items.exclude(result="").get().checked_by.username == "demo-supervisor"
    page.screenshot(path="var/oversight-sample.png", full_page=True)
