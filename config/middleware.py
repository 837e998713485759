"""Request ids and access logs, a friendly 503 page while the database is unreachable, and the
time budget of public reads."""

import json
import logging
import re
import sys
import time
import uuid

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.functional import empty

from .log import current_request_id

access_log = logging.getLogger("config.request")
logger = logging.getLogger(__name__)

# A request id from the proxy is kept only if it is short and plain (no log injection).
_INCOMING_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
DB_OUTAGE_ERRORS = (OperationalError, InterfaceError)
# query_canceled (statement_timeout), lock_not_available (lock_timeout)
TIMEOUT_SQLSTATES = {"57014", "55P03"}

_FALLBACK_503 = (
    '<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8"><title>服务暂时不可用</title></head>'
    "<body><h1>服务暂时不可用</h1><p>系统正在维护或暂时繁忙，请稍后再试。</p></body></html>"
)


class RequestLogMiddleware:
    """Gives each request an id (kept from X-Request-ID when sane, echoed in the response) and
    writes one access-log line per request: id, method, path, status, duration, user id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _INCOMING_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = current_request_id.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "request_id": request_id,
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": _user_id(request),
                    # Public queries cancelled by their time budget (PublicTimeBudgetMiddleware).
                    "budget_hits": getattr(request, "public_budget_hits", 0),
                },
            )
            return response
        finally:
            current_request_id.reset(token)


class RejectNulMiddleware:
    """A NUL character in the path, the query string or any POSTed field answers 400 before any
    view runs, with a page that says so; a cookie holding one is dropped (no session).

    PostgreSQL refuses NUL in text ("A string literal cannot contain NUL"), so any view that puts
    a URL part or a form field into a query would fail with a 500; no legitimate link or typed
    text contains one. Uploaded files are not inspected (an .xlsx is binary); their names are."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        in_url = "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "")
        if in_url or (request.method == "POST" and _post_has_nul(request)):
            logger.warning("rejected a request with a NUL character: %s %s", request.method, request.path)
            return nul_rejected_response(api=request.path.startswith("/api/"))
        if any("\x00" in name or "\x00" in value for name, value in request.COOKIES.items()):
            # A quoted cookie may spell a NUL ("\000"): the session store would carry it into a
            # query. Such a cookie was never set by this site: the request goes on without it.
            request.COOKIES = {
                name: value
                for name, value in request.COOKIES.items()
                if "\x00" not in name and "\x00" not in value
            }
        return self.get_response(request)


class ApiReadOnlyMiddleware:
    """The public API is read-only: any other method than GET, HEAD or OPTIONS under /api/ answers
    405 in the API's JSON error shape with Allow, before the CSRF check's HTML 403 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/") and request.method not in ("GET", "HEAD", "OPTIONS"):
            from django.utils.translation import gettext as _

            message = _("The open data API only reads: use GET.")
            body = json.dumps({"errors": {"request": [str(message)]}}, ensure_ascii=False)
            response = HttpResponse(body, status=405, content_type="application/json; charset=utf-8")
            response["Allow"] = "GET, HEAD, OPTIONS"
            return response
        return self.get_response(request)


def _post_has_nul(request) -> bool:
    content_type = request.META.get("CONTENT_TYPE", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return False
    # A body over the limits raises here (RequestDataTooBig, TooManyFieldsSent: Django's 400
    # page), exactly as it would at the CSRF check right after this middleware.
    fields = request.POST
    files = request.FILES
    for key, values in fields.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return True
    return any("\x00" in (upload.name or "") for upload in files.values())


def nul_rejected_response(*, api: bool = False):
    """400: as JSON in the API's error shape under /api/, otherwise the site's 400 page."""
    from django.utils.translation import gettext as _

    message = _("The request contained an invalid character (NUL). Remove it and try again.")
    if api:
        body = json.dumps({"errors": {"request": [str(message)]}}, ensure_ascii=False)
        return HttpResponse(body, status=400, content_type="application/json; charset=utf-8")
    try:
        html = render_to_string("400.html", {"message": message})
    except Exception:  # noqa: BLE001 - the error page must never fail
        html = "The request contained an invalid character (NUL)."
    return HttpResponse(html, status=400)


# Pages that belong to a signed-in user are never stored by a browser or a proxy.
PRIVATE_PREFIXES = ("/console/", "/admin/", "/accounts/")


class PrivatePagesMiddleware:
    """Console pages, exports, the admin and sign-in pages, and any response to a signed-in user
    get `Cache-Control: private, no-store` (a shared computer's back button or an intermediate
    cache must not show them to the next person). Public anonymous pages keep their own headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(PRIVATE_PREFIXES) or _user_id(request) is not None:
            response["Cache-Control"] = "private, no-store"
            response.headers.pop("Expires", None)
        return response


def _user_id(request):
    # Only a user that the request already loaded: loading it here would cost a query on every
    # request, and would fail while the database is down.
    user = getattr(request, "user", None)
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty or not getattr(wrapped, "is_authenticated", False):
        return None
    return wrapped.pk


