"""Writes for oversight: campaigns and their units, reminders, spot-check samples and records.

Every service takes keyword-only arguments, checks the permission itself (views only fetch and
call), runs `full_clean()` before saving and works inside one transaction.
"""

import logging
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import InstitutionKind, Perm
from accounts.models import Institution, User

from . import rules, selectors
from .enums import CheckResult, ReminderKind, SampleSize, UnitStatus
from .models import (
    CampaignUnit,
    DepartmentReportSubmission,
    FilingCampaign,
    FinalAccount,
    Reminder,
    SpotCheckItem,
    SpotCheckSample,
)
from .reminder_mail import reminder_messages_queue
from .statistics import COUNTED_STATES, statistics_for, statistics_snapshot

log = logging.getLogger(__name__)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# Campaigns


@transaction.atomic
def campaign_create(
    *,
    actor: User,
    year: int,
    deadline: datetime,
    remind_days_before: int | None = None,
    report_deadline: date | None = None,
) -> FilingCampaign:
    """Declare a campaign for the actor's district. Side effects: inserts the campaign and one
    CampaignUnit per active, non-test budget unit of the district (the default list)."""
    _require(rules.is_district_finance(actor))
    campaign = FilingCampaign(
        district_id=actor.institution.district_id,
        year=year,
        deadline=deadline,
        report_deadline=report_deadline,
        created_by=actor,
    )
    if remind_days_before is not None:
        campaign.remind_days_before = remind_days_before
    campaign.full_clean()
    campaign.save()
    units = Institution.objects.filter(
        district_id=campaign.district_id, kind=InstitutionKind.BUDGET_UNIT, is_active=True, is_test=False
    ).values_list("pk", flat=True)
    CampaignUnit.objects.bulk_create(
        [CampaignUnit(campaign=campaign, institution_id=pk, added_by=actor) for pk in units], batch_size=500
    )
    return campaign


@transaction.atomic
def campaign_update(
    *,
    campaign: FilingCampaign,
    actor: User,
    deadline: datetime,
    remind_days_before: int,
    report_deadline: date | None = None,
) -> FilingCampaign:
    """Change a campaign's deadlines and reminder window. Side effect: updates the row."""
    _require(rules.can_manage_campaign(actor, campaign))
    campaign.deadline = deadline
    campaign.remind_days_before = remind_days_before
    campaign.report_deadline = report_deadline
    campaign.full_clean()
    campaign.save(update_fields=["deadline", "remind_days_before", "report_deadline"])
    return campaign


@transaction.atomic
def campaign_unit_add(*, campaign: FilingCampaign, actor: User, institution: Institution) -> CampaignUnit:
    """Add a budget unit to a campaign's list. Side effect: inserts a CampaignUnit."""
    _require(rules.can_manage_campaign(actor, campaign))
    if institution.kind != InstitutionKind.BUDGET_UNIT:
        raise ValidationError({"institution": _("Only budget units file notices.")})
    if CampaignUnit.objects.filter(campaign=campaign, institution=institution).exists():
        raise ValidationError({"institution": _("This unit is already listed in the campaign.")})
    unit = CampaignUnit(campaign=campaign, institution=institution, added_by=actor)
    unit.full_clean()
    unit.save()
    return unit


@transaction.atomic
def campaign_unit_excuse(*, unit: CampaignUnit, actor: User, reason: str) -> CampaignUnit:
    """Excuse a unit from filing (it stays listed with the reason). Side effect: updates the row."""
    _require(rules.can_manage_campaign(actor, unit.campaign))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for excusing this unit.")})
    unit.required = False
    unit.excuse_reason = reason
    unit.full_clean()
    unit.save(update_fields=["required", "excuse_reason"])
    return unit


@transaction.atomic
def campaign_unit_require(*, unit: CampaignUnit, actor: User) -> CampaignUnit:
    """Make an excused unit required again. Side effect: updates the row."""
    _require(rules.can_manage_campaign(actor, unit.campaign))
    unit.required = True
    unit.excuse_reason = ""
    unit.full_clean()
    unit.save(update_fields=["required", "excuse_reason"])
    return unit


# Reminders


@dataclass
class ReminderOutcome:
    sent: int = 0
    already_sent: int = 0
    no_recipient: int = 0
    # Of the units reached (each reached by an in-app message), how many also got an e-mail.
    emailed: int = 0


def reminder_kind_due(campaign: FilingCampaign, now: datetime) -> str | None:
    """What the daily run sends today: "before" within the campaign's window, "after" once past."""
    if now > campaign.deadline:
        return ReminderKind.AFTER
    if selectors.days_left(campaign, now) <= campaign.remind_days_before:
        return ReminderKind.BEFORE
    return None


