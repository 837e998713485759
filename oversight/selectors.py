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

from announcements.enums import Kind, State
from announcements.models import Announcement
from announcements.selectors import FINANCE_VISIBLE_STATES, announcements_published
from reservations.money import small_micro_share

from .enums import UnitStatus
from .models import CampaignUnit, FilingCampaign, Reminder, SpotCheckItem, SpotCheckSample
from .rules import is_district_finance, is_supervisor, local_date, small_micro_threshold

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
    threshold: Decimal

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
    how many of those carry a 说明. One aggregate query for all the campaigns."""
    campaigns = list(campaigns)
    if not campaigns:
        return []
    published = Q(required=True, live__state=State.PUBLISHED)
    # The stored flag: set when the rows were saved, by the rule function the editor and the
    # submit check call (a row of a project above the 第八条 thresholds below the small/micro minimum).
    below = Q(live__report__small_micro_below=True)
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
                threshold=small_micro_threshold(campaign.year),
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
