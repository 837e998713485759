"""The shared cache on the machine's Redis (CACHE_URL=redis://127.0.0.1:6379/1): what one app
server writes, another reads. Skipped when Redis is not reachable."""

import threading
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache

from public import cache as public_cache

REDIS_URL = "redis://127.0.0.1:6379/1"


def _redis_up() -> bool:
    try:
        import redis

        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001
        return False


pytestmark = pytest.mark.skipif(not _redis_up(), reason="Redis is not reachable on 127.0.0.1:6379")


@pytest.fixture
def prefix():
    """A key prefix of our own; its keys are deleted afterwards (never clear(): it would flush
    the whole Redis database that others share)."""
    import redis

    value = f"ops-test-{uuid.uuid4().hex}"
    yield value
    raw = redis.Redis.from_url(REDIS_URL)
    for key in raw.scan_iter(f"{value}:*"):
        raw.delete(key)


@pytest.fixture
def two_servers(prefix):
    """Two independent cache clients, as two app servers would have."""
    return tuple(RedisCache(REDIS_URL, {"KEY_PREFIX": prefix}) for _ in range(2))


def test_redis_cache_value_written_by_one_server_is_read_by_another(two_servers):
    a, b = two_servers

    a.set("notice-list", {"title": "公告", "amount": "12.500000"}, timeout=60)

    assert b.get("notice-list") == {"title": "公告", "amount": "12.500000"}
    b.delete("notice-list")
    assert a.get("notice-list") is None


def test_public_cache_bump_on_one_server_invalidates_the_other(two_servers, monkeypatch):
    a, b = two_servers
    monkeypatch.setattr(public_cache, "cache", a)
    before_version = public_cache.public_cache_version()
    public_cache.versioned_set("list", "page", 1, version=before_version, value="the old page")
    assert public_cache.versioned_get("list", "page", 1) == (before_version, "the old page")

    monkeypatch.setattr(public_cache, "cache", b)
    public_cache.bump_public_cache()

    monkeypatch.setattr(public_cache, "cache", a)
    assert public_cache.public_cache_version() == before_version + 1
    assert public_cache.versioned_get("list", "page", 1) == (before_version + 1, None)


def test_public_cache_bumps_from_two_servers_at_once_are_all_counted(two_servers, monkeypatch):
    a, b = two_servers
    a.set(public_cache.VERSION_KEY, 1, timeout=None)

    def bump_many(client):
        for _ in range(50):
            # incr is atomic in Redis: no bump is lost between servers.
            client.incr(public_cache.VERSION_KEY)

    threads = [threading.Thread(target=bump_many, args=(c,)) for c in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert b.get(public_cache.VERSION_KEY) == 101


def test_readyz_and_sessions_work_with_redis_as_the_default_cache(settings, client, world, prefix):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

    ready = client.get("/readyz")
    client.post("/accounts/login/", {"username": world.handler.username, "password": "correct-horse-42"})
    console = client.get("/console/")

    assert ready.json()["cache"] == "ok"
    assert console.status_code == 200 and world.handler.full_name in console.content.decode()