def _handlers_by_institution(institution_ids) -> dict[int, list[User]]:
    # The 项目采购经办岗 through a group or a single grant; one query for every unit.
    perm = Q(groups__permissions__codename=Perm.SUBMIT_NOTICE) | Q(
        user_permissions__codename=Perm.SUBMIT_NOTICE
    )
    users = (
        User.objects.filter(perm, institution_id__in=institution_ids, is_active=True, is_deleted=False)
        .distinct()
        .order_by("institution_id", "username")
    )
    grouped = defaultdict(list)
    for user in users:
        grouped[user.institution_id].append(user)
    return grouped


def reminders_preview(*, campaign: FilingCampaign) -> dict:
    """Who 发送提醒 would reach now (for the confirmation dialog): the required units that have not
    published, split into those with a handler's e-mail address and those without. Reads only."""
    pending = list(
        selectors.annotated_units(CampaignUnit.objects.filter(campaign=campaign, required=True))
        .exclude(status=UnitStatus.PUBLISHED)
        .values_list("institution_id", "institution__name")
        .order_by("institution__name")
    )
    handlers = _handlers_by_institution([pk for pk, _name in pending])
    return {
        "reached": [name for pk, name in pending if handlers.get(pk)],
        "unreachable": [name for pk, name in pending if not handlers.get(pk)],
    }


def reminders_send(
    *,
    campaign: FilingCampaign,
    actor: User | None = None,
    kind: str | None = None,
    now: datetime | None = None,
) -> ReminderOutcome:
    """Remind the handlers of every required unit that has not published. Side effects: one
    Reminder row (with its recipients), an in-app message to every handler and, enqueued in the
    same transaction, an e-mail to each of them with an address (through the outbox:
    oversight.reminder_mail); a unit counts as reached once its messages are stored (`emailed`
    says how many also get an e-mail). A unit that already got this kind
    of reminder today is skipped, by the database's unique key, so double clicks and two cron
    runs at once send it once. `actor` None means the scheduled command."""
    if actor is not None:
        _require(rules.can_remind(actor, campaign))
    now = now or timezone.now()
    kind = kind or (ReminderKind.AFTER if now > campaign.deadline else ReminderKind.BEFORE)
    today = rules.local_date(now)
    pending = list(
        selectors.annotated_units(CampaignUnit.objects.filter(campaign=campaign, required=True))
        .exclude(status=UnitStatus.PUBLISHED)
        .values_list("institution_id", "institution__name")
    )
    handlers = _handlers_by_institution([pk for pk, _name in pending])
    outcome = ReminderOutcome()
    for institution_id, institution_name in pending:
        recipients = handlers.get(institution_id, [])
        if not recipients:
            outcome.no_recipient += 1
            continue
        if _send_one(campaign, institution_id, institution_name, recipients, kind, today, now, actor):
            outcome.sent += 1
            outcome.emailed += any(u.email for u in recipients)
        else:
            outcome.already_sent += 1
    return outcome


def _send_one(campaign, institution_id, institution_name, recipients, kind, today: date, now, actor) -> bool:
    with transaction.atomic():
        reminder = Reminder(
            campaign=campaign,
            institution_id=institution_id,
            kind=kind,
            date=today,
            sent_at=now,
            sent_by=actor,
            recipient_emails="; ".join(f"{u.get_full_name()} <{u.email}>" for u in recipients if u.email),
        )
        # The unique key is checked by the insert itself, not by a read first: two runs at
        # once must not both see "not sent yet".
        reminder.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                reminder.save()
        except IntegrityError:
            return False
        reminder.recipients.set(recipients)
        # In this transaction: the messages exist exactly when the reminder does; the mails
        # leave through the outbox after the commit (a worker sends and retries).
        reminder_messages_queue(reminder=reminder, institution_name=institution_name, recipients=recipients)
    return True


# Spot checks


