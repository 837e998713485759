"""Django's Redis cache with one client per server per process.

Django's RedisCacheClient keeps a connection pool but builds a new `redis.Redis` object for
every cache operation, and each thread's cache handler builds its own pool. Here the pool and
the client live at module level, keyed by server URL and options, so every thread of a process
shares them (redis-py clients and pools are thread-safe).
"""

import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

_clients: dict = {}
_lock = threading.Lock()


class PooledRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        ident = (self._servers[index], repr(sorted(self._pool_options.items(), key=lambda kv: kv[0])))
        client = _clients.get(ident)
        if client is None:
            with _lock:
                client = _clients.get(ident)
                if client is None:
                    pool = self._pool_class.from_url(self._servers[index], **self._pool_options)
                    client = _clients[ident] = self._client(connection_pool=pool)
        return client


class PooledRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledRedisCacheClient
