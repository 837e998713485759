"""What each process keeps in front of the shared cache (public.cache): the publication version for
PUBLIC_VERSION_CHECK_SECONDS, and the pages built under it. A publication made in this process
shows at once, one made on another app server within those seconds, and nothing is kept while the
shared cache cannot say which version is current."""

import time

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from public import cache as public_cache
from public.listeners import publication_changed
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db

CLOSED_PORT = 6399
reads = []


class CountingCache(LocMemCache):
    """The shared cache, counting every read a request makes of it."""

    def get(self, key, *args, **kwargs):
        reads.append(key)
        return super().get(key, *args, **kwargs)

    def get_many(self, keys, version=None):
        reads.append(tuple(keys))  # one round trip (LocMemCache's own get_many calls get per key)
        missing = object()
        found = {key: LocMemCache.get(self, key, missing, version) for key in keys}
        return {key: value for key, value in found.items() if value is not missing}


@pytest.fixture
def counting_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "tests.public.test_cache_memo.CountingCache", "LOCATION": "memo-tests"}
    }
    from django.core.cache import cache

    cache.clear()
    reads.clear()
    yield reads
    cache.clear()


def another_server_publishes():
    """What bump_public_cache does to the shared cache when it runs in another process."""
    from django.core.cache import cache

    cache.incr(public_cache.VERSION_KEY)
    cache.set(public_cache.CHANGED_AT_KEY, int(timezone.now().timestamp()) + 1, timeout=None)


def list_page(client):
    response = client.get(reverse("public:list"))
    assert response.status_code == 200
    return response


def test_publication_in_this_process_shows_at_once(client, world, settings):
    settings.PUBLIC_VERSION_CHECK_SECONDS = 60
    make_notice(institution=world.unit, title="早先发布的公告")
    before = list_page(client)

    later = make_notice(institution=world.unit, title="刚刚发布的公告")
    publication_changed(later)
    after = list_page(client)

    assert "刚刚发布的公告" not in before.content.decode()
    assert "刚刚发布的公告" in after.content.decode()
    assert after["ETag"] != before["ETag"]


def test_publication_on_another_server_shows_here_within_the_check_seconds(client, world, settings):
    settings.PUBLIC_VERSION_CHECK_SECONDS = 0.3
    make_notice(institution=world.unit, title="早先发布的公告")
    before = list_page(client)

    make_notice(institution=world.unit, title="另一台服务器发布的公告")
    another_server_publishes()
    within = list_page(client)
    time.sleep(0.4)
    after = list_page(client)

    assert within["ETag"] == before["ETag"]
    assert "另一台服务器发布的公告" not in within.content.decode()
    assert after["ETag"] != before["ETag"]
    assert "另一台服务器发布的公告" in after.content.decode()


def test_page_this_process_holds_is_served_without_asking_the_shared_cache(
    client, world, settings, counting_cache, django_assert_num_queries
):
    settings.PUBLIC_VERSION_CHECK_SECONDS = 60
    make_notice(institution=world.unit, title="缓存公告")
    first = list_page(client)
    counting_cache.clear()

    with django_assert_num_queries(0):
        again = list_page(client)

    assert counting_cache == []
    assert again.content == first.content
    assert "缓存公告" in again.content.decode()


def test_without_the_check_seconds_every_request_reads_the_version_once(
    client, world, settings, counting_cache
):
    settings.PUBLIC_VERSION_CHECK_SECONDS = 0
    make_notice(institution=world.unit, title="缓存公告")
    list_page(client)
    counting_cache.clear()

    list_page(client)

    assert counting_cache == [(public_cache.VERSION_KEY, public_cache.CHANGED_AT_KEY)]


def test_with_the_shared_cache_down_nothing_is_kept_and_a_publication_shows_at_once(client, world, settings):
    settings.PUBLIC_VERSION_CHECK_SECONDS = 60
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.DegradingRedisCache",
            "LOCATION": f"redis://127.0.0.1:{CLOSED_PORT}/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    make_notice(institution=world.unit, title="早先发布的公告")
    before = list_page(client)

    make_notice(institution=world.unit, title="缓存故障时发布的公告")
    with CaptureQueriesContext(connection) as queries:
        after = list_page(client)

    assert "ETag" not in before
    assert len(queries) > 0  # built again from the database, not from a copy
    assert "缓存故障时发布的公告" in after.content.decode()
