"""The public site's slow work, on Django's task queue (settings.TASKS; `manage.py db_worker`).

Each task is idempotent: run twice, or by two workers at once, it leaves the same result."""

from django.tasks import task

from announcements.models import Announcement

from .bulk import bulk_files_rebuild
from .cache import bump_public_cache


@task
def bulk_files_rebuild_task() -> str:
    """Rebuild rows.csv / rows.xlsx (and the per-year files) unless they are current."""
    return bulk_files_rebuild()["token"]


@task
def search_fields_refresh_task(*, announcement_id: int) -> bool:
    """Fill the search fields of one notice (after its publication or revocation)."""
    from .services import announcement_search_fields_fill

    announcement = (
        Announcement.objects.select_related("institution", "report").filter(pk=announcement_id).first()
    )
    if announcement is None:
        return False
    announcement_search_fields_fill(announcement=announcement)
    # Keyword results cached before the fill would miss the notice until the next publication.
    bump_public_cache()
    return True
