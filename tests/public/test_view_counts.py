"""浏览次数: one count per address within the window (whatever the User-Agent), counted in Redis
off the request path and flushed to the database by a task; the database path when the cache is
not Redis or Redis fails."""

import uuid

import pytest
from django.urls import reverse

from announcements.models import Announcement
from public import services
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/1"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


def _redis_up() -> bool:
    try:
        import redis

        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001
        return False


needs_redis = pytest.mark.skipif(not _redis_up(), reason="Redis is not reachable on 127.0.0.1:6379")


def detail(client, notice, agent=CHROME, ip="10.0.0.1"):
    return client.get(
        reverse("public:detail", args=[notice.public_id]), HTTP_USER_AGENT=agent, REMOTE_ADDR=ip
    )


def shown_views(response) -> str:
    html = response.content.decode()
    return html.split("<span data-views>")[1].split("</span>")[0]


def views_in_db(notice) -> int:
    return Announcement.objects.get(pk=notice.pk).view_count


@pytest.fixture
def redis_cache(settings):
    """The page cache and counters on the machine's Redis under a key prefix of our own, deleted
    afterwards (never clear(): others share the database)."""
    import redis

    prefix = f"issue15-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.PooledRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield prefix
    raw = redis.Redis.from_url(REDIS_URL)
    for key in raw.scan_iter(f"{prefix}:*"):
        raw.delete(key)


def test_view_not_inflated_by_varying_the_user_agent(client, world):
    """One address sending many User-Agents is one reader: one view."""
    notice = make_notice(institution=world.unit)

    detail(client, notice, agent=CHROME)
    detail(client, notice, agent=FIREFOX)
    detail(client, notice, agent=CHROME + " x")

    assert views_in_db(notice) == 1


def test_behind_two_proxies_two_readers_get_two_view_windows(client, world, settings):
    # The load balancer and the web server each append the address they saw: the last entry is
    # the inner proxy's, the same for every reader; the reader is the one before it.
    settings.AXES_IPWARE_PROXY_COUNT = 2
    notice = make_notice(institution=world.unit)
    url = reverse("public:detail", args=[notice.public_id])

    for reader in ("203.0.113.7", "198.51.100.9", "203.0.113.7"):
        client.get(
            url, HTTP_USER_AGENT=CHROME, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=f"{reader}, 10.0.0.1"
        )

    assert views_in_db(notice) == 2


@needs_redis
def test_redis_view_count_shown_at_once_and_flushed_to_the_database(client, world, redis_cache, settings):
    settings.PUBLIC_VIEW_FLUSH_SECONDS = 0  # the immediate task backend flushes on each view
    notice = make_notice(institution=world.unit)

    first = detail(client, notice, ip="10.0.1.1")
    second = detail(client, notice, ip="10.0.1.2")
    reload = detail(client, notice, ip="10.0.1.2")

    assert [shown_views(r) for r in (first, second, reload)] == ["1", "2", "2"]
    assert views_in_db(notice) == 2


@needs_redis
def test_redis_view_count_waits_for_the_flush(client, world, redis_cache, settings):
    settings.PUBLIC_VIEW_FLUSH_SECONDS = 60
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    notice = make_notice(institution=world.unit)
    Announcement.objects.filter(pk=notice.pk).update(view_count=40)

    shown = [shown_views(detail(client, notice, ip=f"10.0.2.{i}")) for i in range(3)]

    assert shown == ["41", "42", "43"]
    assert views_in_db(notice) == 40
    assert services.view_counts_flush() == 1
    assert views_in_db(notice) == 43
    assert services.view_counts_flush() == 0
    assert shown_views(detail(client, notice, ip="10.0.2.9")) == "44"


