"""The review workflow: one table of actions and one gateway that writes the state.

草稿 --提交--> the institution's steps --通过--> the finance bureau's steps --通过--> 已发布
--撤回发布--> 已撤回发布. The steps are data (announcements.workflow_flows: 流程管理): each has its
people and a mode, 或审 (anyone completes it) or 会签 (everyone must approve), and may be skipped by
a condition. While a notice is at one of its institution's steps its state is 采购人初审
(PURCHASER_REVIEW), at one of the finance bureau's 财政审核 (FINANCE_REVIEW); `current_step` says
which. Any step may 退回 (with a reason) to 草稿; the submitter may 撤回 from the institution's steps.

`apply_action` is the only code that changes `Announcement.state` (besides `publish_due`, the
scheduled publication that a finance approval set up). `available_actions` feeds both the
buttons and the POST check, and `awaits_user` (我的待办) is derived from the same table, so the
three cannot drift. No `force` parameter anywhere. After a commit the workflow announces the
transition (announcements.signals); it imports none of its listeners.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.enums import Perm, UnitPublishing
from accounts.rules import user_holds, works_at_finance_bureau
from reservations.services import report_submit_problems

from . import workflow_flows as flows
from .department import department_submit_problems
from .enums import Action, Kind, PublishMode, State, StepActor, StepMode
from .models import Announcement, FlowLogEntry, FlowStep, StepApproval
from .rendering import render_announcement
from .rules import Scope, in_scope, is_frozen, scope_filter
from .signals import announce_transition

logger = logging.getLogger(__name__)

# The states in which a notice waits at a step (the institution's, the finance bureau's).
REVIEW_STATES = (State.PURCHASER_REVIEW, State.FINANCE_REVIEW)
SIDE_STATE = {flows.INSTITUTION: State.PURCHASER_REVIEW, flows.FINANCE: State.FINANCE_REVIEW}


# --- the path of a notice ----------------------------------------------------------------------


def notice_path(announcement) -> list[FlowStep]:
    """The steps of the notice in order, each with `.side`: the versions it was submitted with,
    or, before its first submission, the versions a submission would take now."""
    own, finance = announcement.flow_version_id, announcement.finance_flow_version_id
    cached = getattr(announcement, "_flow_path", None)
    if cached is not None and cached[0] == (own, finance):
        return cached[1]
    if own is None:
        version = flows.latest_version(institution=announcement.institution_id)
        own = version.pk if version else None
    if finance is None:
        version = flows.latest_version(district=announcement.district_id)
        finance = version.pk if version else None
    path = flows.steps_of_version(own, flows.INSTITUTION) + flows.steps_of_version(finance, flows.FINANCE)
    announcement._flow_path = ((announcement.flow_version_id, announcement.finance_flow_version_id), path)
    return path


def _report(announcement):
    return announcement.report if announcement.report_id else None


def applies(step, announcement) -> bool:
    return flows.condition_holds(step, _report(announcement))


def current_step(announcement) -> FlowStep | None:
    """The step the notice waits on; None outside review and once finance approved."""
    if announcement.state not in REVIEW_STATES:
        return None
    path = notice_path(announcement)
    if announcement.current_step_id is not None:
        for step in path:
            if step.pk == announcement.current_step_id:
                return step
    # A notice put under review without a recorded step (data older than flows): the default
    # step of the side its state names (the first of its recorded flow, once one is recorded).
    side = flows.INSTITUTION if announcement.state == State.PURCHASER_REVIEW else flows.FINANCE
    if announcement.flow_version_id is None:
        return flows.version_steps(None, side)[0]
    return next((step for step in path if step.side == side), None)


def _next_step(announcement, after: FlowStep | None) -> FlowStep | None:
    """The first step after `after` (from the start for None) whose condition holds."""
    path = notice_path(announcement)
    start = 0 if after is None else next(i for i, s in enumerate(path) if s is after) + 1
    return next((step for step in path[start:] if applies(step, announcement)), None)


def _scope_ids(announcement) -> dict:
    return {"institution_id": announcement.institution_id, "district_id": announcement.district_id}


def step_members(announcement, step) -> list:
    """Who may approve `step` of this notice: its holders except the submitter and, where one
    person approves at most one step, those who approved another step of this round."""
    holders = flows.step_holders(step, **_scope_ids(announcement))
    elsewhere = set()
    if announcement.state in REVIEW_STATES and getattr(step, "one_step_per_person", True):
        elsewhere = set(
            step_approvals(announcement).exclude(step_id=step.pk).values_list("user_id", flat=True)
        )
    return [u for u in holders if u.pk != announcement.submitted_by_id and u.pk not in elsewhere]


def step_approvals(announcement, step=None):
    """This review round's approvals (of `step`, when given), oldest first."""
    qs = StepApproval.objects.filter(announcement=announcement, review_round=announcement.review_round)
    if step is not None:
        qs = qs.filter(step_id=step.pk)
    return qs.select_related("user")


