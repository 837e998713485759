"""Cursor pagination and filters shared by the JSON API and the OCDS releases.

Cursor on (published_at, id) newest first: stable while notices are published in between, and
each page is an index range scan however deep it is.
"""

import base64
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from announcements.selectors import announcements_published

from .http import site_url
from .search import ApiNoticeFilter

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
FILTER_PARAMS = ("q", "district", "year", "date_from", "date_to", "unit", "updated_since")
PAGE_PARAMS = ("cursor", "limit")


def published_for_api():
    """Published notices without the columns the API never shows."""
    return announcements_published().defer("search_text", "search_grams", "body_html", "published_html")


def encode_cursor(notice) -> str:
    raw = f"{notice.published_at.isoformat()}|{notice.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str):
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, pk = raw.split("|")
        moment = parse_datetime(stamp)
        if moment is None:
            return None
        return moment, int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


def page_of_notices(request, queryset):
    """(notices of this page, next cursor or None, errors or None) for the API and OCDS lists."""
    filterset = ApiNoticeFilter(request.GET, queryset=queryset)
    if not filterset.is_valid():
        return None, None, {name: [str(e) for e in errs] for name, errs in filterset.errors.items()}
    qs = filterset.qs.order_by("-published_at", "-id")
    cursor = request.GET.get("cursor")
    if cursor:
        position = decode_cursor(cursor)
        if position is None:
            return None, None, {"cursor": [_("Invalid cursor.")]}
        moment, pk = position
        qs = qs.filter(Q(published_at__lt=moment) | Q(published_at=moment, pk__lt=pk))
    try:
        limit = min(max(int(request.GET.get("limit", DEFAULT_LIMIT)), 1), MAX_LIMIT)
    except ValueError:
        return None, None, {"limit": [_("Enter a whole number.")]}
    notices = list(qs[: limit + 1])
    next_cursor = encode_cursor(notices[limit - 1]) if len(notices) > limit else None
    return notices[:limit], next_cursor, None


def next_url(request, url_name, next_cursor):
    if next_cursor is None:
        return None
    params = [(k, request.GET[k]) for k in (*FILTER_PARAMS, "limit") if request.GET.get(k)]
    params.append(("cursor", next_cursor))
    return site_url(reverse(url_name)) + "?" + urlencode(params)
