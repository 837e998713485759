"""Excel import of a draft's rows as a task, with its progress.

The import page stores the uploaded file (`rows_import_start`) and queues `tasks.rows_import_task`;
the worker (`manage.py db_worker`; immediate in tests) reads and checks every row through the
row form, recording how many rows it has checked, then writes all rows in one transaction or,
when any row is wrong, nothing at all and the errors. The page polls `rows_import_status`.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reservations import excel

from .enums import ImportState, Kind, State
from .models import Announcement, RowsImport
from .services import DraftingError, NotADraft
from .tasks import rows_import_task


def rows_import_start(*, announcement: Announcement, user, upload, replace: bool) -> RowsImport:
    """Check the uploaded file as a whole (size, type), store it and queue its import.

    Side effects: a RowsImport holding the file; the task enqueued (with the immediate backend
    of the tests it has run when this returns). Raises excel.SpreadsheetError for a file that is
    not a workbook, DraftingError when the notice is no longer a draft. Nothing typed on the edit
    page is touched: the page saves before it leads here.
    """
    if announcement.kind != Kind.SME_RESERVATION:
        raise DraftingError(_("A department notice's rows come from its units: recompile instead."))
    if announcement.state != State.DRAFT:
        raise NotADraft()
    content = excel.check_file(upload)
    job = RowsImport.objects.create(
        announcement=announcement,
        created_by=user,
        file_name=(getattr(upload, "name", "") or "")[:255],
        content=content,
        replace=replace,
        language=get_language() or settings.LANGUAGE_CODE,
    )
    # Not on commit: requests are not atomic here, the record is already stored.
    rows_import_task.enqueue(import_id=job.pk)
    return job


# Reading a workbook stops at IMPORT_TIME_LIMIT_SECONDS (accounts.workbooks); an import still
# checking or saving this much later was stopped with its worker.
INTERRUPTED_AFTER_SECONDS = 120


def rows_import_interrupted(*, job: RowsImport, now=None) -> bool:
    """Whether the import was cut short (its worker killed): running for longer than reading may
    take. `requeue_stale_tasks` starts it again from its stored file."""
    if job.state not in (ImportState.CHECKING, ImportState.SAVING):
        return False
    limit = settings.IMPORT_TIME_LIMIT_SECONDS + INTERRUPTED_AFTER_SECONDS
    return job.created_at < (now or timezone.now()) - timedelta(seconds=limit)


def rows_import_status(*, job: RowsImport) -> dict:
    """What the import page shows and polls: the state, rows checked of how many, a sentence."""
    done, total = job.done, job.total
    if rows_import_interrupted(job=job):
        text = _(
            "The import was interrupted (the server restarted): it starts again by itself within half an "
            "hour, or upload the file again."
        )
    elif job.state == ImportState.QUEUED:
        text = _("Waiting for the import to start…")
    elif job.state == ImportState.CHECKING and total:
        text = _("Checking the rows: %(done)s of %(total)s checked.") % {
            "done": min(done, total),
            "total": total,
        }
    elif job.state == ImportState.CHECKING:
        text = _("Checking the rows: %(done)s checked.") % {"done": done}
    elif job.state == ImportState.SAVING:
        text = _("All %(total)s rows are correct; saving them…") % {"total": total or done}
    elif job.state == ImportState.DONE:
        text = _("%(count)s rows imported.") % {"count": job.imported}
    else:
        text = job.message or _("Nothing was imported: %(count)s errors in the file.") % {
            "count": job.error_count
        }
    return {
        "state": job.state,
        "finished": job.finished,
        "done": min(done, total) if total else done,
        "total": total,
        "text": text,
    }
