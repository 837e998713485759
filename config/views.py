"""Error handlers that must work when nothing else does (no database, no request context)."""

import logging

from django.http import HttpResponseServerError, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

from .middleware import current_exception, database_unavailable_response, is_database_outage

logger = logging.getLogger(__name__)

_FALLBACK_500 = (
    '<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8"><title>服务器错误</title></head>'
    "<body><h1>服务器错误</h1><p>系统出现错误，已记录，请稍后再试。</p></body></html>"
)


def server_error(request, *args, **kwargs):
    # Django calls this inside its `except` block, so the exception is still at hand: a database
    # outage (e.g. the session middleware failing to load a session) gets the 503 page instead.
    if is_database_outage(current_exception()):
        return database_unavailable_response()
    try:
        html = render_to_string("500.html")
    except Exception:  # noqa: BLE001 - the error page must never fail
        logger.exception("500.html could not be rendered")
        html = _FALLBACK_500
    return HttpResponseServerError(html)


def page_not_found(request, exception, *args, **kwargs):
    """The site's 404 page; under /api/ the API's own JSON shape (`{"detail": …}`), so that a
    client asking for a malformed id gets JSON like for an unknown one."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"detail": _("Not found.")}, status=404, json_dumps_params={"ensure_ascii": False}
        )
    return defaults.page_not_found(request, exception)
