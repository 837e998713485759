"""The shared cache as an accelerator: a Redis backend whose every call degrades to a miss when
Redis cannot be reached or does not answer in time.

settings.py uses `DegradingRedisCache` for any redis:// CACHE_URL, with short socket timeouts.
A failed call logs one line (at most one per `DEGRADE_SECONDS` window per process), adds one to
a per-process counter that /readyz shows, and opens a short circuit: for `DEGRADE_SECONDS` the
backend does not even try, so a blackholed Redis costs each request nothing rather than a
timeout per cache call. Reads answer "not found", writes answer "not stored"; nothing raises.

The connection options (pool class, timeouts) stay Django's RedisCache OPTIONS, so a pooled
client (e.g. `pool_class`) slots in unchanged.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT

from config.redis_cache import PooledRedisCache

logger = logging.getLogger(__name__)

try:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
except ImportError:  # pragma: no cover - redis is a dependency
    UNREACHABLE = (OSError,)

DEFAULT_DEGRADE_SECONDS = 5.0


class _Stats:
    """Per-process figures of the degraded cache (read by /readyz)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.failures = 0
        self.skipped = 0
        self.last_error = ""
        self.last_failure_at = 0.0

    def snapshot(self) -> dict:
        with self.lock:
            return {"failures": self.failures, "skipped": self.skipped, "last_error": self.last_error}


stats = _Stats()


class DegradingRedisCache(PooledRedisCache):
    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS", {}))
        self.degrade_seconds = float(options.pop("DEGRADE_SECONDS", DEFAULT_DEGRADE_SECONDS))
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._down_until = 0.0

    @property
    def degraded(self) -> bool:
        """True while the circuit is open (Redis failed within the last DEGRADE_SECONDS)."""
        return time.monotonic() < self._down_until

    def _call(self, method, default, *args, **kwargs):
        if self.degraded:
            with stats.lock:
                stats.skipped += 1
            return default
        try:
            return method(*args, **kwargs)
        except UNREACHABLE as exc:
            now = time.monotonic()
            self._down_until = now + self.degrade_seconds
            with stats.lock:
                stats.failures += 1
                stats.last_error = f"{type(exc).__name__}: {exc}"[:200]
                log_now = now - stats.last_failure_at >= self.degrade_seconds
                stats.last_failure_at = now
            if log_now:
                logger.warning(
                    "cache unreachable, serving without it for %.0f s: %s", self.degrade_seconds, exc
                )
            return default

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().add, False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._call(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._call(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        # An unreachable cache behaves as a missing key (callers already handle ValueError).
        result = self._call(super().incr, None, key, delta, version)
        if result is None:
            raise ValueError(f"Key '{key}' not found (cache unreachable)")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call(super().delete_many, None, keys, version)

    def clear(self):
        return self._call(super().clear, False)
