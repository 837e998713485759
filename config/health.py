"""Probes for the load balancer: /healthz (the process answers) and /readyz (it can serve)."""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from .cache import stats as cache_stats

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """Liveness: touches neither the database nor the cache, so a database outage never makes
    the load balancer restart healthy app servers."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def readyz(request):
    """Readiness: 200 while the database answers, 503 otherwise. The cache is an accelerator:
    when it fails the body says `"cache": "degraded"` (with this process's count of cache calls
    that failed or were skipped) but the answer stays 200, since the site serves without it."""
    database, cache_state = _check_database(), _check_cache()
    body = {"status": "ok" if database == "ok" else "unavailable", "database": database, "cache": cache_state}
    if cache_state != "ok":
        body["cache_errors"] = cache_stats.snapshot()
    return JsonResponse(body, status=200 if database == "ok" else 503)


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
        logger.warning("readyz: database check failed: %s", exc)
        try:
            connection.close()
        except Exception:  # noqa: BLE001
            pass
        return "error"
    return "ok"


def _check_cache() -> str:
    # A unique key: several app servers probe the same cache at once. The degrading backend
    # never raises; a value that does not come back means the cache is not working.
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=10)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception as exc:  # noqa: BLE001
        logger.warning("readyz: cache check failed: %s", exc)
        return "degraded"
    return "ok" if ok else "degraded"
