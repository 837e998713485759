"""Reads for oversight. Every selector that a view uses takes the user.

The dashboard is computed in the database with a fixed number of queries whatever the number
of units: each unit row joins its live notice (at most one per institution and year, a
database constraint of announcements) through a FilteredRelation, and the district figures
are aggregates over the same rows.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.models import Institution
from announcements.department import department_units
from announcements.enums import Kind, State
from announcements.models import Announcement
from announcements.selectors import FINANCE_VISIBLE_STATES, announcements_published
from reservations.enums import VerdictStatus
from reservations.models import ReservedProject
from reservations.money import small_micro_share

from .enums import UnitStatus
from .models import (
    CampaignUnit,
    DepartmentReportSubmission,
    FilingCampaign,
    FinalAccount,
    Reminder,
    SpotCheckItem,
    SpotCheckSample,
)
from .rules import is_district_finance, is_supervisor, local_date
from .statistics import COUNTED_STATES

ZERO = Decimal("0")
MONEY_FIELD = DecimalField(max_digits=18, decimal_places=6)


def campaigns_for_user(*, user) -> QuerySet[FilingCampaign]:
    """Campaigns the user may open: every district for 监督检查岗, its own for 财政审核岗, none else."""
    qs = FilingCampaign.objects.select_related("district", "created_by")
    if is_supervisor(user):
        return qs
    if is_district_finance(user):
        return qs.filter(district_id=user.institution.district_id)
    return qs.none()


def campaign_for_user(*, user, pk: int) -> FilingCampaign:
    """One campaign, or Http404 when it does not exist or is another district's."""
    try:
        return campaigns_for_user(user=user).get(pk=pk)
    except FilingCampaign.DoesNotExist:
        raise Http404 from None


def campaign_deadlines(pairs: set[tuple[int, int]]) -> dict[tuple[int, int], datetime]:
    """The deadline provider of announcements.hooks: one query for any number of (district, year)."""
    districts = {d for d, _ in pairs}
    years = {y for _, y in pairs}
    rows = FilingCampaign.objects.filter(district_id__in=districts, year__in=years).values_list(
        "district_id", "year", "deadline"
    )
    return {(d, y): deadline for d, y, deadline in rows if (d, y) in pairs}


def _live_notice_q() -> Q:
    # The notice counted for a unit: its SME notice of the campaign's year that is not revoked.
    return Q(
        institution__announcements__year=F("campaign__year"),
        institution__announcements__kind=Kind.SME_RESERVATION,
        institution__announcements__is_test=False,
    ) & ~Q(institution__announcements__state=State.REVOKED)


def _status_expression():
    revoked = Announcement.objects.filter(
        institution_id=OuterRef("institution_id"),
        year=OuterRef("campaign__year"),
        kind=Kind.SME_RESERVATION,
        state=State.REVOKED,
        is_test=False,
    )
    return Case(
        When(live__state=State.PUBLISHED, then=Value(UnitStatus.PUBLISHED)),
        When(
            live__state__in=[State.PURCHASER_REVIEW, State.FINANCE_REVIEW], then=Value(UnitStatus.IN_REVIEW)
        ),
        When(live__state=State.DRAFT, then=Value(UnitStatus.DRAFT)),
        When(Exists(revoked), then=Value(UnitStatus.REVOKED)),
        default=Value(UnitStatus.NOT_STARTED),
        output_field=CharField(),
    )


def _once_visible(expression):
    return Case(When(live__state__in=FINANCE_VISIBLE_STATES, then=expression), default=None)


def annotated_units(queryset: QuerySet[CampaignUnit] | None = None) -> QuerySet[CampaignUnit]:
    """Campaign units with their status, notice dates and totals, and their last reminder."""
    if queryset is None:
        queryset = CampaignUnit.objects.all()
    last_reminder = Reminder.objects.filter(
        campaign_id=OuterRef("campaign_id"), institution_id=OuterRef("institution_id")
    ).order_by("-sent_at")
    return queryset.annotate(
        live=FilteredRelation("institution__announcements", condition=_live_notice_q()),
        status=_status_expression(),
        notice_public_id=F("live__public_id"),
        notice_state=F("live__state"),
        submitted_at=F("live__submitted_at"),
        published_at=F("live__published_at"),
        # Amounts only once finance may open the notice in the console (FINANCE_VISIBLE_STATES,
        # the console's own rule): a draft's figures change as the handler types, and the
        # district should not judge a unit by numbers it has not submitted.
        sme_total=_once_visible(F("live__report__sme_total")),
        small_micro_total=_once_visible(F("live__report__small_micro_total")),
        explanation=_once_visible(F("live__report__explanation")),
        last_reminder_at=Subquery(last_reminder.values("sent_at")[:1]),
    ).select_related("institution", "campaign")


