"""Periodic work of the workflow, on Django's task queue (cron only enqueues it)."""

from django.tasks import task

from .workflow import publish_due


@task
def publish_due_task() -> list[str]:
    """定时发布: publish the approved notices whose time has come. Idempotent and safe with two
    workers: each publication is a conditional update (see `publish_due`)."""
    lines = [f"published {a.public_id} {a.title}" for a in publish_due()]
    return [*lines, f"{len(lines)} published"]


def reports_open_to_rules():
    """The reports whose flags follow the rules in force: every report but those of a notice
    approved by finance, published or revoked (their text and flags are frozen as approved)."""
    from django.db.models import Q

    from reservations.models import Report

    from .enums import State

    frozen = Q(announcement__approved_at__isnull=False) | Q(
        announcement__state__in=[State.PUBLISHED, State.REVOKED]
    )
    return Report.objects.exclude(frozen).select_related("institution__district").prefetch_related("rows")


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
