"""Writes of the public site: the search fields of a published notice and view counting (the
listener that keeps them and the page cache in step with the workflow is public.listeners; the
tasks that flush the counts are in public.tasks).
"""

import hashlib
import logging
import re
import uuid
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection, transaction
from django.db.models import F

from accounts.memos import per_process
from accounts.network import client_key
from announcements.models import Announcement
from reservations.models import ReservedProject

from .cache import NearCache
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


def client_fingerprint(request) -> str:
    """The reader's address alone (behind PROXY_COUNT proxies, accounts.network.client_key). With
    the User-Agent in it, anyone could inflate 浏览次数 by varying that header; readers behind one
    NAT share a count within the window."""
    address = client_key(request)  # an IPv6 reader counts by its /64: one host holds them all
    return hashlib.blake2s(address.encode(), digest_size=12).hexdigest()


def is_countable_view(request) -> bool:
    agent = request.META.get("HTTP_USER_AGENT", "")
    if request.method != "GET" or not agent or BOT_RE.search(agent):
        return False
    # Browsers announce speculative loads; those are not readings.
    purpose = request.META.get("HTTP_SEC_PURPOSE", "") or request.META.get("HTTP_PURPOSE", "")
    return "prefetch" not in purpose and "prerender" not in purpose


# Views counted in Redis: TOTALS holds each notice's current count (what the page shows),
# PENDING what the database has not received yet; view_counts_flush moves PENDING into
# Announcement.view_count. A total missing from Redis (first view, or Redis lost its data) is
# seeded from the database plus what is pending, then counted on.
TOTALS, PENDING = "public:views:total", "public:views:pending"
# One round trip per view: claim the reader's window (SET NX EX; ARGV[2] = 0: a reader who does
# not count) unless ARGV[3] already says whether the view counts, then add and read the total.
# Answers {total or -1 when the total is not in Redis yet, the step taken, how many milliseconds
# the reader's window has left (-1: no window was asked about)}.
COUNT_SCRIPT = """
local step = tonumber(ARGV[3])
local left = -1
if step < 0 then
  step = 0
  if tonumber(ARGV[2]) > 0 then
    if redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[2]) then
      step = 1
      left = tonumber(ARGV[2]) * 1000
    else
      left = redis.call('PTTL', KEYS[3])
    end
  end
end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return {-1, step, left} end
if step > 0 then redis.call('HINCRBY', KEYS[2], ARGV[1], step) end
return {redis.call('HINCRBY', KEYS[1], ARGV[1], step), step, left}
"""
FLUSH_SCHEDULED = "public:views:flush-scheduled"
_scripts: dict = per_process({})
# What this process learnt from the script, so that a view which cannot count (a bot, or a reader
# whose window this process saw claimed) needs no round trip: the windows until they end, and each
# notice's total for PUBLIC_VIEW_TOTAL_SECONDS (a total shown to such a view is that much behind
# the other servers at most; a view that counts always shows the total it made).
_claimed_windows = per_process(NearCache(size=16384))
_known_totals = per_process(NearCache(size=4096))
# The readers' windows this process keeps while the cache is down.
_local_windows = per_process(NearCache(size=16384))


def _redis():
    """The pooled redis-py client behind the default cache, or None when it is not Redis."""
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    return backend._cache.get_client(write=True) if isinstance(backend, RedisCache) else None


class ViewCount(NamedTuple):
    total: int | None  # None: the notice has just disappeared
    # A view was counted in Redis: the caller schedules the flush (public.tasks), which this
    # module cannot enqueue itself since the task calls view_counts_flush below.
    flush_wanted: bool = False