@needs_redis
def test_cached_detail_on_redis_needs_no_query(
    client, world, redis_cache, settings, django_assert_num_queries
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    notice = make_notice(institution=world.unit, html="<p>正文</p>")
    detail(client, notice)

    with django_assert_num_queries(0):
        response = detail(client, notice, ip="10.0.3.1")

    assert "<p>正文</p>" in response.content.decode()
    assert shown_views(response) == "2"


@needs_redis
def test_redis_failure_counts_in_the_database(client, world, redis_cache, monkeypatch):
    notice = make_notice(institution=world.unit)

    def broken(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(services, "_count_in_redis", broken)
    response = detail(client, notice)

    assert shown_views(response) == "1"
    assert views_in_db(notice) == 1


@needs_redis
def test_flush_failure_puts_the_counts_back(client, world, redis_cache, settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    notice = make_notice(institution=world.unit)
    detail(client, notice)

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    with monkeypatch.context() as m:
        m.setattr(services.transaction, "atomic", broken)
        with pytest.raises(RuntimeError):
            services.view_counts_flush()

    assert views_in_db(notice) == 0
    assert services.view_counts_flush() == 1
    assert views_in_db(notice) == 1


def _raw_redis():
    import redis

    return redis.Redis.from_url(REDIS_URL)


class _Clock:
    """public.cache's clock moved on by `later` seconds (the process's memos age)."""

    def __init__(self):
        import time

        self.real, self.later = time.monotonic, 0.0

    def monotonic(self):
        return self.real() + self.later


@needs_redis
def test_a_reload_reaches_neither_redis_nor_the_database(client, world, redis_cache, settings, monkeypatch):
    """The reader's window is known to this process once claimed: the reload shows the count
    without the script (which would fail here) and without the database fallback."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    notice = make_notice(institution=world.unit)
    assert shown_views(detail(client, notice, ip="10.0.4.1")) == "1"

    def unreachable(*args, **kwargs):
        raise ConnectionError("the reload should not ask Redis")

    monkeypatch.setitem(services._scripts, id(services._redis()), unreachable)
    reload = detail(client, notice, ip="10.0.4.1")

    assert shown_views(reload) == "1"
    assert views_in_db(notice) == 0  # no database fallback counted it


@needs_redis
def test_views_that_cannot_count_show_a_total_at_most_a_second_old(
    client, world, redis_cache, settings, monkeypatch
):
    from public import cache as public_cache

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    settings.PUBLIC_VIEW_TOTAL_SECONDS = 1
    notice = make_notice(institution=world.unit)
    assert shown_views(detail(client, notice, ip="10.0.5.1")) == "1"
    # Another app server counts five readers meanwhile.
    _raw_redis().hincrby(f"{redis_cache}:1:{services.TOTALS}", notice.pk, 5)
    clock = _Clock()
    monkeypatch.setattr(public_cache, "time", clock)

    within = detail(client, notice, agent="Googlebot/2.1", ip="10.0.5.2")
    clock.later = 1.5
    after = detail(client, notice, agent="Googlebot/2.1", ip="10.0.5.2")
    reader = detail(client, notice, ip="10.0.5.3")

    assert [shown_views(r) for r in (within, after, reader)] == ["1", "6", "7"]


@needs_redis
def test_a_window_claimed_on_another_server_is_remembered_until_it_ends(
    client, world, redis_cache, settings, monkeypatch
):
    from public import cache as public_cache

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    settings.PUBLIC_VIEW_TOTAL_SECONDS = 0  # every view that reaches the script reads a fresh total
    notice = make_notice(institution=world.unit)
    detail(client, notice, ip="10.0.6.9")  # the total exists in Redis (1)
    fingerprint = services.client_fingerprint(type("R", (), {"META": {"REMOTE_ADDR": "10.0.6.1"}})())
    window = f"{redis_cache}:1:public:viewed:{notice.public_id}:{fingerprint}"
    _raw_redis().set(window, 1, ex=120)  # the reader was counted on another server 2 minutes ago
    clock = _Clock()
    monkeypatch.setattr(public_cache, "time", clock)

    first = detail(client, notice, ip="10.0.6.1")
    _raw_redis().delete(window)  # even if Redis forgets it, this process knows the window holds
    clock.later = 60
    within = detail(client, notice, ip="10.0.6.1")
    clock.later = 121
    after = detail(client, notice, ip="10.0.6.1")

    assert [shown_views(r) for r in (first, within, after)] == ["1", "1", "2"]
