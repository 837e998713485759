"""Read-replica routing. With DATABASE_REPLICA_URL set, the public site's anonymous reads go to
the "replica" database; everything else (writes, signed-in readers, console pages, sign-in,
sessions, the task queue) stays on "default", the primary.

`ReplicaReadsMiddleware` decides per request, once the URL is resolved: a GET or HEAD of a view
in the `public` namespace by a reader without a session (the same readers who share the page
cache). It marks the request in a context variable that `PrimaryReplicaRouter.db_for_read`
reads; without the mark, or without a replica configured, every read goes to the primary. A
replica lags the primary by its replication delay: a revoked notice may show that much longer
(the page cache has the same property and is invalidated by the version bump).

A replica that cannot be reached (stopped, restarting, its host gone) must not take the public
site down with it: the middleware connects to it before marking the request, and when that fails
the request reads the primary, and so does every request of this process for
`REPLICA_RETRY_SECONDS` before it tries the replica again (a connect timeout is paid once per
window, not per request). A replica that fails in the middle of a request (stopped while the
request reads) gets the same treatment: the public GET runs once more, on the primary.
"""

import logging
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections

from accounts.readers import anonymous_without_cookies

REPLICA = "replica"
_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)
_replica_down_until = 0.0
logger = logging.getLogger(__name__)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def _replica_failed(error: Exception) -> None:
    global _replica_down_until
    _replica_down_until = time.monotonic() + settings.REPLICA_RETRY_SECONDS
    first_line = (str(error).strip().splitlines() or [""])[0]
    logger.warning("replica unreachable, reading the primary: %s", first_line)


def replica_reachable() -> bool:
    """Whether the replica answers a connection; a failure is logged once and remembered."""
    if time.monotonic() < _replica_down_until:
        return False
    try:
        connections[REPLICA].ensure_connection()
    except DatabaseError as error:
        _replica_failed(error)
        return False
    return True


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if _replica_reads.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data (the replica copies the primary).
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # the replica receives the schema by replication


class ReplicaReadsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        finally:
            token = getattr(request, "_replica_token", None)
            if token is not None:
                _replica_reads.reset(token)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            replica_configured()
            and request.method in ("GET", "HEAD")
            and match is not None
            and match.namespace == "public"
            and anonymous_without_cookies(request)
            and replica_reachable()
        ):
            request._replica_token = _replica_reads.set(True)
        return None

    def process_exception(self, request, exception):
        token = getattr(request, "_replica_token", None)
        if token is None or not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        # Only GET/HEAD of public pages are marked: running the view again is safe.
        _replica_failed(exception)
        _replica_reads.reset(token)
        request._replica_token = None
        try:
            connections[REPLICA].close()
        except DatabaseError:
            pass  # the connection is already broken; the next request connects anew
        match = request.resolver_match
        return match.func(request, *match.args, **match.kwargs)