def sample_size(population: int, *, size_mode: str, size_value: int) -> int:
    if size_mode == SampleSize.PERCENT:
        return min(population, -(-population * size_value // 100))  # ceiling
    return min(population, size_value)


def _allocate(strata: dict[int, list[int]], total: int) -> dict[int, int]:
    """Split a count over strata in proportion to their sizes (largest remainder, ties by key)."""
    n = sum(len(v) for v in strata.values())
    quotas = {k: len(v) * total / n for k, v in strata.items()}
    alloc = {k: int(q) for k, q in quotas.items()}
    rest = total - sum(alloc.values())
    for k in sorted(strata, key=lambda k: (-(quotas[k] - alloc[k]), k))[:rest]:
        alloc[k] += 1
    return alloc


def spot_check_draw(
    population: list[tuple[int, int]], *, seed: int, size_mode: str, size_value: int, stratified: bool
) -> list[int]:
    """Notice ids drawn from `population` [(id, district_id)] ordered by id. Pure: the same
    population and seed give the same list, which is what makes a draw checkable."""
    rng = random.Random(seed)
    if not stratified:
        ids = [pk for pk, _d in population]
        return rng.sample(ids, sample_size(len(ids), size_mode=size_mode, size_value=size_value))
    strata: dict[int, list[int]] = defaultdict(list)
    for pk, district_id in population:
        strata[district_id].append(pk)
    if size_mode == SampleSize.PERCENT:
        counts = {
            k: sample_size(len(v), size_mode=size_mode, size_value=size_value) for k, v in strata.items()
        }
    else:
        counts = _allocate(strata, sample_size(len(population), size_mode=size_mode, size_value=size_value))
    drawn = []
    for district_id in sorted(strata):
        drawn.extend(rng.sample(strata[district_id], counts[district_id]))
    return drawn


@transaction.atomic
def spot_check_sample_draw(
    *,
    actor: User,
    year: int,
    district=None,
    size_mode: str,
    size_value: int,
    stratified: bool = False,
    seed: int | None = None,
) -> SpotCheckSample:
    """Draw a sample of published notices. Side effects: inserts the sample (with its seed and the
    digest of the population it drew from) and one SpotCheckItem per drawn notice."""
    _require(rules.can_spot_check(actor))
    population = list(
        selectors.spot_check_population(year=year, district_id=district.pk if district else None).values_list(
            "id", "district_id"
        )
    )
    if not population:
        raise ValidationError(_("There are no published notices for this year and district to draw from."))
    if seed is None:
        seed = secrets.randbelow(10**9)
    sample = SpotCheckSample(
        year=year,
        district=district,
        size_mode=size_mode,
        size_value=size_value,
        stratified=stratified,
        seed=seed,
        population_size=len(population),
        population_digest=selectors.population_digest(pk for pk, _d in population),
        drawn_by=actor,
    )
    sample.full_clean()
    sample.save()
    ids = spot_check_draw(
        population, seed=seed, size_mode=size_mode, size_value=size_value, stratified=stratified
    )
    SpotCheckItem.objects.bulk_create(
        [SpotCheckItem(sample=sample, announcement_id=pk, position=i) for i, pk in enumerate(ids, start=1)]
    )
    return sample


def spot_check_sample_verify(*, sample: SpotCheckSample) -> bool | None:
    """Redraw with the recorded seed. True: same notices; False: different; None: the population
    has changed since (a notice published or revoked), so the redraw cannot be compared."""
    population = list(
        selectors.spot_check_population(year=sample.year, district_id=sample.district_id).values_list(
            "id", "district_id"
        )
    )
    if selectors.population_digest(pk for pk, _d in population) != sample.population_digest:
        return None
    ids = spot_check_draw(
        population,
        seed=sample.seed,
        size_mode=sample.size_mode,
        size_value=sample.size_value,
        stratified=sample.stratified,
    )
    return ids == list(sample.items.order_by("position").values_list("announcement_id", flat=True))


@transaction.atomic
def spot_check_item_record(
    *, item: SpotCheckItem, actor: User, result: str, remarks: str = ""
) -> SpotCheckItem:
    """Record (or correct) the check of one sampled notice. Side effect: updates the item with the
    result, remarks, checker and time."""
    _require(rules.can_spot_check(actor))
    remarks = (remarks or "").strip()
    if result != CheckResult.COMPLIANT and not remarks:
        raise ValidationError({"remarks": _("Describe what is wrong when the notice is not compliant.")})
    item.result = result
    item.remarks = remarks
    item.checked_by = actor
    item.checked_at = timezone.now()
    item.full_clean()
    item.save(update_fields=["result", "remarks", "checked_by", "checked_at"])
    return item


# Departments' written reports


@transaction.atomic
def department_report_submit(*, actor: User, year: int, counting: str) -> DepartmentReportSubmission:
    """Submit the actor's department's 书面报告 of `year` to the finance bureau of its district
    (46号 第十八条). Side effect: inserts a DepartmentReportSubmission with the figures as they
    stand (the same `statistics_for` the page and the workbook read)."""
    department = rules.reporting_department(actor)
    _require(department is not None)
    if counting not in COUNTED_STATES:
        raise ValidationError({"counting": _("Choose which notices the report counts.")})
    stats = statistics_for(user=actor, year=year, counting=counting)
    not_filed = selectors.department_not_filed(department=department, year=year, counting=counting)
    submission = DepartmentReportSubmission(
        department=department,
        district_id=department.district_id,
        year=year,
        counting=counting,
        figures=statistics_snapshot(stats, not_filed=not_filed),
        submitted_by=actor,
    )
    submission.full_clean()
    submission.save()
    log.info("department report submitted: %s %s by %s", department.pk, year, actor.pk)
    return submission


# The 部门决算 figures


@transaction.atomic
def final_account_set(
    *, actor: User, institution: Institution, year: int, procurement_total, sme_contract_total
) -> FinalAccount:
    """Store (or replace) a unit's 决算 figures of `year`. Only its district's finance bureau.
    Side effect: inserts or updates one FinalAccount."""
    _require(rules.is_district_finance(actor) and institution.district_id == actor.institution.district_id)
    account = FinalAccount.objects.filter(institution=institution, year=year).first() or FinalAccount(
        institution=institution, year=year
    )
    account.procurement_total = procurement_total
    account.sme_contract_total = sme_contract_total
    account.entered_by = actor
    account.full_clean()
    account.save()
    return account
