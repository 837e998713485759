"""A reader without an account finds a notice, opens it, prints it and shares it (issue 5)."""

import json

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.public.conftest import make_notice
from tests.public.test_ocds import validator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_reader_finds_notice_by_two_characters_and_district_then_shares_it(world, live_server, page):
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_default_timeout(5000)
    wanted = make_notice(
        institution=world.unit,
        title="真如镇2025年面向中小企业预留项目执行情况公告",
        rows=[("社区食堂餐饮服务", "20", "15")],
        html="<p>本部门(单位)2025年预留项目面向中小企业采购共计20万元。</p>",
    )
    make_notice(institution=world.outsider, title="青浦区某单位公告", rows=[("办公设备采购", "3", "1")])

    page.goto(f"{live_server.url}/")
    page.get_by_label("关键词").fill("食堂")
    page.get_by_role("button", name="搜索").click()
    results = page.locator(".public-notice-list li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("【普陀区】真如镇2025年")

    page.get_by_role("link", name="重置").click()
    expect(page.locator(".public-notice-list li")).to_have_count(2)
    page.get_by_label("地区").select_option(label="青浦区")
    page.get_by_role("button", name="搜索").click()
    expect(page.locator(".public-notice-list li")).to_have_count(1)
    expect(page.locator(".public-notice-list li").first).to_contain_text("青浦区某单位公告")

    page.get_by_label("地区").select_option(label="普陀区")
    page.get_by_role("button", name="搜索").click()
    page.get_by_role("link", name="【普陀区】真如镇2025年面向中小企业预留项目执行情况公告").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(wanted.title)
    expect(page.get_by_text("本部门(单位)2025年预留项目面向中小企业采购共计20万元。")).to_be_visible()
    expect(page.locator("[data-views]")).to_have_text("1")

    page.get_by_text("扫码分享").click()
    qr = page.locator(".qr-code svg")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] > 100
    assert page.locator('link[rel="stylesheet"][media="print"]').count() == 1

    expect(page.get_by_role("button", name="打印")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    expect(page.get_by_text("本部门(单位)2025年预留项目面向中小企业采购共计20万元。")).to_be_visible()
    assert csp_errors == []


def test_reader_follows_feed_and_downloads_xlsx_and_ocds(world, live_server, page):
    page.set_default_timeout(5000)
    make_notice(institution=world.unit, title="可下载的公告", rows=[("社区食堂餐饮服务", "20", "15")])

    page.goto(f"{live_server.url}/notices/")
    feed = page.request.get(
        live_server.url + page.get_by_role("link", name="订阅（Atom）").get_attribute("href")
    )
    assert "【普陀区】可下载的公告" in feed.text()

    with page.expect_download() as download:
        page.get_by_role("link", name="下载明细（Excel）").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as file:
        sheet = load_workbook(file).active
        assert [row[8] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["社区食堂餐饮服务"]

    ocds = page.request.get(
        live_server.url + page.get_by_role("link", name="OCDS 数据").get_attribute("href")
    )
    package = json.loads(ocds.body())
    assert list(validator().iter_errors(package)) == []
    assert package["releases"][0]["tender"]["title"] == "社区食堂餐饮服务"


@pytest.mark.parametrize(
    "viewport", [{"width": 1366, "height": 768}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_reader_pages_through_a_search_and_sees_why_notices_matched(world, live_server, page, viewport):
    from datetime import timedelta

    from django.utils import timezone

    page.set_viewport_size(viewport)
    page.set_default_timeout(5000)
    now = timezone.now()
    for i in range(23):
        make_notice(
            institution=world.unit,
            title=f"第{i:02d}号公告",
            rows=[("办公设备采购", "1", "1"), (f"河道保洁养护{i}", "2", "1")],
            published_at=now - timedelta(hours=i),
        )

    page.goto(f"{live_server.url}/notices/")
    page.get_by_label("关键词").fill("保洁")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("heading", name="至少 21 条")).to_be_visible()
    expect(page.locator(".public-notice-list li")).to_have_count(20)
    expect(page.locator(".public-notice-list li").first.locator(".match-why mark")).to_have_text("保洁")
    page.screenshot(path=f"var/screenshots/issue15-search-{viewport['width']}.png", full_page=True)

    page.get_by_role("link", name="下一页").click()
    expect(page.get_by_role("heading", name="共 23 条")).to_be_visible()
    expect(page.locator(".public-notice-list li")).to_have_count(3)
    expect(page.get_by_text("第 2 页")).to_be_visible()
    page.get_by_role("link", name="上一页").click()
    expect(page.locator(".public-notice-list li").first).to_contain_text("第00号公告")

    page.get_by_text("展开").click()
    # The summary now says what the next click does.
    expect(page.locator(".more-filters summary .when-open")).to_be_visible()
    expect(page.locator(".more-filters summary .when-closed")).to_be_hidden()
    page.get_by_label("发布日期起").fill("2025-06-01")
    page.get_by_label("发布日期止").fill("2025-05-01")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_text("结束日期早于开始日期，请检查。")).to_be_visible()
