"""HTTP caching of the anonymous public pages: ETag and Last-Modified from the publication
version, 304 answers to conditional GETs, and Cache-Control that lets a CDN or reverse proxy
serve the list, detail, feed and API. Signed-in readers (or any request carrying a session or
message cookie) get `private, no-cache`: their pages show their name and messages.

The ETag is a digest of the publication version, the language and the full path, so a reader
revalidating after a publication or revocation (which bumps the version) gets the new page,
and a 304 is answered before the view runs at all.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language

from accounts.readers import anonymous_without_cookies

from .cache import forget_request_facts, read_request_facts, remember_request_facts


def http_cached(view):
    """Wrap a public view (GET/HEAD) with conditional answers and Cache-Control."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not anonymous_without_cookies(request):
            response = view(request, *args, **kwargs)
            patch_cache_control(response, private=True, no_cache=True)
            return response
        try:
            version, changed_at = read_request_facts()  # one round trip
        except Exception:  # the cache is down: no validators, the page itself still answers
            version = None
        if version is None:
            return view(request, *args, **kwargs)
        digest = hashlib.blake2s(
            f"{version}|{get_language()}|{request.get_full_path()}".encode(), digest_size=12
        ).hexdigest()
        etag = f'"{digest}"'
        not_modified = get_conditional_response(request, etag=etag, last_modified=changed_at)
        if not_modified is not None:
            return _public_headers(not_modified, etag, changed_at)
        # The view's page cache and counts read this version instead of asking again.
        token = remember_request_facts((version, changed_at))
        try:
            response = view(request, *args, **kwargs)
        finally:
            forget_request_facts(token)
        if response.status_code == 200 and not response.has_header("Cache-Control"):
            _public_headers(response, etag, changed_at)
        return response

    return wrapped


def _public_headers(response, etag: str, changed_at: int):
    response["ETag"] = etag
    response["Last-Modified"] = http_date(changed_at)
    patch_cache_control(
        response,
        public=True,
        max_age=getattr(settings, "PUBLIC_HTTP_MAX_AGE", 60),
        s_maxage=getattr(settings, "PUBLIC_HTTP_S_MAXAGE", 300),
    )
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response