def count_view(request, *, pk: int, public_id: str) -> ViewCount:
    """Add one to 浏览次数 unless the reader is a bot or read this notice from the same address
    within the window, and return the count.

    With Redis: the window, the count and the total are one script call (no database query)
    and a task flushes the counts to the database at most once a minute (FLUSH_SECONDS); a view
    that cannot count makes no call while this process knows the total (_known_totals).
    Without Redis, or when Redis fails: one statement, UPDATE … SET view_count = view_count + 1
    … RETURNING (the row is locked only for it), or a read by primary key when the view does not
    count."""
    window = getattr(settings, "PUBLIC_VIEW_WINDOW_SECONDS", 30 * 60)
    key = f"public:viewed:{public_id}:{client_fingerprint(request)}"
    countable = is_countable_view(request)
    client = _redis()
    if client is not None:
        try:
            return _count_in_redis(client, pk, cache.make_key(key) if countable else None, window)
        except Exception:
            logger.warning("view counter in Redis unavailable; counting in the database", exc_info=True)
    if countable:
        try:
            added = cache.add(key, 1, timeout=window)
            # The degrading cache answers False when Redis is down as when the key exists: only
            # its open circuit tells the two apart.
            down = not added and getattr(cache, "degraded", False)
        except Exception:
            logger.warning("view window unavailable", exc_info=True)
            added, down = False, True
        if down:
            # Redis is down: this process keeps the reader's window itself, and the database
            # counts the view (a reader served by two processes may count twice meanwhile).
            added = _local_windows.get(key, None) is None
            if added:
                _local_windows.set(key, None, True, window)
        countable = added
    return ViewCount(_count_in_database(pk, countable))


def _count_in_database(pk: int, countable: bool) -> int | None:
    table = connection.ops.quote_name(Announcement._meta.db_table)
    with connection.cursor() as cursor:
        if countable:
            cursor.execute(
                f"UPDATE {table} SET view_count = view_count + 1 WHERE id = %s RETURNING view_count", [pk]
            )
        else:
            cursor.execute(f"SELECT view_count FROM {table} WHERE id = %s", [pk])
        row = cursor.fetchone()
    return row[0] if row else None


def _count_in_redis(client, pk: int, window_key: str | None, window: int) -> ViewCount:
    keys = [cache.make_key(TOTALS), cache.make_key(PENDING)]
    counts = window_key is not None and window > 0 and _claimed_windows.get(window_key, 0) is None
    if not counts:
        known = _known_totals.get((keys[0], pk), 0)
        if known is not None:
            return ViewCount(known)
    script = _scripts.get(id(client))
    if script is None:
        script = _scripts[id(client)] = client.register_script(COUNT_SCRIPT)
    claim = [window_key, window] if counts else [keys[0], 0]
    total, step, window_left = script(keys=[*keys, claim[0]], args=[pk, claim[1], -1])
    if total < 0:
        stored = Announcement.objects.filter(pk=pk).values_list("view_count", flat=True).first()
        if stored is None:
            return ViewCount(None)
        pending = int(client.hget(keys[1], pk) or 0)
        client.hsetnx(keys[0], pk, stored + pending)
        total, step, _ = script(keys=[*keys, claim[0]], args=[pk, 0, step])
    if window_left > 0:
        _claimed_windows.set(window_key, 0, True, window_left / 1000)
    seconds = getattr(settings, "PUBLIC_VIEW_TOTAL_SECONDS", 1.0)
    if seconds > 0:
        _known_totals.set((keys[0], pk), 0, int(total), seconds)
    return ViewCount(int(total), bool(step))


def view_counts_flush() -> int:
    """Move the view counts pending in Redis into Announcement.view_count; returns how many
    notices changed. Side effects: one UPDATE per notice in one transaction; on a database error
    the counts go back to Redis for the next flush. Nothing to do without Redis."""
    client = _redis()
    if client is None:
        return 0
    pending = cache.make_key(PENDING)
    batch = f"{pending}:flushing:{uuid.uuid4().hex}"
    try:
        client.rename(pending, batch)
    except Exception:  # nothing pending (RENAME of a missing key fails)
        return 0
    counts = {int(pk): int(n) for pk, n in client.hgetall(batch).items() if int(n)}
    try:
        with transaction.atomic():
            for pk, n in sorted(counts.items()):
                Announcement.objects.filter(pk=pk).update(view_count=F("view_count") + n)
    except Exception:
        for pk, n in counts.items():
            client.hincrby(pending, pk, n)
        client.delete(batch)
        raise
    client.delete(batch)
    return len(counts)
