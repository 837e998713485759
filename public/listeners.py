"""The public site's listener of the workflow: a publication or revocation refreshes the notice's
search fields, invalidates every cached public page at once and enqueues the rebuild of the
bulk files and the cleanup of filtered files (connected in PublicConfig.ready)."""

from announcements.enums import State
from certificates.sealing import sealing_configured

from .cache import bump_public_cache, mark_publication_changed
from .services import announcement_search_fields_fill
from .tasks import bulk_files_rebuild_task, filtered_downloads_cleanup_task, notice_seal_task


def publication_changed(announcement) -> None:
    """A notice was published or revoked: fill its search fields (one row, whatever the state
    the caller's copy shows: a revoked notice leaves the list by its state, not by its search
    text), invalidate every cached public page (list, feed, API, OCDS, sitemap) at once, and
    let the task queue rebuild the bulk files (coalesced: see public.bulk) and delete the filtered
    workbooks of the previous state (public.filtered)."""
    announcement_search_fields_fill(announcement=announcement)
    bump_public_cache()
    mark_publication_changed()
    bulk_files_rebuild_task.enqueue()
    filtered_downloads_cleanup_task.enqueue()


def on_notice_transitioned(sender, *, announcement, to_state, **kwargs) -> None:
    """Listener of announcements.signals.notice_transitioned (connected in PublicConfig.ready)."""
    if to_state in (State.PUBLISHED, State.REVOKED):
        publication_changed(announcement)


def on_notice_published_seal(sender, *, announcement, to_state, **kwargs) -> None:
    """A publication enqueues its sealed PDF (public.sealing); connected on its own, so that a
    failure here never keeps the search fields and caches from being refreshed."""
    if to_state == State.PUBLISHED and sealing_configured():
        notice_seal_task.enqueue(public_id=announcement.public_id)
