"""Review flows as data (流程管理): which steps a notice passes, who acts on each, and how.

A notice's path is its institution's steps followed by its district finance bureau's steps; the
finance bureau's last step publishes. Each owner's flow is kept in immutable versions
(`FlowVersion`): a notice is reviewed under the versions it was submitted with, and every change
(`flow_save`) writes a new version with who and when. An owner that never saved a flow uses
today's default: 采购人初审 by the institution's 采购人审核岗, then 财政审核 by the finance
bureau's 财政审核岗, both 或审.

The workflow gateway (announcements.workflow) reads these functions; no other module names a step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.enums import POSITION_GROUP_NAMES, POSITION_PERMS, InstitutionKind, Perm, Position
from accounts.memos import per_process
from accounts.models import User
from accounts.rules import is_district_finance, user_holds

from .enums import StepActor, StepCondition, StepMode
from .models import Flow, FlowStep, FlowVersion

INSTITUTION = "institution"
FINANCE = "finance"

# Which positions a step of each side may name: the institution's reviewers and handlers' chiefs
# are budget-unit positions; the finance bureau's are its own.
SIDE_POSITIONS = {
    INSTITUTION: (Position.PURCHASER_REVIEWER, Position.INSTITUTION_ADMIN),
    FINANCE: (Position.FINANCE_REVIEWER, Position.INSTITUTION_ADMIN),
}
# Today's two steps, the flow of every owner that has not saved one (and what migration 0008 wrote).
DEFAULT_STEPS = {
    INSTITUTION: [
        {"name": "采购人初审", "actor": StepActor.POSITION, "position": Position.PURCHASER_REVIEWER}
    ],
    FINANCE: [{"name": "财政审核", "actor": StepActor.POSITION, "position": Position.FINANCE_REVIEWER}],
}


def _owner_filter(*, institution=None, district=None) -> dict:
    return {"institution": institution} if institution is not None else {"district": district}


def latest_version(*, institution=None, district=None) -> FlowVersion | None:
    """The version in use for new submissions, None while the owner keeps the default. The owner
    may be given as an object or its id."""
    owner = _owner_filter(institution=institution, district=district)
    return (
        FlowVersion.objects.filter(**{f"flow__{k}": v for k, v in owner.items()}).order_by("-number").first()
    )


# Versions never change once saved, so their steps are read once per process.
# A version is never edited, so its steps are read once per process (forgotten between tests
# with every other per-process memo: ids are reused after a rolled-back test).
_STEPS_BY_VERSION: dict[int, list[FlowStep]] = per_process({})


def steps_of_version(version_id: int | None, side: str) -> list[FlowStep]:
    """The steps of the version with this id (the default steps for None), each with `.side` and
    `.one_step_per_person` (its version's separation-of-duties flag)."""
    if version_id is None:
        return version_steps(None, side)
    steps = _STEPS_BY_VERSION.get(version_id)
    if steps is None:
        rows = (
            FlowStep.objects.filter(version_id=version_id).select_related("version").prefetch_related("users")
        )
        steps = list(rows.order_by("order"))
        for step in steps:
            step.side = side
            step.one_step_per_person = step.version.one_step_per_person
        if len(_STEPS_BY_VERSION) > 1000:
            _STEPS_BY_VERSION.clear()
        _STEPS_BY_VERSION[version_id] = steps
    return steps


def _default_steps(side: str) -> list[FlowStep]:
    return [
        FlowStep(order=i, mode=StepMode.ANY, condition=StepCondition.ALWAYS, **spec)
        for i, spec in enumerate(DEFAULT_STEPS[side])
    ]


def version_steps(version: FlowVersion | None, side: str) -> list[FlowStep]:
    """The steps of `version` in order (the default steps, unsaved, for None), each marked with
    its side."""
    if version is None:
        steps = _default_steps(side)
    else:
        steps = list(version.steps.order_by("order").prefetch_related("users"))
    for step in steps:
        step.side = side
        step.one_step_per_person = version.one_step_per_person if version else True
    return steps


def ensure_version(*, institution=None, district=None, user=None) -> FlowVersion:
    """The owner's version in use, writing the default one first when it has none (at a submit)."""
    version = latest_version(institution=institution, district=district)
    if version is not None:
        return version
    side = INSTITUTION if institution is not None else FINANCE
    return flow_save(
        institution=institution, district=district, steps=DEFAULT_STEPS[side], user=user, check=False
    )


# --- who acts ----------------------------------------------------------------------------------


def _holds_position(user, position: str) -> bool:
    perms = POSITION_PERMS.get(position)
    return bool(perms) and all(user_holds(user, p) for p in perms)


def in_step_scope(user, step, *, institution_id: int, district_id: int) -> bool:
    """The user belongs to the step's owner: the notice's institution, or its district's finance
    bureau (named people who moved elsewhere no longer act)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_deleted:
        return False
    own = getattr(user, "institution", None)
    if own is None:
        return False
    if step.side == INSTITUTION:
        return own.pk == institution_id
    return own.kind == InstitutionKind.FINANCE_BUREAU and own.district_id == district_id


def may_act_on(user, step, *, institution_id: int, district_id: int) -> bool:
    if not in_step_scope(user, step, institution_id=institution_id, district_id=district_id):
        return False
    if step.actor == StepActor.POSITION:
        return _holds_position(user, step.position)
    return step.pk is not None and any(u.pk == user.pk for u in step.users.all())


def step_holders(step, *, institution_id: int, district_id: int) -> list[User]:
    """Everyone who may act on `step` for a notice of this institution and district, by name."""
    if step.side == INSTITUTION:
        scope = Q(institution_id=institution_id)
    else:
        scope = Q(institution__kind=InstitutionKind.FINANCE_BUREAU, institution__district_id=district_id)
    people = User.objects.filter(scope, is_active=True, is_deleted=False)
    if step.actor == StepActor.POSITION:
        codenames = [str(p) for p in POSITION_PERMS.get(step.position, [])]
        if not codenames:
            return []
        for codename in codenames:
            perm = Permission.objects.filter(codename=codename, content_type__app_label="accounts")
            people = people.filter(Q(groups__permissions__in=perm) | Q(user_permissions__in=perm))
    elif step.pk is None:
        return []
    else:
        people = people.filter(pk__in=[u.pk for u in step.users.all()])
    return list(people.distinct().order_by("full_name", "username"))


def condition_holds(step, report) -> bool:
    """Whether a notice with `report` (None: a manual notice) passes `step` at all."""
    if step.condition == StepCondition.SHORTFALL:
        return bool(report is not None and report.needs_explanation)
    if step.condition == StepCondition.TOTAL_EXCEEDS:
        total = report.sme_total if report is not None else Decimal("0")
        return step.amount is not None and (total or Decimal("0")) > step.amount
    return True


def step_mode_label(step) -> str:
    return (
        pgettext("review mode", "countersign")
        if step.mode == StepMode.ALL
        else pgettext("review mode", "any one")
    )


def step_people_label(step) -> str:
    if step.actor == StepActor.POSITION:
        return POSITION_GROUP_NAMES.get(step.position, step.position)
    return "、".join(u.get_full_name() or u.username for u in step.users.all())


def keeps_a_flow(user) -> bool:
    """`flow_owner` without reading the owner (the menu asks on every page)."""
    institution = getattr(user, "institution", None)
    if institution is None:
        return False
    if institution.kind == InstitutionKind.BUDGET_UNIT:
        return user_holds(user, Perm.MANAGE_STAFF)
    return is_district_finance(user)


def flow_owner(user) -> dict | None:
    """Whose flow this user keeps: a budget unit's 机构管理员 its institution's; a finance bureau's
    财政审核岗 its district's (also reached from 区发布设置). None for everyone else."""
    institution = getattr(user, "institution", None)
    if institution is None:
        return None
    if institution.kind == InstitutionKind.BUDGET_UNIT and user_holds(user, Perm.MANAGE_STAFF):
        return {"institution": institution}
    if is_district_finance(user):
        return {"district": institution.district}
    return None


# --- saving a flow -------------------------------------------------------------------------------


@dataclass
class StepSpec:
    """One step as the 流程管理 form (or a caller) gives it, before it is saved."""

    name: str
    actor: str = StepActor.POSITION
    position: str = ""
    users: list = field(default_factory=list)
    mode: str = StepMode.ANY
    condition: str = StepCondition.ALWAYS
    amount: Decimal | None = None


def _spec(raw) -> StepSpec:
    return raw if isinstance(raw, StepSpec) else StepSpec(**raw)


def flow_problems(*, institution=None, district=None, steps) -> list[str]:
    """Why nobody could complete a flow of these steps, or []: a step without a name or without
    anyone active to act on it, a 会签 whose only member is the usual submitter (a handler), an
    amount condition without an amount, a finance flow whose last step could be skipped."""
    side = INSTITUTION if institution is not None else FINANCE
    specs = [_spec(s) for s in steps]
    problems = []
    if side == FINANCE and not specs:
        problems.append(_("The finance bureau's flow needs at least one step: its last step publishes."))
    if side == FINANCE and specs and specs[-1].condition != StepCondition.ALWAYS:
        problems.append(_("The finance bureau's last step publishes, so it cannot have a condition."))
    scope_ids = (
        {"institution_id": institution.pk, "district_id": institution.district_id}
        if institution is not None
        else {"institution_id": None, "district_id": district.pk}
    )
    for number, spec in enumerate(specs, start=1):
        label = spec.name.strip() or _("step %(n)s") % {"n": number}
        if not spec.name.strip():
            problems.append(_("Step %(n)s has no name.") % {"n": number})
        if spec.actor == StepActor.POSITION and spec.position not in SIDE_POSITIONS[side]:
            problems.append(_("%(step)s: choose a position.") % {"step": label})
            continue
        if spec.condition == StepCondition.TOTAL_EXCEEDS and spec.amount is None:
            problems.append(_("%(step)s: give the amount of the condition.") % {"step": label})
        probe = FlowStep(actor=spec.actor, position=spec.position, mode=spec.mode)
        probe.side = side
        if spec.actor == StepActor.NAMED:
            people = [u for u in spec.users if in_step_scope(u, probe, **scope_ids)]
        else:
            people = step_holders(probe, **scope_ids)
        if not people:
            problems.append(_("%(step)s: nobody active can act on this step.") % {"step": label})
        elif len(people) == 1 and user_holds(people[0], Perm.SUBMIT_NOTICE):
            # Nobody approves what they submitted: when the one member submits, nobody is left.
            problems.append(
                _("%(step)s: its only member %(name)s may submit notices, and a submitter never approves.")
                % {"step": label, "name": people[0].get_full_name() or people[0].username}
            )
    return problems


def flow_save(*, institution=None, district=None, steps, user=None, one_step_per_person=True, check=True):
    """Save a new version of the owner's flow (the owner's Flow is created on first save). Refuses
    with ValueError(problems) when nobody could complete it. Side effects: Flow, FlowVersion and
    FlowStep rows; notices under review keep their own version."""
    specs = [_spec(s) for s in steps]
    if check:
        problems = flow_problems(institution=institution, district=district, steps=specs)
        if problems:
            raise ValueError(problems)
    with transaction.atomic():
        flow, _created = Flow.objects.select_for_update().get_or_create(
            **_owner_filter(institution=institution, district=district)
        )
        last = flow.versions.order_by("-number").values_list("number", flat=True).first() or 0
        version = FlowVersion.objects.create(
            flow=flow, number=last + 1, created_by=user, one_step_per_person=one_step_per_person
        )
        for order, spec in enumerate(specs):
            step = FlowStep.objects.create(
                version=version,
                order=order,
                name=spec.name.strip(),
                actor=spec.actor,
                position=spec.position if spec.actor == StepActor.POSITION else "",
                mode=spec.mode,
                condition=spec.condition or StepCondition.ALWAYS,
                amount=spec.amount if spec.condition == StepCondition.TOTAL_EXCEEDS else None,
            )
            if spec.actor == StepActor.NAMED:
                step.users.set(spec.users)
    # A database that reuses the id of a rolled-back row (SQLite in tests) must not find old steps.
    _STEPS_BY_VERSION.pop(version.pk, None)
    return version


def specs_of(version: FlowVersion | None, side: str) -> list[StepSpec]:
    """The steps of a version as specs (to edit them into the next version)."""
    return [
        StepSpec(
            name=s.name,
            actor=s.actor,
            position=s.position,
            users=list(s.users.all()) if s.pk else [],
            mode=s.mode,
            condition=s.condition,
            amount=s.amount,
        )
        for s in version_steps(version, side)
    ]


def unheld_flow_steps(*, institution) -> list:
    """The steps of the institution's flow in use that nobody active can act on (the 预警 and the
    员工管理 banner; a submit's refusal asks step_holders itself)."""
    version = latest_version(institution=institution)
    return [
        step
        for step in version_steps(version, INSTITUTION)
        if not step_holders(step, institution_id=institution.pk, district_id=institution.district_id)
    ]


def unheld_steps(*, institution) -> list[str]:
    """Names of unheld_flow_steps."""
    return [step.name for step in unheld_flow_steps(institution=institution)]


def versions_of(*, institution=None, district=None) -> list[FlowVersion]:
    """Every saved version of the owner's flow, newest first, with who changed it and when."""
    owner = _owner_filter(institution=institution, district=district)
    return list(
        FlowVersion.objects.filter(**{f"flow__{k}": v for k, v in owner.items()})
        .select_related("created_by")
        .prefetch_related("steps")
        .order_by("-number")
    )


def steps_summary(*, institution=None, district=None) -> list[str]:
    """The owner's steps in use as short lines: "财政会签（陈芳、王磊，会签）" (区发布设置 lists them)."""
    side = INSTITUTION if institution is not None else FINANCE
    return [
        f"{step.name}（{step_people_label(step)}，{step_mode_label(step)}）"
        for step in version_steps(latest_version(institution=institution, district=district), side)
    ]