def _may_act_on_current(announcement, user) -> bool:
    step = current_step(announcement)
    return step is not None and flows.may_act_on(user, step, **_scope_ids(announcement))


def _steps_of_user_q(user, side: str) -> Q:
    """The notices at a step of `side` that `user` may act on, as a filter (我的待办)."""
    institution = getattr(user, "institution", None)
    if institution is None or not user.is_active or user.is_deleted:
        return Q(pk__in=[])
    if side == flows.INSTITUTION:
        if works_at_finance_bureau(user):
            return Q(pk__in=[])
        owner = {"version__flow__institution_id": institution.pk}
        scope = Q(institution_id=institution.pk)
    elif works_at_finance_bureau(user):
        owner = {"version__flow__district_id": institution.district_id}
        scope = Q(district_id=institution.district_id)
    else:
        return Q(pk__in=[])
    positions = [p for p in flows.SIDE_POSITIONS[side] if flows._holds_position(user, p)]
    mine = FlowStep.objects.filter(
        Q(actor=StepActor.POSITION, position__in=positions) | Q(actor=StepActor.NAMED, users=user), **owner
    )
    condition = Q(current_step__in=mine.values("pk"))
    # Data older than flows (no recorded step): the default step of the side, as `current_step` says.
    default = flows.version_steps(None, side)[0]
    if flows._holds_position(user, default.position):
        condition |= Q(current_step__isnull=True)
    return condition & scope


@dataclass(frozen=True)
class Guard:
    """A condition on the actor beyond position and scope, written once in both of the forms the
    workflow needs: for one notice (the buttons, the POST check) and as a filter (我的待办)."""

    refusal: str
    allows: Callable[[Announcement, object], bool]
    as_q: Callable[[object], Q]
    # A refusal that depends on the case, when one sentence does not fit all.
    why: Callable[[Announcement, object], str | None] | None = None


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


def _my_approvals(user) -> dict:
    """{(notice id, review round): step ids} of this user's approvals of notices under review, read
    once per user object (a list page asks for every row); the gateway forgets it after acting."""
    cached = getattr(user, "_step_approvals", None)
    if cached is None:
        cached = {}
        rows = StepApproval.objects.filter(user_id=user.pk, announcement__state__in=REVIEW_STATES)
        for notice_id, review_round, step_id in rows.values_list(
            "announcement_id", "review_round", "step_id"
        ):
            cached.setdefault((notice_id, review_round), set()).add(step_id)
        user._step_approvals = cached
    return cached


def _approved_here(announcement, user) -> str | None:
    mine = _my_approvals(user).get((announcement.pk, announcement.review_round), set())
    step = current_step(announcement)
    if step is not None and step.pk in mine:
        return str(_("You have already approved this step; it waits for the other members."))
    if mine and (step is None or step.one_step_per_person):
        return str(_("You approved another step of this notice; someone else must approve this one."))
    return None


def _approved_here_q(user) -> Q:
    mine = StepApproval.objects.filter(
        announcement=OuterRef("pk"), review_round=OuterRef("review_round"), user_id=user.pk
    )
    return ~Exists(mine.filter(step=OuterRef("current_step"))) & (
        Q(current_step__version__one_step_per_person=False) | ~Exists(mine)
    )