def is_database_outage(exc) -> bool:
    """True when `exc` means the database cannot be reached, not that one query was wrong.

    OperationalError also covers query errors (SQLite's "LIKE pattern too complex"); those are
    bugs and stay 500s. An outage is a connection that failed or no longer answers."""
    if isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    # PostgreSQL's statement_timeout and lock_timeout (settings.py): the database is hung or a
    # table is locked; the request gave up waiting.
    if getattr(exc.__cause__, "pgcode", None) in TIMEOUT_SQLSTATES:
        return True
    # SQLite's writer lock and PostgreSQL's "too many connections" are passing congestion.
    if "database is locked" in str(exc) or "too many clients" in str(exc):
        return True
    return _connections_down()


def _connections_down() -> bool:
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            # Never connected in this request, or the attempt failed: try once more to tell.
            try:
                conn.ensure_connection()
            except DB_OUTAGE_ERRORS:
                return True
            continue
        try:
            if not conn.is_usable():
                return True
        except Exception:  # noqa: BLE001 - a check that cannot run means the connection is gone
            return True
    return False


def database_unavailable_response():
    """The 503 page, rendered without the request and without the database (no context
    processors, no user); a fixed page if even the template cannot be rendered."""
    # Broken connections are dropped so that the next request reconnects: recovery needs no restart.
    for conn in connections.all(initialized_only=True):
        if conn.in_atomic_block:  # only inside a test's transaction; a request has none here
            continue
        try:
            conn.close()
        except Exception:  # noqa: BLE001 - closing a dead connection may itself fail
            pass
    return unavailable_page(retry_after=30)


def unavailable_page(*, retry_after: int) -> HttpResponse:
    """The 503 page without the request or the database (no context processors, no user), never
    cached; a fixed page if even the template cannot be rendered."""
    try:
        html = render_to_string("503.html")
    except Exception:  # noqa: BLE001 - the error page must never fail
        html = _FALLBACK_503
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """A view that fails because the database is unreachable answers 503, not a stack trace.
    Failures in other middleware (sessions, authentication) reach `config.views.server_error`,
    which gives the same page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            logger.warning("database unavailable: %s", (str(exception).strip().splitlines() or [""])[0])
            return database_unavailable_response()
        return None


def current_exception():
    return sys.exc_info()[1]


# Public pages that anyone may ask for as often as they like: their queries get the short budget.
# Downloads and sealed PDFs are built by tasks or stream after the view returns.
BUDGETED_VIEWS = frozenset(
    {
        "public:home",
        "public:list",
        "public:feed",
        "public:detail",
        "public:api_list",
        "public:api_detail",
        "public:ocds_releases",
    }
)


def statement_timed_out(exc) -> bool:
    """Whether `exc` is PostgreSQL cancelling a statement for its statement_timeout."""
    return isinstance(exc, OperationalError) and getattr(exc.__cause__, "pgcode", None) == "57014"


class PublicTimeBudgetMiddleware:
    """On PostgreSQL every query of a public page (BUDGETED_VIEWS, GET or HEAD) runs under
    PUBLIC_STATEMENT_TIMEOUT_MS instead of the web process's 5 s: `SET LOCAL statement_timeout`
    sent with the statement (one implicit transaction, so it ends with it and costs no round
    trip). A read over budget is cancelled; each one is counted on the request (`budget_hits` in
    the access log). The list answers such a search with a page that asks to narrow it
    (public.rendering); any other budgeted page answers 503 at once, keeping its connection."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            return self.get_response(request)
        finally:
            for connection, wrapper in getattr(request, "_budget_wrappers", ()):
                connection.execute_wrappers.remove(wrapper)

    def process_view(self, request, view_func, view_args, view_kwargs):
        budget = settings.PUBLIC_STATEMENT_TIMEOUT_MS
        match = request.resolver_match
        if not budget or request.method not in ("GET", "HEAD") or match.view_name not in BUDGETED_VIEWS:
            return None
        request._budget_wrappers = []
        for connection in connections.all():
            if connection.vendor == "postgresql":
                wrapper = _within_budget(request, f"SET LOCAL statement_timeout = {int(budget)}; ")
                connection.execute_wrappers.append(wrapper)
                request._budget_wrappers.append((connection, wrapper))
        return None

    def process_exception(self, request, exception):
        if not getattr(request, "_budget_wrappers", None) or not statement_timed_out(exception):
            return None
        response = unavailable_page(retry_after=5)
        response._has_been_logged = True  # a warning already said so (_within_budget), not an error
        return response


def _within_budget(request, prefix: str):
    def execute(run, sql, params, many, context):
        # executemany and server-side cursors (DECLARE … FOR <one query>) take a single statement;
        # inside a transaction (never a public page's read; tests) SET LOCAL would outlive the read.
        if many or getattr(context["cursor"].cursor, "name", None) or context["connection"].in_atomic_block:
            return run(sql, params, many, context)
        try:
            return run(prefix + sql, params, many, context)
        except OperationalError as exc:
            if statement_timed_out(exc):
                request.public_budget_hits = getattr(request, "public_budget_hits", 0) + 1
                logger.warning("public read over its time budget: %s %s", request.method, request.path)
            raise

    return execute
