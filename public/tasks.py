"""The public site's slow work, on Django's task queue (settings.TASKS; `manage.py db_worker`).

Each task is idempotent: run twice, or by two workers at once, it leaves the same result."""

from django.tasks import task

from announcements.enums import State
from announcements.models import Announcement

from .bulk import bulk_files_rebuild_task  # noqa: F401 - the bulk-file task, listed here too
from .cache import bump_public_cache


@task
def search_fields_refresh_task(*, refill_all: bool = False) -> int:
    """Fill the search fields of published notices that lack them (all of them with
    `refill_all`), then invalidate the public cache; returns how many. Idempotent."""
    from .services import announcement_search_fields_fill

    notices = Announcement.objects.filter(state=State.PUBLISHED).select_related("institution", "report")
    if not refill_all:
        notices = notices.filter(search_text="")
    count = 0
    for notice in notices.iterator(chunk_size=500):
        announcement_search_fields_fill(announcement=notice)
        count += 1
    bump_public_cache()
    return count
