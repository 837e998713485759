"""The review workflow: one table of actions and one gateway that writes the state.

草稿 --提交--> 采购人初审 --通过--> 财政审核 --通过--> 已发布 --撤回发布--> 已撤回发布
both reviews may 退回 (with a reason) to 草稿; the submitter may 撤回 from 采购人初审.

`apply_action` is the only code that changes `Announcement.state` (besides `publish_due`, the
scheduled publication that a finance approval set up). `available_actions` feeds both the
buttons and the POST check, and `awaits_user` (我的待办) is derived from the same table, so the
three cannot drift. No `force` parameter anywhere. After a commit the workflow announces the
transition (announcements.signals); it imports none of its listeners.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.enums import Perm, UnitPublishing
from accounts.rules import user_holds
from reservations.services import report_submit_problems

from .department import department_submit_problems
from .enums import Action, Kind, PublishMode, State
from .models import Announcement, FlowLogEntry
from .rendering import render_announcement
from .rules import Scope, in_scope, is_frozen, scope_filter
from .signals import announce_transition

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Guard:
    """A condition on the actor beyond position and scope, written once in both of the forms the
    workflow needs: for one notice (the buttons, the POST check) and as a filter (我的待办)."""

    refusal: str
    allows: Callable[[Announcement, object], bool]
    as_q: Callable[[object], Q]


SUBMITTER_ONLY = Guard(
    _("Only the submitter can withdraw the notice."),
    lambda announcement, user: announcement.submitted_by_id == user.pk,
    lambda user: Q(submitted_by_id=user.pk),
)
# Separation of duties: nobody approves what they submitted themselves.
NOT_THE_SUBMITTER = Guard(
    _("You submitted this notice, so another reviewer must approve it."),
    lambda announcement, user: announcement.submitted_by_id != user.pk,
    lambda user: ~Q(submitted_by_id=user.pk),
)
NOT_YET_APPROVED = Guard(
    _("This notice is already approved and waits for its publication time."),
    lambda announcement, user: announcement.approved_at is None,
    lambda user: Q(approved_at__isnull=True),
)

# Where the district's finance bureau set 'file to the department only' (domain.md §11), a
# subordinate unit's notice passes 采购人初审 and is then carried by its department's notice:
# finance may return it, but never publishes it on its own.
FILES_TO_DEPARTMENT_Q = Q(
    institution__competent_unit__isnull=False, district__unit_publishing=UnitPublishing.DEPARTMENT
)
PUBLISHES_ON_ITS_OWN = Guard(
    _(
        "In this district subordinate units file to their department only: "
        "the department notice publishes this data."
    ),
    lambda announcement, user: (
        not (
            announcement.institution.competent_unit_id is not None
            and announcement.district.unit_publishing == UnitPublishing.DEPARTMENT
        )
    ),
    lambda user: ~FILES_TO_DEPARTMENT_Q,
)


@dataclass(frozen=True)
class Transition:
    action: Action
    label: str  # the button
    log_label: str  # the 流转日志 operation
    from_states: tuple[State, ...]
    to_state: State
    perm: Perm
    scope: Scope
    reason_required: bool = False
    style: str = ""  # the button's CSS class
    guards: tuple[Guard, ...] = ()
    # Work waiting for the actor (我的待办). Returning is the alternative to approving the same
    # notice, withdrawing and revoking are possible but nobody waits for them.
    waits: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            Action.SUBMIT,
            pgettext_lazy("workflow", "Submit"),
            pgettext_lazy("workflow", "Submit"),
            (State.DRAFT,),
            State.PURCHASER_REVIEW,
            Perm.SUBMIT_NOTICE,
            Scope.INSTITUTION,
            style="primary",
            waits=True,
        ),
        Transition(
            Action.WITHDRAW,
            pgettext_lazy("workflow", "Withdraw"),
            pgettext_lazy("workflow", "Withdraw"),
            (State.PURCHASER_REVIEW,),
            State.DRAFT,
            Perm.SUBMIT_NOTICE,
            Scope.INSTITUTION,
            guards=(SUBMITTER_ONLY,),
        ),
        Transition(
            Action.PURCHASER_APPROVE,
            pgettext_lazy("workflow", "Approve"),
            _("Approve [purchaser review]"),
            (State.PURCHASER_REVIEW,),
            State.FINANCE_REVIEW,
            Perm.PURCHASER_REVIEW,
            Scope.INSTITUTION,
            style="primary",
            guards=(NOT_THE_SUBMITTER,),
            waits=True,
        ),
        Transition(
            Action.PURCHASER_RETURN,
            pgettext_lazy("workflow", "Return"),
            _("Return [purchaser review]"),
            (State.PURCHASER_REVIEW,),
            State.DRAFT,
            Perm.PURCHASER_REVIEW,
            Scope.INSTITUTION,
            reason_required=True,
            style="danger",
        ),
        Transition(
            Action.FINANCE_APPROVE,
            pgettext_lazy("workflow", "Approve"),
            _("Approve [finance review]"),
            (State.FINANCE_REVIEW,),
            State.PUBLISHED,
            Perm.FINANCE_REVIEW,
            Scope.DISTRICT,
            style="primary",
            guards=(NOT_YET_APPROVED, PUBLISHES_ON_ITS_OWN),
            waits=True,
        ),
        Transition(
            Action.FINANCE_RETURN,
            pgettext_lazy("workflow", "Return"),
            _("Return [finance review]"),
            (State.FINANCE_REVIEW,),
            State.DRAFT,
            Perm.FINANCE_REVIEW,
            Scope.DISTRICT,
            reason_required=True,
            style="danger",
        ),
        Transition(
            Action.REVOKE,
            _("Revoke publication"),
            _("Revoke publication"),
            (State.PUBLISHED,),
            State.REVOKED,
            Perm.FINANCE_REVIEW,
            Scope.DISTRICT,
            reason_required=True,
            style="danger",
        ),
    )
}

LOG_LABELS = {t.action.value: t.log_label for t in TRANSITIONS.values()} | {
    Action.SCHEDULED_PUBLISH.value: _("Scheduled publication"),
}


class WorkflowError(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class ActionRefused(WorkflowError):
    """The user may not take this action now; nothing was changed."""


class ActionConflict(WorkflowError):
    """Someone else changed the notice first; nothing was changed."""

    def __init__(self, message=None):
        super().__init__(message or _("This notice has already been handled by someone else."))


# --- who may act -------------------------------------------------------------------------


def is_awaiting_schedule(announcement) -> bool:
    """Approved by finance with 定时发布: waiting for `publish_scheduled`, nothing left to review."""
    return announcement.state == State.FINANCE_REVIEW and is_frozen(announcement)


def _refusal(transition: Transition, announcement, user) -> str | None:
    """Why `user` may not take `transition` on `announcement` now, or None when allowed."""
    if announcement.state not in transition.from_states:
        return _("This action is not possible in the notice's current state.")
    if not user_holds(user, transition.perm) or not in_scope(user, announcement, transition.scope):
        return _("You may not take this action on this notice.")
    for guard in transition.guards:
        if not guard.allows(announcement, user):
            return guard.refusal
    return None


def available_actions(announcement, user) -> list[Transition]:
    """The actions `user` may take on `announcement` now: the buttons and the POST check."""
    return [t for t in TRANSITIONS.values() if _refusal(t, announcement, user) is None]


def awaiting_filter(user) -> Q:
    """我的待办 as a filter: notices on which `user` has an action that is work waiting for them.
    The same table, positions, scopes and guards as `available_actions` (a test compares the
    two for every state and role)."""
    waiting = Q(pk__in=[])
    for transition in TRANSITIONS.values():
        if not transition.waits or not user_holds(user, transition.perm):
            continue
        scope = scope_filter(user, transition.scope)
        if scope is None:
            continue
        condition = Q(state__in=transition.from_states) & scope
        for guard in transition.guards:
            condition &= guard.as_q(user)
        waiting |= condition
    return waiting


def submit_problems(announcement) -> list[str]:
    """Reasons to refuse a submit: the report's checks, or an empty manual notice."""
    if announcement.kind == Kind.DEPARTMENT and announcement.report_id is not None:
        problems = department_submit_problems(announcement=announcement)
        return problems or [str(p) for p in report_submit_problems(report=announcement.report)]
    if announcement.report_id is not None:
        return [str(p) for p in report_submit_problems(report=announcement.report)]
    if announcement.kind == Kind.SME_RESERVATION:
        return [str(_("The notice has no reserved-project rows."))]
    if not announcement.body_html.strip():
        return [str(_("The notice has no text."))]
    return []


