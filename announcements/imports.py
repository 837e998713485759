"""Excel import of a draft's rows as a task, with its progress.

The import page stores the uploaded file (`rows_import_start`) and queues `rows_import_task`;
the worker (`manage.py db_worker`; immediate in tests) reads and checks every row through the
row form, recording how many rows it has checked, then writes all rows in one transaction or,
when any row is wrong, nothing at all and the errors. The page polls `rows_import_status`.
"""

import logging

from django.conf import settings
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reservations import excel

from .enums import ImportState, Kind, State
from .models import Announcement, RowsImport
from .services import DraftingError, announcement_rows_import

logger = logging.getLogger(__name__)

# The error table keeps this many rows; `error_count` says how many there were in all.
MAX_STORED_ERRORS = 1000


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
        raise DraftingError(
            _("Only a draft can be changed; this notice has been submitted: nothing was saved.")
        )
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


def _record(job: RowsImport, **changes) -> None:
    # A conditional UPDATE of a few columns: the page polls this row while the worker runs.
    for name, value in changes.items():
        setattr(job, name, value)
    RowsImport.objects.filter(pk=job.pk).update(**changes)


def _finish(job: RowsImport, state: str, **changes) -> None:
    _record(job, state=state, content=b"", finished_at=timezone.now(), **changes)


@task
def rows_import_task(*, import_id: int) -> str:
    """Run one stored import. Idempotent: a finished import is left alone; one whose worker was
    killed (`requeue_stale_tasks`) starts again from its stored file. Any unexpected error marks
    it failed (nothing saved: the write is one transaction) and fails the task."""
    job = RowsImport.objects.select_related("announcement__report", "created_by").filter(pk=import_id).first()
    if job is None or job.finished:
        return "nothing to do"
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            return _run(job)
        except Exception:
            logger.exception("rows import %s failed", job.pk)
            _finish(
                job,
                ImportState.FAILED,
                message=_("The import could not be completed. Nothing was imported; try again."),
            )
            raise


def _run(job: RowsImport) -> str:
    _record(job, state=ImportState.CHECKING, done=0, total=None)

    def progress(done: int, total: int | None) -> None:
        _record(job, done=done, total=total)

    try:
        result = excel.read_content(bytes(job.content), progress=progress)
    except excel.SpreadsheetError as error:
        _finish(job, ImportState.FAILED, message=str(error))
        return "refused: " + str(error)
    checked = len(result.rows) + len({e.row for e in result.errors})
    if not result.ok:
        errors = [
            {"row": e.row, "column": e.column, "value": e.value, "message": e.message}
            for e in result.errors[:MAX_STORED_ERRORS]
        ]
        _finish(
            job,
            ImportState.FAILED,
            done=checked,
            total=checked,
            errors=errors,
            error_count=len(result.errors),
        )
        return f"refused: {len(result.errors)} errors"
    _record(job, state=ImportState.SAVING, done=checked, total=checked)
    try:
        announcement_rows_import(
            announcement=job.announcement, user=job.created_by, rows=result.rows, replace=job.replace
        )
    except DraftingError as error:
        _finish(job, ImportState.FAILED, message=str(error))
        return "refused: " + str(error)
    _finish(job, ImportState.DONE, imported=len(result.rows))
    return f"imported {len(result.rows)} rows"


def rows_import_status(*, job: RowsImport) -> dict:
    """What the import page shows and polls: the state, rows checked of how many, a sentence."""
    done, total = job.done, job.total
    if job.state == ImportState.QUEUED:
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