def units_for_campaign(*, user, campaign: FilingCampaign) -> QuerySet[CampaignUnit]:
    """The unit rows of a campaign the user may see (the caller got it through campaign_for_user)."""
    campaign_for_user(user=user, pk=campaign.pk)
    return annotated_units(CampaignUnit.objects.filter(campaign=campaign))


@dataclass
class DistrictSummary:
    campaign: FilingCampaign
    required: int
    filed: int
    excused: int
    sme_total: Decimal
    small_micro_total: Decimal
    below_threshold: int
    with_explanation: int

    @property
    def filed_share(self) -> Decimal | None:
        if not self.required:
            return None
        return (Decimal(self.filed) * 100 / self.required).quantize(Decimal("0.01"))

    @property
    def small_micro_share(self) -> Decimal | None:
        return small_micro_share(sme_total=self.sme_total, small_micro_total=self.small_micro_total)


def district_summaries(campaigns) -> list[DistrictSummary]:
    """Per campaign (one district and year): units filed out of required, the sums over the
    published notices of the required units, and how many missed the small/micro threshold and
    how many of those carry a 说明. One aggregate query for all the campaigns.

    A notice falls short when one of its rows has a shortfall verdict (stored by reservations,
    the same verdict the editor, the review and the statistics read)."""
    campaigns = list(campaigns)
    if not campaigns:
        return []
    published = Q(required=True, live__state=State.PUBLISHED)
    below = Q(
        Exists(
            ReservedProject.objects.filter(
                report_id=OuterRef("live__report_id"), verdict_status=VerdictStatus.SHORTFALL
            )
        )
    )
    rows = (
        CampaignUnit.objects.filter(campaign__in=campaigns)
        .annotate(live=FilteredRelation("institution__announcements", condition=_live_notice_q()))
        .values("campaign_id")
        .annotate(
            required_count=Count("pk", filter=Q(required=True)),
            excused_count=Count("pk", filter=Q(required=False)),
            filed=Count("pk", filter=published),
            sme=Coalesce(Sum("live__report__sme_total", filter=published), ZERO, output_field=MONEY_FIELD),
            small=Coalesce(
                Sum("live__report__small_micro_total", filter=published), ZERO, output_field=MONEY_FIELD
            ),
            below=Count("pk", filter=published & below),
            explained=Count("pk", filter=published & below & ~Q(live__report__explanation="")),
        )
        .order_by()
    )
    by_campaign = {r["campaign_id"]: r for r in rows}
    result = []
    for campaign in campaigns:
        r = by_campaign.get(campaign.pk, {})
        result.append(
            DistrictSummary(
                campaign=campaign,
                required=r.get("required_count", 0),
                filed=r.get("filed", 0),
                excused=r.get("excused_count", 0),
                sme_total=r.get("sme", ZERO),
                small_micro_total=r.get("small", ZERO),
                below_threshold=r.get("below", 0),
                with_explanation=r.get("explained", 0),
            )
        )
    return result