# --- the gateway ---------------------------------------------------------------------------


def _money(value) -> str | None:
    return None if value is None else str(value)


def snapshot_of(announcement, *, with_rows: bool = False, rows=None, attachments=None) -> dict:
    """Title, institution and totals as they are now; the rows too at a submit (for the diff).
    `rows` and `attachments` (already read) spare the queries, for bulk writers."""
    report = announcement.report if announcement.report_id else None
    data = {
        "title": announcement.title,
        "institution": announcement.institution.name,
        "institution_id": announcement.institution_id,
        "district": announcement.district.name,
        "year": announcement.year,
        "version": announcement.version,
        "sme_total": _money(report.sme_total) if report else None,
        "small_micro_total": _money(report.small_micro_total) if report else None,
    }
    if with_rows:
        # Everything a reviewer may want compared after a return (announcements.diff).
        data["publish_mode"] = announcement.publish_mode
        data["scheduled_at"] = announcement.scheduled_at.isoformat() if announcement.scheduled_at else None
        if attachments is None:
            attachments = announcement.attachments.order_by("id")
        data["attachments"] = [{"id": a.pk, "name": a.original_name, "size": a.size} for a in attachments]
    if with_rows and report is not None:
        data["explanation"] = report.explanation
        data["competent_unit_name"] = report.competent_unit_name
        data["rows"] = [
            {
                "id": row.pk,
                "name": row.name,
                "code": row.code,
                "category": row.category,
                "option": row.option,
                "ratio": _money(row.ratio),
                "budget_amount": _money(row.budget_amount),
                "sme_amount": _money(row.sme_amount),
                "small_micro_amount": _money(row.small_micro_amount),
                "contract_url": row.contract_url,
                "procurement_date": row.procurement_date.isoformat() if row.procurement_date else None,
            }
            for row in (report.rows.order_by("position", "id") if rows is None else rows)
        ]
    return data


