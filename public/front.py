"""The public pages' cache in front of the session, locale, CSRF, authentication and message
middleware: a finished page, headers and all, answered to the next reader without cookies before
any of that middleware runs.

A page reaches it only after the view marked the response as one the shared page cache holds
(`mark_shared`, from public.http.SharedPage and the detail view: anonymous readers without
cookies, a 200 built or read under the current publication version). It is kept in this process
under the (language, path and query) the reader asked with and the publication version read
before the page was built, so a publication (which bumps the version) retires it as it retires
the shared entries: at once in this process, within PUBLIC_VERSION_CHECK_SECONDS in the others.

Who is answered from here: a GET without a session or message cookie, without Authorization and
without a conditional header (If-None-Match, If-Modified-Since: those go through the view's
validators and get their 304), while the page cache is on (PUBLIC_CACHE_SECONDS > 0). For such a
reader every middleware between this one and the view leaves the request as it is and adds only
headers, which were kept with the page; the middleware outside it (request id and access log,
NUL check, read-only API, database outage, private pages, security headers, static files) runs
for every answer. The notice's page keeps its view count live: its count is asked for each
answer (public.services.count_view) and written into the kept page; a notice revoked since then
falls through to the view, which answers 410.
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import get_language_from_request

from accounts.memos import per_process

from .cache import NearCache, public_cache_seconds, read_request_facts

_pages = per_process(NearCache(size=512), published=True)

# Headers recomputed for each answer (the detail page's length follows its view count).
_NOT_KEPT = {"content-length", "set-cookie"}


class FrontPage:
    """A kept page: its body (or, for a notice's page, its pieces around the view count) and
    the headers the inner middleware gave it."""

    __slots__ = ("content", "headers", "status", "counted")

    def __init__(self, response, counted: "CountedPage | None" = None):
        self.headers = [(name, value) for name, value in response.items() if name.lower() not in _NOT_KEPT]
        self.status = response.status_code
        self.counted = counted
        self.content = response.content if counted is None else None

    def answer(self, request):
        """The response for this reader, or None (the view must answer: the notice was revoked)."""
        if self.counted is None:
            content = self.content
        else:
            content = self.counted.content(request)
            if content is None:
                return None
        response = HttpResponse(content, status=self.status, headers=dict(self.headers))
        response.headers["Content-Length"] = str(len(content))
        return response


class CountedPage:
    """A notice's page around its view count: its encoded parts, joined for each reader by the
    count that `count(request)` gives (None: the notice was revoked since)."""

    __slots__ = ("count", "pieces")

    def __init__(self, count, parts: list[str]):
        self.count, self.pieces = count, [part.encode() for part in parts]

    def content(self, request) -> bytes | None:
        views = self.count(request)
        return None if views is None else str(views).encode().join(self.pieces)


def mark_shared(response, counted: tuple | None = None):
    """Mark `response` as a shared public page, the same for every reader without cookies; for a
    notice's page `counted` is (count, the page's parts around its view count), `count(request)`
    giving a reader's count. Returns the response."""
    response.front_page = counted or True
    return response


def _front_key(request):
    """(language, path?query) of a reader this cache may answer, else None."""
    if request.method != "GET":
        return None
    meta = request.META
    if "HTTP_IF_NONE_MATCH" in meta or "HTTP_IF_MODIFIED_SINCE" in meta or "HTTP_AUTHORIZATION" in meta:
        return None
    if "HTTP_COOKIE" in meta:
        cookies = request.COOKIES
        if (
            settings.SESSION_COOKIE_NAME in cookies
            or getattr(settings, "MESSAGE_COOKIE_NAME", "messages") in cookies
        ):
            return None
    return (get_language_from_request(request), request.path, meta.get("QUERY_STRING", ""))


class FrontPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _front_key(request) if public_cache_seconds() > 0 else None
        if key is None:
            return self.get_response(request)
        try:
            version = read_request_facts()[0]
        except Exception:  # noqa: BLE001 - the cache is down: the views answer without it
            version = None
        if version is None:
            return self.get_response(request)
        kept = _pages.get(key, version)
        if kept is not None:
            response = kept.answer(request)
            if response is not None:
                return response
        response = self.get_response(request)
        marked = getattr(response, "front_page", None)
        if (
            marked is not None
            and response.status_code == 200
            and not response.cookies
            and not response.streaming
            and response.get("Content-Language", key[0]) == key[0]
        ):
            _pages.set(
                key,
                version,
                FrontPage(response, counted=CountedPage(*marked) if isinstance(marked, tuple) else None),
                public_cache_seconds(),
            )
        return response
