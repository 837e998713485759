"""Filtered downloads (.xlsx and CSV): built by a task, never in a request, since a file of every
matching row can take seconds or minutes to write.

A download of the published rows filtered by more than the year (keyword, region, dates) is
keyed by the filter's canonical values, its format and the publication stamp (public.bulk):
the first
request records a FilteredDownload and enqueues `public.tasks.filtered_download_build_task`
(public.downloads: the request side), and answers a
page that reloads itself; the task writes the file through the storage API; from then on it is
served as it is, with ETag and Last-Modified, like the bulk files. (A CSV streamed in the request
took 3-4 s for one district at 100,000 notices, and a filter matching everything a minute.)

- Deduplicated by the key's unique constraint: two requests for one filter enqueue one task.
- Bounded: at most FILTERED_XLSX_MAX_PENDING builds wait at once, FILTERED_XLSX_MAX_PENDING_PER_CLIENT
  of one client, and one client asks for at most FILTERED_XLSX_MAX_PER_CLIENT_HOUR new files an
  hour; beyond that a request enqueues nothing and answers 503, so a stream of distinct keywords
  cannot flood the queue nor one visitor keep everyone else's downloads waiting. A build that
  fails deletes its row: it never counts against the caps.
- A build whose task was lost (queue emptied, task failed) is enqueued again by the first
  request after FILTERED_XLSX_RETRY_SECONDS.
- A publication or revocation changes the stamp, hence every key: a stale file is never served
  (the request reads the stamp through the page cache, whose version the publication bumps);
  `filtered_downloads_cleanup` (after each publication and each build) deletes rows of another
  stamp or older than FILTERED_XLSX_KEEP_HOURS, and their files.

Rows are read and written on the primary database: a download request may be routed to the
replica, which would not see the row that the previous request has just inserted.
"""

import hashlib
import json
import logging
import tempfile
from datetime import date, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Q
from django.utils import timezone, translation

from announcements.selectors import announcements_published

from . import bulk
from .cache import versioned_get, versioned_set
from .formats import DOWNLOADS
from .formats.rows import published_rows
from .models import FilteredDownload
from .search import PublicNoticeFilter, split_terms

logger = logging.getLogger(__name__)

FILTERED_DIR = f"{bulk.BULK_DIR}/filtered"
FILTER_NAMES = ("q", "district", "year", "date_from", "date_to")
DB = DEFAULT_DB_ALIAS


class FilteredDownloadsBusy(Exception):
    """Too many filtered files are waiting for a worker: nothing was enqueued."""


def _setting(name: str, default: int) -> int:
    return getattr(settings, name, default)


def filter_params(cleaned: dict) -> dict[str, str]:
    """The filter's cleaned values as strings (a region by its code, dates in ISO form), the
    empty ones left out: what a build re-applies, and what the key is made of."""
    params = {}
    for name in FILTER_NAMES:
        value = cleaned.get(name)
        if value is None or value == "":
            continue
        if name == "district":
            value = value.code
        elif isinstance(value, date):
            value = value.isoformat()
        params[name] = str(value)
    return params


def download_key(params: dict[str, str], stamp: str, ext: str = "xlsx") -> str:
    """Equal for two filters that select the same rows in the same publication state: the
    keyword counts by its search terms (case, full-width forms and repeats do not matter)."""
    canonical = dict(params)
    if "q" in canonical:
        canonical["q"] = " ".join(split_terms(canonical["q"]))
    text = json.dumps([canonical, ext, stamp], sort_keys=True, ensure_ascii=False)
    return hashlib.blake2s(text.encode(), digest_size=32).hexdigest()


def current_stamp() -> str:
    """The publication stamp through the page cache: its version changes with every publication
    and revocation, as the stamp does, so a request pays one cache round trip instead of two
    aggregates over every notice (about 0.2 s at 100,000). The cache down: computed each time."""
    version, stamp = versioned_get("publication-stamp")
    if stamp is None:
        stamp = bulk.publication_stamp()
        versioned_set("publication-stamp", version=version, value=stamp)
    return stamp