def apply_action(*, announcement: Announcement, action: str, actor, comment: str = "") -> FlowLogEntry:
    """Take `action` on `announcement` as `actor`: the only writer of the state.

    In one transaction: checks permission, scope and separation of duties; runs the submit
    checks; updates the row only if it is still in the state (and version) the caller saw —
    zero rows means someone else acted first and raises `ActionConflict`; appends a
    `FlowLogEntry` with a snapshot. After commit it announces the transition
    (announcements.signals.notice_transitioned: notifications, the public site). Raises
    `ActionRefused` (nothing changed) when the action is not allowed.
    """
    transition = TRANSITIONS.get(str(action))
    if transition is None:
        raise ActionRefused(_("Unknown action."))
    comment = (comment or "").strip()
    refusal = _refusal(transition, announcement, actor)
    if refusal:
        raise ActionRefused(refusal)
    if transition.reason_required and not comment:
        raise ActionRefused(_("Please give a reason."))

    with transaction.atomic():
        if transition.action == Action.SUBMIT:
            problems = submit_problems(announcement)
            if problems:
                raise ActionRefused(" ".join(problems))
        now = timezone.now()
        to_state = transition.to_state
        changes: dict = {}
        match transition.action:
            case Action.SUBMIT:
                changes = {"submitted_by": actor, "submitted_at": now, "return_reason": ""}
            case Action.PURCHASER_RETURN | Action.FINANCE_RETURN:
                # A return also cancels a scheduled publication that finance had approved.
                changes = {"return_reason": comment, "approved_at": None, "published_html": ""}
            case Action.FINANCE_APPROVE:
                scheduled = announcement.publish_mode == PublishMode.SCHEDULED and announcement.scheduled_at
                later = bool(scheduled and announcement.scheduled_at > now)
                # The notice's date line is its publication date, so render as of then.
                announcement.published_at = announcement.scheduled_at if later else now
                # Frozen now: the published text is exactly what the finance reviewer saw.
                changes = {"approved_at": now, "published_html": str(render_announcement(announcement))}
                if later:
                    to_state = State.FINANCE_REVIEW
                else:
                    changes["published_at"] = now
            case Action.REVOKE:
                changes = {"revoked_at": now, "revoke_reason": comment}
        expected = Announcement.objects.filter(
            pk=announcement.pk, state=announcement.state, version=announcement.version
        )
        if transition.action == Action.FINANCE_APPROVE:
            expected = expected.filter(approved_at__isnull=True)
        # Every transition bumps the version, so an edit form opened before it is stale.
        changed = expected.update(state=to_state, version=F("version") + 1, updated_at=now, **changes)
        if changed == 0:
            raise ActionConflict()
        from_state = announcement.state
        announcement.refresh_from_db()
        entry = FlowLogEntry.objects.create(
            announcement=announcement,
            actor=actor,
            action=transition.action.value,
            from_state=from_state,
            to_state=to_state,
            reason=comment,
            snapshot=snapshot_of(announcement, with_rows=transition.action == Action.SUBMIT),
        )
        _after_commit(announcement, entry)
    return entry


def publish_due(*, now: datetime | None = None) -> list[Announcement]:
    """Publish approved notices whose 定时发布 time has come (run by cron: `publish_scheduled`).

    Each publication is a conditional update, so two servers running this at once publish
    every notice once: the loser's update changes zero rows and writes no log row.
    Side effects as `apply_action`'s finance approval: a log row, then the announcement.
    """
    now = now or timezone.now()
    due = Announcement.objects.filter(
        state=State.FINANCE_REVIEW, approved_at__isnull=False, scheduled_at__lte=now
    ).values_list("pk", flat=True)
    published = []
    for pk in list(due):
        with transaction.atomic():
            changed = Announcement.objects.filter(
                pk=pk, state=State.FINANCE_REVIEW, approved_at__isnull=False
            ).update(state=State.PUBLISHED, published_at=now, version=F("version") + 1, updated_at=now)
            if not changed:
                continue
            announcement = Announcement.objects.select_related("institution", "district", "report").get(pk=pk)
            entry = FlowLogEntry.objects.create(
                announcement=announcement,
                actor=None,
                action=Action.SCHEDULED_PUBLISH.value,
                from_state=State.FINANCE_REVIEW,
                to_state=State.PUBLISHED,
                snapshot=snapshot_of(announcement),
            )
            _after_commit(announcement, entry)
            published.append(announcement)
    return published


def _after_commit(announcement, entry) -> None:
    transaction.on_commit(lambda: announce_transition(announcement=announcement, entry=entry))
