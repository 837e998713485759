"""How many searches one client may have answered from the database: a burst of searches for
random words (each one a page-cache miss) from one address must not keep the workers from the
readers of the list. Counted per client (accounts.network.client_key: the IPv4 address or the
IPv6 /64) and per minute in the shared cache; when the cache is down every search is allowed (the
public time budget still bounds each one)."""

import logging
import time

from django.conf import settings
from django.core.cache import cache

from accounts.network import client_key

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60


def current_window() -> int:
    return int(time.time() // WINDOW_SECONDS)


def search_allowed(request) -> bool:
    """Counts this uncached search for the request's client; False once the client has had
    PUBLIC_SEARCHES_PER_MINUTE of them in the current minute (0: no limit)."""
    limit = settings.PUBLIC_SEARCHES_PER_MINUTE
    if not limit:
        return True
    key = f"public:searches:{client_key(request) or 'unknown'}:{current_window()}"
    try:
        try:
            count = cache.incr(key)  # one round trip for every search but a minute's first
        except ValueError:  # the minute's first search (or the cache is unreachable)
            if cache.add(key, 1, WINDOW_SECONDS + 5):
                return True
            count = cache.incr(key)  # another process counted the first one meanwhile
    except ValueError:
        return True
    except Exception:  # noqa: BLE001 - a cache outage must not refuse readers
        logger.warning("public search limit: cache unavailable", exc_info=True)
        return True
    return count <= limit
