"""What several public views share: canonical URLs and link prefixes, a page in the shared
cache, exact JSON and the 410 answer of a revoked notice.

Not a views module: views import this, never the other way round.
"""

import json
import re
import secrets
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import get_script_prefix, get_urlconf, reverse

from accounts.memos import per_process
from accounts.readers import anonymous_without_cookies
from announcements.selectors import announcement_revoked_publicly

from .cache import versioned_get, versioned_set
from .front import mark_shared


def site_url(path: str) -> str:
    """The canonical absolute URL of a path (settings.SITE_URL, not the request's host)."""
    return settings.SITE_URL + path


def url_path(url_name: str) -> str:
    """reverse(url_name) of a URL without arguments, reversed once per process."""
    return _reversed(url_name, (), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


def path_prefix(url_name: str) -> str:
    """The path of `url_name`'s pages before their public id ("/notices/" for public:detail):
    links are this plus the id and a slash, without a reverse() per link."""
    path = _reversed(url_name, ("0" * 32,), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return path.removesuffix("0" * 32 + "/")


@per_process
@lru_cache(maxsize=64)
def _reversed(url_name: str, args: tuple, script_prefix: str, urlconf) -> str:
    return reverse(url_name, args=args, urlconf=urlconf)


# No filter accepts a longer value (q and unit are max_length=100; the rest are shorter).
MAX_PARAM_LENGTH = 100


def canonical_query(request, names) -> str:
    """The known parameters exactly as the views read them (QueryDict.get: the last value),
    in a fixed order, empty ones left out: for links and canonical URIs. Unknown parameters
    (`?note=…`) never reach it."""
    return urlencode([(name, request.GET[name]) for name in names if request.GET.get(name)])


def cache_params(request, names) -> str | None:
    """The page-cache key of a query: the canonical query of the known parameters, or None
    (build the page, never store it) when a value is longer than any filter accepts.

    The key is the raw value, not a stripped or cut one: `district=310107%20` and
    `district=310107` are different inputs (one an invalid filter, answered 400 and never
    stored), so they can never share an entry. Raw values are stricter than the filter's
    cleaned values and need no filter (and no query) before a cache hit."""
    if any(len(request.GET.get(name, "")) > MAX_PARAM_LENGTH for name in names):
        return None
    return canonical_query(request, names)


class SharedPage:
    """A public page in the shared cache (public.cache), for readers who share cached pages
    (accounts.readers.anonymous_without_cookies):

        page = SharedPage(request, "list", cache_params(request, LIST_PARAMS))
        return page.response or page.keep(build_the_response())

    `response` is the cached answer or None. Only 200 and 404 answers are kept; an invalid query
    (400) is built every time, and `params` None (see `cache_params`) is never looked up or kept."""

    def __init__(self, request, kind: str, params: str | None):
        self.kind, self.params = kind, params
        self.shared = params is not None and anonymous_without_cookies(request)
        self.version, hit = versioned_get(kind, params) if self.shared else (None, None)
        self.response = None
        if hit is not None:
            content, content_type, status = hit
            self.response = mark_shared(HttpResponse(content, content_type=content_type, status=status))

    def keep(self, response):
        if self.shared and response.status_code in (200, 404) and not response.streaming:
            value = (response.content, response["Content-Type"], response.status_code)
            versioned_set(self.kind, self.params, version=self.version, value=value)
            if self.version is not None:
                mark_shared(response)
        return response


def revoked_or_404(public_id: str) -> dict:
    """The date and reason of a revoked public notice (never its content); 404 otherwise."""
    revoked = announcement_revoked_publicly(public_id=public_id)
    if revoked is None:
        raise Http404
    return revoked


# A Decimal is written as a marker string, then the marker (quotes included) is replaced by its
# digits. The per-process random tag keeps user text from ever forming a marker.
_TAG = secrets.token_hex(8)
_MARKER_RE = re.compile(rf'"@{_TAG}:(-?[0-9.]+)@"')


def decimal_text(value: Decimal) -> str:
    """12.500000 → "12.5", 1E+2 → "100": plain digits without exponent or trailing zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


class _ExactEncoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, Decimal):
            return f"@{_TAG}:{decimal_text(o)}@"
        if isinstance(o, datetime):
            return o.isoformat()
        return super().default(o)


def exact_json_dumps(data, **kwargs) -> str:
    """JSON whose numbers are the Decimals' own digits, never rounded through float."""
    return _MARKER_RE.sub(r"\1", json.dumps(data, cls=_ExactEncoder, ensure_ascii=False, **kwargs))


def json_response(data, status=200, content_type="application/json") -> HttpResponse:
    return HttpResponse(exact_json_dumps(data), status=status, content_type=f"{content_type}; charset=utf-8")
