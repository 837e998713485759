"""The public pages kept whole in front of the session, locale, CSRF and authentication middleware
(public.front): a reader without cookies gets the same page, headers included, without the view
or a query; the notice's page still counts each reader; signed-in readers, conditional requests
and other languages never get another reader's answer."""

import pytest
from django.urls import reverse
from django.utils import timezone

from announcements.enums import State
from announcements.models import Announcement
from public import http, rendering
from public.listeners import publication_changed
from public.views import pages
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db

CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
# Headers the inner middleware and the view give a page; the front answer must carry them all.
PAGE_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Content-Security-Policy",
    "X-Frame-Options",
    "Cache-Control",
    "ETag",
    "Last-Modified",
    "Vary",
    "Content-Length",
)


@pytest.fixture(autouse=True)
def version_read_once_a_minute(settings):
    settings.PUBLIC_VERSION_CHECK_SECONDS = 60


@pytest.fixture
def views_never_run_again(monkeypatch):
    """Call it once the pages are kept: any page built after that fails the test."""

    def built(*args, **kwargs):
        raise AssertionError("the page was built again")

    def replace():
        # The views' own page cache too: the front answers before any view runs.
        monkeypatch.setattr(http.SharedPage, "__init__", built)
        monkeypatch.setattr(pages, "versioned_get", built)
        monkeypatch.setattr(rendering, "list_page", built)
        monkeypatch.setattr(rendering, "detail_content", built)

    return replace


def test_second_reader_gets_the_same_page_and_headers_without_a_query(
    client, world, django_assert_num_queries, views_never_run_again
):
    make_notice(institution=world.unit, title="前置缓存公告")
    first = client.get(reverse("public:list"))
    assert first.status_code == 200

    views_never_run_again()
    with django_assert_num_queries(0):
        again = client.get(reverse("public:list"))

    assert again.status_code == 200
    assert again.content == first.content
    assert "前置缓存公告" in again.content.decode()
    for header in PAGE_HEADERS:
        assert again[header] == first[header], header
    assert again["X-Request-ID"] != first["X-Request-ID"]  # the access log still sees each answer
    assert "Set-Cookie" not in again


def test_a_publication_shows_at_once(client, world):
    make_notice(institution=world.unit, title="早先发布的公告")
    before = client.get(reverse("public:list")).content.decode()

    later = make_notice(institution=world.unit, title="刚刚发布的公告")
    publication_changed(later)
    after = client.get(reverse("public:list")).content.decode()

    assert "刚刚发布的公告" not in before
    assert "刚刚发布的公告" in after


def test_each_language_keeps_its_own_page(client, world):
    make_notice(institution=world.unit)
    chinese = client.get(reverse("public:list"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = client.get(reverse("public:list"), HTTP_ACCEPT_LANGUAGE="en")
    chinese_again = client.get(reverse("public:list"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")

    assert chinese["Content-Language"] == "zh-hans"
    assert english["Content-Language"] == "en"
    assert chinese_again["Content-Language"] == "zh-hans"
    assert english.content != chinese.content
    assert chinese_again.content == chinese.content


def test_each_query_keeps_its_own_page(client, world):
    make_notice(institution=world.unit, title="办公设备采购公告")
    make_notice(institution=world.unit, title="物业管理服务公告")
    client.get(reverse("public:list"), {"q": "办公设备"})

    other = client.get(reverse("public:list"), {"q": "物业管理"}).content.decode()

    assert "物业管理服务公告" in other
    assert "办公设备采购公告" not in other


def test_signed_in_reader_never_gets_the_kept_page(client, world, login):
    notice = make_notice(institution=world.unit)
    anonymous = client.get(reverse("public:detail", args=[notice.public_id]))
    assert "经办人甲" not in anonymous.content.decode()

    login(world.handler)
    signed_in = client.get(reverse("public:detail", args=[notice.public_id]))

    assert "经办人甲" in signed_in.content.decode()
    assert "private" in signed_in["Cache-Control"]


def test_a_conditional_request_still_gets_its_304(client, world, views_never_run_again):
    etag = client.get(reverse("public:list"))["ETag"]
    views_never_run_again()

    response = client.get(reverse("public:list"), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304


def test_the_notice_page_counts_each_reader_from_the_front(client, world, views_never_run_again):
    notice = make_notice(institution=world.unit, html="<p>正文</p>")
    Announcement.objects.filter(pk=notice.pk).update(view_count=0)
    path = reverse("public:detail", args=[notice.public_id])
    shown = []
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.3"):
        response = client.get(path, HTTP_USER_AGENT=CHROME, REMOTE_ADDR=address)
        views_never_run_again()  # the first reader's page is kept: the others get it from the front
        html = response.content.decode()
        shown.append(html.split("<span data-views>")[1].split("</span>")[0])
        assert int(response["Content-Length"]) == len(response.content)

    assert shown == ["1", "2", "3", "3"]
    assert Announcement.objects.get(pk=notice.pk).view_count == 3


def test_a_notice_revoked_after_it_was_kept_answers_410_at_once(client, world):
    notice = make_notice(institution=world.unit, html="<p>将撤回的正文</p>")
    path = reverse("public:detail", args=[notice.public_id])
    assert client.get(path, HTTP_USER_AGENT=CHROME).status_code == 200

    notice.state, notice.revoked_at, notice.revoke_reason = State.REVOKED, timezone.now(), "重复发布"
    notice.save()
    publication_changed(notice)
    response = client.get(path, HTTP_USER_AGENT=CHROME, REMOTE_ADDR="10.0.0.9")

    assert response.status_code == 410
    assert "将撤回的正文" not in response.content.decode()


def test_nothing_is_kept_with_the_page_cache_off(client, world, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    make_notice(institution=world.unit, title="不缓存的公告")
    client.get(reverse("public:list"))
    Announcement.objects.update(title="改过的标题")

    page = client.get(reverse("public:list")).content.decode()

    assert "改过的标题" in page
