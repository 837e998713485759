"""HTTP caching of the anonymous public pages: validators, 304 answers, Cache-Control for a CDN;
never for signed-in readers or console pages."""

import pytest
from django.urls import reverse

from public.listeners import publication_changed
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(world):
    return make_notice(institution=world.unit, title="缓存公告", html="<p>正文</p>")


def public_urls(notice):
    return [
        reverse("public:list"),
        reverse("public:detail", args=[notice.public_id]),
        reverse("public:feed"),
        reverse("public:api_list"),
        reverse("public:api_detail", args=[notice.public_id]),
    ]


def test_anonymous_pages_carry_validators_and_public_cache_control(client, notice, settings):
    settings.PUBLIC_HTTP_MAX_AGE, settings.PUBLIC_HTTP_S_MAXAGE = 60, 300
    for url in public_urls(notice):
        response = client.get(url)

        assert response.status_code == 200, url
        assert response["ETag"].startswith('"'), url
        assert response["Last-Modified"].endswith("GMT"), url
        assert set(response["Cache-Control"].split(", ")) == {"public", "max-age=60", "s-maxage=300"}, url


def test_repeated_conditional_get_is_answered_304_without_the_page(client, notice, django_assert_num_queries):
    first = client.get(reverse("public:list"))

    with django_assert_num_queries(0):
        again = client.get(reverse("public:list"), HTTP_IF_NONE_MATCH=first["ETag"])
    since = client.get(reverse("public:list"), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert since.status_code == 304


def test_publication_changes_the_etag_and_the_page_comes_again(client, notice, world):
    first = client.get(reverse("public:list"))
    later = make_notice(institution=world.unit, title="新发布公告")
    publication_changed(later)

    again = client.get(reverse("public:list"), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert "新发布公告" in again.content.decode()
    assert again["ETag"] != first["ETag"]


def test_other_query_string_has_another_etag(client, notice):
    plain = client.get(reverse("public:list"))
    searched = client.get(reverse("public:list"), {"q": "缓存"})

    assert plain["ETag"] != searched["ETag"]


def test_signed_in_reader_gets_private_pages_and_no_304(login, notice, world):
    anonymous_etag = login(world.handler).get(reverse("public:list")).get("ETag")
    client = login(world.handler)

    response = client.get(reverse("public:list"), HTTP_IF_NONE_MATCH=anonymous_etag or '"x"')

    assert response.status_code == 200
    assert "ETag" not in response
    assert "public" not in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_console_pages_are_never_publicly_cacheable(login, world):
    response = login(world.handler).get("/console/notices/")

    assert response.status_code == 200

    assert "public" not in response.get("Cache-Control", "")
    assert "s-maxage" not in response.get("Cache-Control", "")


def test_revoked_notice_410_is_not_publicly_cacheable(client, notice):
    notice.state, notice.revoke_reason = "revoked", "重复发布"
    notice.save()
    publication_changed(notice)

    response = client.get(reverse("public:detail", args=[notice.public_id]))

    assert response.status_code == 410
    assert "public" not in response.get("Cache-Control", "")
