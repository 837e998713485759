"""What a request for a filtered download does (public.filtered builds the files): find the
file of its filter for the current publication state, or record the request and enqueue one
build on the task queue. Kept apart from the builds so that the tasks (public.tasks) can call
the builds while this module enqueues the tasks."""

import logging
from datetime import timedelta

from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from .filtered import DB, FilteredDownloadsBusy, _setting, current_stamp, download_key
from .models import FilteredDownload
from .tasks import filtered_download_build_task

logger = logging.getLogger(__name__)


def _enqueue(download: FilteredDownload) -> None:
    # Under the immediate backend (tests) the build runs here; the caller reads the row again.
    filtered_download_build_task.enqueue(key=download.key)


# One number for the advisory lock that serialises the cap check and the insert (PostgreSQL):
# without it thirty requests at once each counted nineteen pending builds and all inserted.
CAP_LOCK = 0x5F11_7E12


def _serialise_caps() -> None:
    connection = connections[DB]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CAP_LOCK])
    # SQLite runs one writer at a time; the caps there are as exact as its one process needs.


def _over_cap(rows, *, client: str, now) -> bool:
    retry = now - timedelta(seconds=_setting("FILTERED_XLSX_RETRY_SECONDS", 600))
    pending = rows.filter(built_at=None, requested_at__gte=retry)
    if pending.count() >= _setting("FILTERED_XLSX_MAX_PENDING", 20):
        return True
    if not client:
        return False
    if pending.filter(client=client).count() >= _setting("FILTERED_XLSX_MAX_PENDING_PER_CLIENT", 3):
        return True
    hour = now - timedelta(hours=1)
    recent = rows.filter(client=client, requested_at__gte=hour).count()
    return recent >= _setting("FILTERED_XLSX_MAX_PER_CLIENT_HOUR", 30)


def filtered_download_request(
    *, params: dict[str, str], ext: str = "xlsx", client: str = ""
) -> FilteredDownload:
    """The file (`ext`: xlsx or csv) of these filter values for the current publication state,
    built or on its way. Never builds it. Side effects: the first request for a key inserts its
    row and enqueues one build; a build pending longer than FILTERED_XLSX_RETRY_SECONDS is
    enqueued again (by one request: a conditional update). Raises FilteredDownloadsBusy instead of
    inserting when FILTERED_XLSX_MAX_PENDING builds are already waiting, or this `client`
    (accounts.network.client_key) has FILTERED_XLSX_MAX_PENDING_PER_CLIENT waiting or asked for
    FILTERED_XLSX_MAX_PER_CLIENT_HOUR new files within the hour. The check and the insert are
    one transaction under an advisory lock, so requests at once cannot all pass the check."""
    stamp = current_stamp()
    key = download_key(params, stamp, ext)
    rows = FilteredDownload.objects.using(DB)
    download = rows.filter(key=key).first()
    if download is not None and download.built_at is not None:
        return download
    now = timezone.now()
    retry = now - timedelta(seconds=_setting("FILTERED_XLSX_RETRY_SECONDS", 600))
    if download is None:
        try:
            with transaction.atomic(using=DB):
                _serialise_caps()
                download = rows.filter(key=key).first()
                if download is not None:  # another request inserted it while this one waited
                    return download
                if _over_cap(rows, client=client, now=now):
                    raise FilteredDownloadsBusy
                download = rows.create(
                    key=key, stamp=stamp, ext=ext, params=params, client=client, requested_at=now
                )
        except IntegrityError:  # another request inserted it first and enqueued the build
            return rows.filter(key=key).first() or FilteredDownload(key=key, requested_at=now)
        _enqueue(download)
    elif download.requested_at < retry:
        if rows.filter(pk=download.pk, built_at=None, requested_at=download.requested_at).update(
            requested_at=now
        ):
            logger.warning("filtered download %s: build lost, enqueued again", key)
            _enqueue(download)
    return rows.filter(pk=download.pk).first() or download
