"""Writes of the public site: the search fields of a published notice, view counting, and the
listener that keeps both the search fields and the page cache in step with the workflow.
"""

import hashlib
import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from announcements.enums import State
from announcements.models import Announcement
from reservations.models import ReservedProject

from .bulk import bulk_files_rebuild_task
from .cache import bump_public_cache
from .search import grams_for, search_text_parts

logger = logging.getLogger(__name__)

# Crawlers, link previewers and scripts do not count as readers.
BOT_RE = re.compile(
    r"bot|crawl|spider|slurp|baidu|sogou|bytespider|yisou|curl|wget|python|java/|go-http|httpclient|"
    r"okhttp|scrapy|feed|preview|facebookexternalhit|monitor|uptime|lighthouse|wrk|ab/|siege",
    re.IGNORECASE,
)


def announcement_search_fields_fill(*, announcement) -> None:
    """Write the notice's denormalised search text and grams (public.search).

    Side effect: one UPDATE of the notice's two search columns (no other field, no signal)."""
    report = announcement.report
    names = []
    if report is not None:
        names = list(
            ReservedProject.objects.filter(report=report).order_by("position").values_list("name", flat=True)
        )
    parts = search_text_parts(
        title=announcement.title,
        unit=announcement.institution.name,
        competent_unit=report.competent_unit_name if report is not None else "",
        project_names=names,
    )
    text, grams = "\n".join(parts), grams_for(parts)
    Announcement.objects.filter(pk=announcement.pk).update(search_text=text, search_grams=grams)
    announcement.search_text, announcement.search_grams = text, grams


def publication_changed(announcement) -> None:
    """A notice was published or revoked: fill its search fields (one row, whatever the state
    the caller's copy shows: a revoked notice leaves the list by its state, not by its search
    text), invalidate every cached public page (list, feed, API, OCDS, sitemap) at once, and
    let the task queue rebuild the bulk files (coalesced: see public.bulk)."""
    announcement_search_fields_fill(announcement=announcement)
    bump_public_cache()
    bulk_files_rebuild_task.enqueue()


def on_notice_transitioned(sender, *, announcement, to_state, **kwargs) -> None:
    """Listener of announcements.signals.notice_transitioned (connected in PublicConfig.ready)."""
    if to_state in (State.PUBLISHED, State.REVOKED):
        publication_changed(announcement)


def client_fingerprint(request) -> str:
    ip = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0):
        ip = forwarded.split(",")[-1].strip()
    agent = request.META.get("HTTP_USER_AGENT", "")
    return hashlib.blake2s(f"{ip}|{agent}".encode(), digest_size=12).hexdigest()


def is_countable_view(request) -> bool:
    agent = request.META.get("HTTP_USER_AGENT", "")
    if request.method != "GET" or not agent or BOT_RE.search(agent):
        return False
    # Browsers announce speculative loads; those are not readings.
    purpose = request.META.get("HTTP_SEC_PURPOSE", "") or request.META.get("HTTP_PURPOSE", "")
    return "prefetch" not in purpose and "prerender" not in purpose


def count_view(request, *, pk: int, public_id: str) -> int | None:
    """Add one to 浏览次数 unless the reader is a bot or read this notice within the window,
    and return the count (None when the notice has just disappeared).

    Side effect: at most one UPDATE … SET view_count = view_count + 1 … RETURNING, a single
    statement: the row is locked only for it, never across the request; the per-client window
    lives in the cache. A view that does not count reads the number by primary key."""
    window = getattr(settings, "PUBLIC_VIEW_WINDOW_SECONDS", 30 * 60)
    key = f"public:viewed:{public_id}:{client_fingerprint(request)}"
    table = connection.ops.quote_name(Announcement._meta.db_table)
    with connection.cursor() as cursor:
        if is_countable_view(request) and cache.add(key, 1, timeout=window):
            cursor.execute(
                f"UPDATE {table} SET view_count = view_count + 1 WHERE id = %s RETURNING view_count", [pk]
            )
        else:
            cursor.execute(f"SELECT view_count FROM {table} WHERE id = %s", [pk])
        row = cursor.fetchone()
    return row[0] if row else None