# Separation of duties: one person approves at most one step of a notice (a flow may allow more),
# and a 会签 member approves once.
ONE_APPROVAL_EACH = Guard(
    _("You have already approved this notice."),
    lambda announcement, user: _approved_here(announcement, user) is None,
    _approved_here_q,
    _approved_here,
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
    # Taken at the notice's current step by the people the flow names for it (instead of
    # `perm` and `scope`, which then only say what kind of position usually acts).
    on_step: bool = False
    approves: bool = False


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
            guards=(NOT_THE_SUBMITTER, ONE_APPROVAL_EACH),
            waits=True,
            on_step=True,
            approves=True,
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
            on_step=True,
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
            guards=(NOT_YET_APPROVED, PUBLISHES_ON_ITS_OWN, NOT_THE_SUBMITTER, ONE_APPROVAL_EACH),
            waits=True,
            on_step=True,
            approves=True,
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
            on_step=True,
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


def log_label(entry) -> str:
    """The 流转日志 operation of an entry: an approval or a return names the step it was taken at
    ("审核通过【科室负责人审核】"); entries older than flows fall back to the table's words."""
    step = (entry.snapshot or {}).get("step")
    transition = TRANSITIONS.get(entry.action)
    if step and transition is not None and transition.on_step:
        template = _("Approve [%(step)s]") if transition.approves else _("Return [%(step)s]")
        return str(template) % {"step": step}
    return str(LOG_LABELS.get(entry.action, entry.action))


def is_approval(action: str) -> bool:
    transition = TRANSITIONS.get(str(action))
    return transition is not None and transition.approves


def is_return(action: str) -> bool:
    transition = TRANSITIONS.get(str(action))
    return transition is not None and transition.on_step and not transition.approves


def return_actions() -> list[str]:
    """Every action that returns a notice to its handler (for filtering the flow log)."""
    return [name for name in TRANSITIONS if is_return(name)]


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
    if transition.on_step:
        if not _may_act_on_current(announcement, user):
            return _("You may not take this action on this notice.")
    elif not user_holds(user, transition.perm) or not in_scope(user, announcement, transition.scope):
        return _("You may not take this action on this notice.")
    for guard in transition.guards:
        if not guard.allows(announcement, user):
            return (guard.why(announcement, user) if guard.why else None) or guard.refusal
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
        if not transition.waits:
            continue
        if transition.on_step:
            side = flows.INSTITUTION if transition.from_states == (State.PURCHASER_REVIEW,) else flows.FINANCE
            scope = _steps_of_user_q(user, side)
        elif not user_holds(user, transition.perm):
            continue
        else:
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


def flow_submit_problems(announcement, submitter) -> list[str]:
    """Reasons to refuse a submit that lie in the flow, not the content: a step of the path the
    notice would take that nobody active but the submitter may act on."""
    problems = []
    for step in notice_path(announcement):
        holders = flows.step_holders(step, **_scope_ids(announcement))
        if not applies(step, announcement) or any(u.pk != submitter.pk for u in holders):
            continue
        if step.side == flows.INSTITUTION:
            who = flows.step_people_label(step) or step.name
            problems.append(
                str(
                    _(
                        "Nobody can act on the step %(step)s (%(who)s) of your institution's flow: "
                        "ask your institution administrator to give someone that position, or to change "
                        "the flow on 流程管理."
                    )
                )
                % {"step": step.name, "who": who}
            )
        else:
            problems.append(
                str(
                    _(
                        "Nobody at the finance bureau of %(district)s can act on the step %(step)s: "
                        "ask the finance bureau to staff it."
                    )
                )
                % {"district": announcement.district.name, "step": step.name}
            )
    return problems


def _pin_versions(announcement, actor) -> dict:
    """Record the flow versions of a notice under review that has none yet (data older than
    flows), so that its steps are stored rows; the fields to write."""
    pins = {}
    if announcement.flow_version_id is None:
        pins["flow_version"] = flows.ensure_version(institution=announcement.institution)
    if announcement.finance_flow_version_id is None:
        pins["finance_flow_version"] = flows.ensure_version(district=announcement.district)
    for name, value in pins.items():
        setattr(announcement, name, value)
    if announcement.current_step_id is None and announcement.state in REVIEW_STATES:
        step = current_step(announcement)
        if step is not None:
            pins["current_step"] = step
            announcement.current_step = step
    return pins


def apply_action(*, announcement: Announcement, action: str, actor, comment: str = "") -> FlowLogEntry:
    """Take `action` on `announcement` as `actor`: the only writer of the state.

    In one transaction: locks the notice's row (two reviewers at once act one after the other),
    checks permission, the step's people and separation of duties; runs the submit checks; updates
    the row only if it is still in the state (and version) the caller saw — otherwise someone
    else acted first and it raises `ActionConflict`; appends a `FlowLogEntry` with a snapshot. An
    approval is recorded per person (`StepApproval`); a 会签 step moves on only with the last
    member's. After commit it announces the transition (announcements.signals.notice_transitioned:
    notifications, the public site). Raises `ActionRefused` (nothing changed) when not allowed.
    """
    transition = TRANSITIONS.get(str(action))
    if transition is None:
        raise ActionRefused(_("Unknown action."))
    # Read this actor's approvals afresh: another request of theirs may have approved meanwhile.
    getattr(actor, "__dict__", {}).pop("_step_approvals", None)
    comment = (comment or "").strip()
    refusal = _refusal(transition, announcement, actor)
    if refusal:
        raise ActionRefused(refusal)
    if transition.reason_required and not comment:
        raise ActionRefused(_("Please give a reason."))

    with transaction.atomic():
        seen = (announcement.state, announcement.version, announcement.current_step_id)
        locked = (
            Announcement.objects.select_for_update()
            .filter(pk=announcement.pk)
            .values_list("state", "version", "current_step_id")
            .first()
        )
        if locked != seen:
            raise ActionConflict()
        if transition.action == Action.SUBMIT:
            problems = submit_problems(announcement) or flow_submit_problems(announcement, actor)
            if problems:
                raise ActionRefused(" ".join(problems))
        now = timezone.now()
        to_state = transition.to_state
        changes: dict = {}
        steps: dict = {}
        match transition.action:
            case Action.SUBMIT:
                # An owner that never saved a flow gets the default written now, by nobody.
                announcement.flow_version = flows.ensure_version(institution=announcement.institution)
                announcement.finance_flow_version = flows.ensure_version(district=announcement.district)
                first = _next_step(announcement, None)
                to_state = SIDE_STATE[first.side]
                changes = {
                    "submitted_by": actor,
                    "submitted_at": now,
                    "return_reason": "",
                    "flow_version": announcement.flow_version,
                    "finance_flow_version": announcement.finance_flow_version,
                    "current_step": first,
                    "step_entered_at": now,
                    "review_round": F("review_round") + 1,
                }
                steps = {"next_step": first.name}
            case Action.WITHDRAW:
                changes = {"current_step": None, "step_entered_at": None}
            case Action.PURCHASER_RETURN | Action.FINANCE_RETURN:
                # The listeners read the outcome here, not from the action's name.
                steps = {"step": current_step(announcement).name, "returned": True}
                # A return also cancels a scheduled publication that finance had approved.
                changes = {
                    "return_reason": comment,
                    "approved_at": None,
                    "published_html": "",
                    "current_step": None,
                    "step_entered_at": None,
                }
            case Action.PURCHASER_APPROVE | Action.FINANCE_APPROVE:
                pins = _pin_versions(announcement, actor)
                step = current_step(announcement)
                steps = {"step": step.name}
                try:
                    with transaction.atomic():
                        StepApproval.objects.create(
                            announcement=announcement,
                            review_round=announcement.review_round,
                            step=step,
                            user=actor,
                            comment=comment,
                        )
                except IntegrityError:
                    raise ActionConflict(_("You have already approved this step.")) from None
                if step.mode == StepMode.ALL:
                    approved = set(step_approvals(announcement, step).values_list("user_id", flat=True))
                    waiting = [u for u in step_members(announcement, step) if u.pk not in approved]
                    if waiting:
                        # Not the last member of a 会签: the approval counts, the notice stays.
                        if pins:
                            Announcement.objects.filter(pk=announcement.pk).update(**pins)
                        entry = _log(announcement, transition, actor, announcement.state, comment, steps)
                        getattr(actor, "__dict__", {}).pop("_step_approvals", None)
                        return entry
                following = _next_step(announcement, step)
                changes = dict(pins)
                if following is not None:
                    to_state = SIDE_STATE[following.side]
                    changes |= {"current_step": following, "step_entered_at": now}
                    steps["next_step"] = following.name
                else:
                    scheduled = (
                        announcement.publish_mode == PublishMode.SCHEDULED and announcement.scheduled_at
                    )
                    later = bool(scheduled and announcement.scheduled_at > now)
                    # The notice's date line is its publication date, so render as of then.
                    announcement.published_at = announcement.scheduled_at if later else now
                    # Frozen now: the published text is exactly what the finance reviewer saw.
                    changes |= {"approved_at": now, "published_html": str(render_announcement(announcement))}
                    if later:
                        to_state = State.FINANCE_REVIEW
                    else:
                        to_state = State.PUBLISHED
                        changes |= {"published_at": now, "current_step": None, "step_entered_at": None}
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
        entry = _log(announcement, transition, actor, from_state, comment, steps)
    getattr(actor, "__dict__", {}).pop("_step_approvals", None)
    return entry


def _log(announcement, transition, actor, from_state, comment, steps) -> FlowLogEntry:
    """The flow-log row of one action (the step it was taken at and the step entered, by name, in
    the snapshot), announced after commit."""
    entry = FlowLogEntry.objects.create(
        announcement=announcement,
        actor=actor,
        action=transition.action.value,
        from_state=from_state,
        to_state=announcement.state,
        reason=comment,
        snapshot=snapshot_of(announcement, with_rows=transition.action == Action.SUBMIT) | steps,
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
    # The district's 区发布设置 is read again now: a unit's notice approved before the district
    # chose "file to the department only" stays unpublished (the department notice carries its
    # data); it waits in 财政审核, where finance may return it (publish_due_held lists them).
    due = (
        Announcement.objects.filter(
            state=State.FINANCE_REVIEW, approved_at__isnull=False, scheduled_at__lte=now
        )
        .exclude(FILES_TO_DEPARTMENT_Q)
        .values_list("pk", flat=True)
    )
    published = []
    for pk in list(due):
        with transaction.atomic():
            if not Announcement.objects.filter(~FILES_TO_DEPARTMENT_Q, pk=pk).exists():
                continue
            # No join in the conditional update: Django would turn one into `id IN (subquery)`,
            # which PostgreSQL does not re-check after waiting for the other run's lock, so both
            # runs would publish the notice.
            changed = Announcement.objects.filter(
                pk=pk, state=State.FINANCE_REVIEW, approved_at__isnull=False
            ).update(
                state=State.PUBLISHED,
                published_at=now,
                version=F("version") + 1,
                updated_at=now,
                current_step=None,
                step_entered_at=None,
            )
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


def publish_due_held(*, now: datetime | None = None) -> list[Announcement]:
    """Scheduled notices whose time has come but which `publish_due` holds back: their district
    files subordinate units to the department only since they were approved."""
    now = now or timezone.now()
    return list(
        Announcement.objects.filter(
            FILES_TO_DEPARTMENT_Q,
            state=State.FINANCE_REVIEW,
            approved_at__isnull=False,
            scheduled_at__lte=now,
        )
    )


def _after_commit(announcement, entry) -> None:
    """Announce the transition after commit, with the notice as this transition left it: several
    transitions in one transaction (a seed, a bulk job) must not all announce the last step."""
    as_left = copy.copy(announcement)
    transaction.on_commit(lambda: announce_transition(announcement=as_left, entry=entry))


# --- what the detail page shows ------------------------------------------------------------------


def waiting_on(announcement) -> list:
    """Who the current step still waits for: any of its members (或审), or the members who have
    not approved yet (会签). Empty outside review and while a scheduled publication waits."""
    step = current_step(announcement)
    if step is None or is_awaiting_schedule(announcement):
        return []
    members = step_members(announcement, step)
    if step.mode != StepMode.ALL or step.pk is None:
        return members
    approved = set(step_approvals(announcement, step).values_list("user_id", flat=True))
    return [u for u in members if u.pk not in approved]


def current_reviewers_line(announcement) -> dict | None:
    """当前步审核人: the step's mode and each member, with whether they approved (会签)."""
    step = current_step(announcement)
    if step is None or is_awaiting_schedule(announcement):
        return None
    members = step_members(announcement, step)
    approved = set()
    if step.pk is not None:
        approved = set(step_approvals(announcement, step).values_list("user_id", flat=True))
    return {
        "all": step.mode == StepMode.ALL,
        "mode": flows.step_mode_label(step),
        # Those who approved first, as the seed lists them: 张三（已通过）、李四（待审核）.
        "people": sorted(
            ({"user": u, "approved": u.pk in approved} for u in members), key=lambda p: not p["approved"]
        ),
    }


def _approvals_by_step(announcement, log) -> dict:
    """This round's approvals from the flow log, by (side, step name): who, when, 审核意见."""
    since_submit = []
    for entry in log:
        since_submit = [entry] if entry.action == Action.SUBMIT else since_submit + [entry]
    path = notice_path(announcement)
    last_of = {side: next((s.name for s in reversed(path) if s.side == side), "") for side in SIDE_STATE}
    found: dict = {}
    for entry in since_submit:
        if not is_approval(entry.action):
            continue
        side = flows.INSTITUTION if entry.action == Action.PURCHASER_APPROVE else flows.FINANCE
        # Entries older than flows name no step: the side's one step then.
        name = (entry.snapshot or {}).get("step") or last_of[side]
        found.setdefault((side, name), []).append(entry)
    return found


def path_for_display(announcement, log) -> list[dict]:
    """公告详情's path: 开始, each step of the notice (done, current, to come or skipped, with its
    people, mode and approvals of this round), 结束."""
    path = notice_path(announcement)
    state = announcement.state
    current = current_step(announcement)
    approvals = _approvals_by_step(announcement, log) if state != State.DRAFT else {}
    finished = state in (State.PUBLISHED, State.REVOKED) or (current is None and is_frozen(announcement))
    index = next((i for i, s in enumerate(path) if s is current), None)
    if is_awaiting_schedule(announcement):
        index, finished = None, True
    rows = [{"key": "start", "done": state != State.DRAFT, "time": announcement.submitted_at}]
    for i, step in enumerate(path):
        applies_here = applies(step, announcement)
        entries = approvals.get((step.side, step.name), [])
        if not applies_here:
            status = "skipped"
        elif finished or (index is not None and i < index):
            status = "done"
        elif index == i:
            status = "current"
        else:
            status = "todo"
        rows.append(
            {
                "key": "step",
                "name": step.name,
                "mode": flows.step_mode_label(step),
                "people": flows.step_people_label(step),
                "status": status,
                "done": status == "done",
                "current": status == "current",
                "approvals": entries,
                "time": entries[-1].created_at if status == "done" and entries else None,
            }
        )
    published = state in (State.PUBLISHED, State.REVOKED)
    rows.append({"key": "end", "done": published, "time": announcement.published_at})
    return rows


def steps_ahead(announcement) -> dict:
    """What a click leads to, for the confirmation dialogs: the step a submit enters, the step an
    approval of the current step enters ("" when it publishes), and whether the current step is
    a 会签 that still waits for someone besides the one who clicks."""
    first = _next_step(announcement, None) if announcement.state == State.DRAFT else None
    step = current_step(announcement)
    following = _next_step(announcement, step) if step is not None else None
    countersign = step is not None and step.mode == StepMode.ALL and len(waiting_on(announcement)) > 1
    return {
        "first": first.name if first else "",
        "next": following.name if following else "",
        "countersign": countersign,
    }