def status_counts(*, campaign: FilingCampaign) -> dict[str, int]:
    """How many required units are in each status (one query)."""
    rows = (
        annotated_units(CampaignUnit.objects.filter(campaign=campaign, required=True))
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {s.value: 0 for s in UnitStatus}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


def days_left(campaign: FilingCampaign, now: datetime | None = None) -> int:
    """Whole days from today to the deadline's date, both in Shanghai; negative when past."""
    now = now or timezone.now()
    return (local_date(campaign.deadline) - local_date(now)).days


def reminders_for_campaign(*, campaign: FilingCampaign) -> QuerySet[Reminder]:
    return (
        Reminder.objects.filter(campaign=campaign)
        .select_related("institution", "sent_by")
        .prefetch_related("recipients")
    )


# Spot checks


def spot_check_population(*, year: int, district_id: int | None = None) -> QuerySet[Announcement]:
    """Published, non-test SME notices of a year (and district), in the fixed order (by id) that
    makes a seeded draw reproducible."""
    qs = announcements_published().select_related(None).filter(kind=Kind.SME_RESERVATION, year=year)
    if district_id:
        qs = qs.filter(district_id=district_id)
    return qs.order_by("id")


def population_digest(ids) -> str:
    return hashlib.sha256(",".join(str(i) for i in ids).encode()).hexdigest()


def samples_for_user(*, user) -> QuerySet[SpotCheckSample]:
    if not is_supervisor(user):
        return SpotCheckSample.objects.none()
    return SpotCheckSample.objects.select_related("district", "drawn_by").annotate(
        item_count=Count("items"), checked_count=Count("items", filter=~Q(items__result=""))
    )


def sample_for_user(*, user, pk: int) -> SpotCheckSample:
    try:
        return samples_for_user(user=user).get(pk=pk)
    except SpotCheckSample.DoesNotExist:
        raise Http404 from None


def sample_items(*, sample: SpotCheckSample) -> QuerySet[SpotCheckItem]:
    return sample.items.select_related(
        "announcement__institution", "announcement__district", "announcement__report", "checked_by"
    )


# Departments' written reports (书面报告, 46号 第十八条)


def department_not_filed(*, department: Institution, year: int, counting: str) -> list[str]:
    """The names of the department's units (itself and its active subordinate units) with no
    notice of `year` counted under `counting`: the report names them 未报送."""
    units = department_units(institution=department)
    counted = set(
        Announcement.objects.filter(
            kind=Kind.SME_RESERVATION,
            year=year,
            state__in=COUNTED_STATES[counting],
            is_test=False,
            institution__in=units,
        ).values_list("institution_id", flat=True)
    )
    return [unit.name for unit in units if unit.pk not in counted]


def department_submissions(*, department: Institution, year: int) -> QuerySet[DepartmentReportSubmission]:
    return DepartmentReportSubmission.objects.filter(department=department, year=year).select_related(
        "submitted_by"
    )


@dataclass
class DepartmentReportStatus:
    department: Institution
    latest: DepartmentReportSubmission | None
    submissions: int


def department_reports_for_user(*, user, year: int) -> list[DepartmentReportStatus]:
    """For a finance bureau: each 主管预算单位 of its district (a unit with subordinate units) and
    its latest 书面报告 of `year`, or None when it has not reported. Two queries."""
    if not is_district_finance(user):
        return []
    district_id = user.institution.district_id
    departments = (
        Institution.objects.filter(
            district_id=district_id,
            competent_unit__isnull=True,
            subordinate_units__isnull=False,
            is_test=False,
        )
        .distinct()
        .order_by("name")
    )
    submissions = DepartmentReportSubmission.objects.filter(
        district_id=district_id, year=year
    ).select_related("submitted_by")
    latest, counts = {}, {}
    for s in submissions:  # newest first (Meta.ordering)
        latest.setdefault(s.department_id, s)
        counts[s.department_id] = counts.get(s.department_id, 0) + 1
    return [DepartmentReportStatus(d, latest.get(d.pk), counts.get(d.pk, 0)) for d in departments]


def report_deadline(*, district_id: int, year: int):
    """The district's deadline (a date) for the departments' written reports of `year`, or None."""
    return (
        FilingCampaign.objects.filter(district_id=district_id, year=year)
        .values_list("report_deadline", flat=True)
        .first()
    )


# The 部门决算 check (Hubei's practice)


@dataclass
class FinalAccountCheck:
    """A unit's 决算 figures of a year beside its published notice's SME amount."""

    account: FinalAccount
    notice_public_id: str | None
    notice_sme: Decimal | None
    tolerance: Decimal

    @property
    def difference(self) -> Decimal | None:
        if self.notice_sme is None:
            return None
        return self.notice_sme - self.account.sme_contract_total

    @property
    def disagrees(self) -> bool:
        """No published notice although the 决算 shows SME contracts, or the notice's SME amount
        differs from them by more than the tolerance (% of the 决算 figure; exact, no rounding)."""
        expected = self.account.sme_contract_total
        if self.notice_sme is None:
            return expected > 0
        return abs(self.notice_sme - expected) * 100 > self.tolerance * expected

    @property
    def procurement_share(self) -> Decimal | None:
        """授予中小企业合同金额 ÷ 政府采购支出总额 (%), as the 决算 publishes it."""
        return small_micro_share(
            sme_total=self.account.procurement_total, small_micro_total=self.account.sme_contract_total
        )


def final_account_checks(*, accounts: QuerySet[FinalAccount]) -> list[FinalAccountCheck]:
    """Each 决算 row of `accounts` with its unit's published SME notice of the year (one query).
    The finance bureau's page and the unit's 预警 both read this."""
    published = Announcement.objects.filter(
        institution_id=OuterRef("institution_id"),
        year=OuterRef("year"),
        kind=Kind.SME_RESERVATION,
        state=State.PUBLISHED,
        is_test=False,
    ).order_by("-published_at")
    rows = accounts.select_related("institution").annotate(
        notice_public_id=Subquery(published.values("public_id")[:1]),
        notice_sme=Subquery(published.values("report__sme_total")[:1]),
    )
    tolerance = Decimal(settings.FINAL_ACCOUNTS_TOLERANCE_PERCENT)
    return [FinalAccountCheck(a, a.notice_public_id, a.notice_sme, tolerance) for a in rows]


def final_accounts_for_user(*, user, year: int) -> QuerySet[FinalAccount]:
    """The 决算 figures a finance bureau entered for its district's units; none for anyone else."""
    if not is_district_finance(user):
        return FinalAccount.objects.none()
    return FinalAccount.objects.filter(institution__district_id=user.institution.district_id, year=year)