def filtered_download_forget(download: FilteredDownload) -> None:
    """Drop a row whose file has gone (deleted by a cleanup that raced the request, or lost
    from the storage): the next request enqueues a new build."""
    FilteredDownload.objects.using(DB).filter(pk=download.pk, built_at=download.built_at).delete()


class _Counted:
    def __init__(self, rows):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def filtered_download_build(*, key: str) -> FilteredDownload | None:
    """Build the file of one requested filter unless it is built already (idempotent; two
    workers at once: the second's file is deleted, the first's is kept). Side effects: a file
    under bulk/filtered/, the row marked built, then the cleanup of stale rows and files."""
    rows = FilteredDownload.objects.using(DB)
    download = rows.filter(key=key).first()
    if download is None or download.built_at is not None:
        return download
    filterset = PublicNoticeFilter(download.params, queryset=announcements_published())
    if not filterset.is_valid():  # only valid values are ever stored; a guard, not a path
        rows.filter(pk=download.pk).delete()
        return None
    counted = _Counted(published_rows(filterset.qs))
    write = DOWNLOADS[download.ext].write
    try:
        with translation.override(settings.LANGUAGE_CODE), tempfile.TemporaryFile() as spool:
            write(counted, spool)
            saved = bulk._save(f"{FILTERED_DIR}/{key}.{download.ext}", spool)
    except Exception:
        # A failed build must not stay pending: it would count against the caps until the retry
        # time and be enqueued again to fail again. The next request for it starts afresh.
        rows.filter(pk=download.pk, built_at=None).delete()
        raise
    built = rows.filter(pk=download.pk, built_at=None).update(
        built_at=timezone.now(), rows=counted.count, **saved
    )
    if not built:  # another worker finished first, or a cleanup dropped the row
        _delete_file(saved["path"])
    filtered_downloads_cleanup()
    return rows.filter(pk=download.pk).first()


def _delete_file(path: str) -> None:
    try:
        default_storage.delete(path)
    except OSError:  # already gone
        pass


def filtered_downloads_cleanup(*, grace_seconds: int | None = None, orphan_minutes: int = 60) -> int:
    """Delete, with their files, the rows older than FILTERED_XLSX_KEEP_HOURS and those of
    another publication stamp requested more than `grace_seconds` ago (default
    FILTERED_XLSX_RETRY_SECONDS: a request may have keyed its row with a stamp a moment old, from
    the cache or a lagging replica, and its build must not delete it at once); then the files
    under bulk/filtered/ that no row names (a worker killed between saving and recording) once
    they are `orphan_minutes` old. Returns how many rows went."""
    now = timezone.now()
    keep = now - timedelta(hours=_setting("FILTERED_XLSX_KEEP_HOURS", 24))
    if grace_seconds is None:
        grace_seconds = _setting("FILTERED_XLSX_RETRY_SECONDS", 600)
    stale = ~Q(stamp=bulk.publication_stamp()) & Q(requested_at__lte=now - timedelta(seconds=grace_seconds))
    rows = FilteredDownload.objects.using(DB)
    deleted = 0
    for pk, path in rows.filter(stale | Q(requested_at__lt=keep)).values_list("pk", "path"):
        if path:
            _delete_file(path)
        deleted += rows.filter(pk=pk).delete()[0]
    try:
        names = default_storage.listdir(FILTERED_DIR)[1]
    except (FileNotFoundError, NotImplementedError, OSError):
        return deleted
    known = set(rows.exclude(path="").values_list("path", flat=True))
    for name in names:
        path = f"{FILTERED_DIR}/{name}"
        if path in known:
            continue
        try:
            old = default_storage.get_modified_time(path) < now - timedelta(minutes=orphan_minutes)
        except (NotImplementedError, OSError):
            continue
        if old and not rows.filter(path=path).exists():  # not recorded since the listing
            _delete_file(path)
    return deleted
