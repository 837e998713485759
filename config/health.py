"""Probes for the load balancer: /healthz (the process answers) and /readyz (it can serve)."""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """Liveness: touches neither the database nor the cache, so a database outage never makes
    the load balancer restart healthy app servers."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def readyz(request):
    """Readiness: 200 when the database and the shared cache both answer, 503 otherwise; the
    body says which one failed."""
    checks = {"database": _check_database(), "cache": _check_cache()}
    ok = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ok else "unavailable", **checks}, status=200 if ok else 503)


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
    # A unique key: several app servers probe the same cache at once.
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=10)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception as exc:  # noqa: BLE001
        logger.warning("readyz: cache check failed: %s", exc)
        return "error"
    return "ok" if ok else "error"
