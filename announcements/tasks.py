"""The announcements app's tasks, on Django's task queue: the scheduled publication (cron only
enqueues it), the re-flagging after a policy rule changed, and the Excel import of a draft's rows
(queued by `imports.rows_import_start`)."""

import logging

from django.conf import settings
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reservations import excel

from .enums import ImportState
from .models import RowsImport
from .services import DraftingError, announcement_rows_import
from .workflow import publish_due, publish_due_held

logger = logging.getLogger(__name__)

# The error table of an import keeps this many rows; `error_count` says how many there were in all.
MAX_STORED_ERRORS = 1000


@task
def publish_due_task() -> list[str]:
    """定时发布: publish the approved notices whose time has come. Idempotent and safe with two
    workers: each publication is a conditional update (see `publish_due`)."""
    lines = [f"published {a.public_id} {a.title}" for a in publish_due()]
    count = len(lines)
    for held in publish_due_held():
        logger.warning("scheduled notice %s held: its district files units to the department only", held.pk)
        lines.append(f"held {held.pk} {held.title} (files to the department only)")
    return [*lines, f"{count} published"]


def reports_open_to_rules():
    """The reports whose flags follow the rules in force: every report but those of a notice
    approved by finance, published or revoked (their text and flags are frozen as approved)."""
    from reservations.models import Report

    from .rules import frozen_filter

    return (
        Report.objects.exclude(frozen_filter("announcement__"))
        .select_related("institution__district")
        .prefetch_related("rows")
    )


@task
def policy_flags_refresh_task() -> str:
    """A policy rule was saved or deleted in the admin: recompute the stored shortfall flags
    (`small_micro_below`, `needs_explanation`) that oversight and the lists read, for every report
    not frozen yet. Idempotent."""
    from reservations.services import report_flags_refresh

    reports = list(reports_open_to_rules())
    changed = sum(report_flags_refresh(report=report) for report in reports)
    return f"{changed} of {len(reports)} reports re-flagged"


def on_policy_rule_changed(sender, **kwargs) -> None:
    """post_save / post_delete of reservations.PolicyRule: re-flag after the commit, on the queue.
    Rows loaded as they are (loaddata, import_dataset: `raw`) carry their reports' flags already."""
    from django.db import transaction

    if kwargs.get("raw"):
        return

    transaction.on_commit(policy_flags_refresh_task.enqueue)


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
