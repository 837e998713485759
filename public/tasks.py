"""The public site's slow work, on Django's task queue (settings.TASKS; `manage.py db_worker`).
Every public task lives here; the modules that decide to enqueue one (public.listeners,
public.downloads, the detail view through view_counts_flush_schedule) import it from here, and
the work itself stays in the module that owns it.

Each task is idempotent: run twice, or by two workers at once, it leaves the same result."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.tasks import task
from django.utils import timezone

from announcements.enums import State
from announcements.models import Announcement

from .bulk import bulk_files_rebuild
from .cache import bump_public_cache
from .filtered import filtered_download_build, filtered_downloads_cleanup
from .services import FLUSH_SCHEDULED, announcement_search_fields_fill, view_counts_flush

logger = logging.getLogger(__name__)


@task
def bulk_files_rebuild_task() -> str:
    """Rebuild rows.csv / rows.xlsx (and the per-year files) unless they are current."""
    return bulk_files_rebuild()["token"]


@task
def filtered_download_build_task(*, key: str) -> int:
    """Build one requested filtered file (see filtered_download_build); returns its rows."""
    download = filtered_download_build(key=key)
    return download.rows if download is not None else 0


@task
def filtered_downloads_cleanup_task() -> int:
    """Delete the filtered files of an earlier publication state (after a publication: the
    stamp has changed for certain, so without the grace time)."""
    return filtered_downloads_cleanup(grace_seconds=0)


@task
def view_counts_flush_task() -> int:
    """Move the view counts waiting in Redis into the database (queued by the first counted view
    of a minute)."""
    return view_counts_flush()


@task
def search_fields_refresh_task(*, refill_all: bool = False) -> int:
    """Fill the search fields of published notices that lack them (all of them with
    `refill_all`), then invalidate the public cache; returns how many. Idempotent."""
    notices = Announcement.objects.filter(state=State.PUBLISHED).select_related("institution", "report")
    if not refill_all:
        notices = notices.filter(search_text="")
    count = 0
    for notice in notices.iterator(chunk_size=500):
        announcement_search_fields_fill(announcement=notice)
        count += 1
    bump_public_cache()
    return count


@task
def notice_seal_task(*, public_id: str, attempt: int = 1) -> str | None:
    """Make the sealed PDF of a published notice (public.sealing.notice_seal); returns its
    storage name, None when the notice is not published or no seal is configured for its
    district. A failure (the renderer, the storage, the key) is tried again after
    NOTICE_SEAL_RETRY_SECONDS × 2^(attempt-1), up to NOTICE_SEAL_ATTEMPTS; then it is logged as
    an error and raised. Idempotent: an existing PDF is kept as it is."""
    from certificates.sealing import SealUnavailable

    from .sealing import notice_seal

    try:
        return notice_seal(public_id=public_id)
    except SealUnavailable as error:
        logger.info("Notice %s not sealed: %s", public_id, error)
        return None
    except Exception:
        if attempt >= settings.NOTICE_SEAL_ATTEMPTS:
            logger.error("Notice %s not sealed after %s attempts", public_id, attempt, exc_info=True)
            raise
        logger.warning(
            "Sealing notice %s failed (attempt %s); trying again", public_id, attempt, exc_info=True
        )
        retry = notice_seal_task
        if retry.get_backend().supports_defer:
            delay = timedelta(seconds=settings.NOTICE_SEAL_RETRY_SECONDS * 2 ** (attempt - 1))
            retry = retry.using(run_after=timezone.now() + delay)
        retry.enqueue(public_id=public_id, attempt=attempt + 1)
        return None


def view_counts_flush_schedule() -> None:
    """Enqueue the flush of the counts waiting in Redis, once per PUBLIC_VIEW_FLUSH_SECONDS
    (a flag in the cache says one is on its way)."""
    seconds = getattr(settings, "PUBLIC_VIEW_FLUSH_SECONDS", 60)
    try:
        if not cache.add(FLUSH_SCHEDULED, 1, timeout=seconds):
            return
    except Exception:  # the flag cannot be set: the next view tries again
        logger.warning("could not schedule the view-count flush", exc_info=True)
        return
    try:
        if view_counts_flush_task.get_backend().supports_defer and seconds > 0:
            run_after = timezone.now() + timedelta(seconds=seconds)
            view_counts_flush_task.using(run_after=run_after).enqueue()
        else:
            view_counts_flush_task.enqueue()
    except Exception:  # the queue is unavailable: the counts wait in Redis for the next view
        cache.delete(FLUSH_SCHEDULED)
        logger.warning("could not schedule the view-count flush", exc_info=True)
