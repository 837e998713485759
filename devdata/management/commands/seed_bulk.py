"""Bulk published notices for the benchmark: `manage.py seed_bulk --notices N --rows R`.

Each notice is what a publication through the workflow leaves behind, written in bulk:
- new budget units, each with a handler (创建人 and submitter) and a purchaser reviewer; every
  district's finance bureau gets one finance reviewer (`bulk-finance-<code>`), once;
- the report and its rows with totals from `reservations.money.rows_totals`, each row dated in
  its year with its stored verdict (`reservations.services.row_verdict_store`) and a reason where
  it misses a threshold, and a 说明 wherever `reservations.rules.policy_warnings` asks for one
  (a submit without them would be refused);
- the frozen text from the one renderer (`reservations.rendering.render_notice`, dated as
  `announcements.rendering.notice_date` dates it) and the search fields of `public.search`;
- the flow log: submit, purchaser approval, finance approval (and the revocation of revoked
  notices) with actors, the states of the workflow's transitions table, times and
  `announcements.workflow.snapshot_of` snapshots.
Everything goes through bulk_create in batches (one transaction each), so 100,000 notices × 8 rows
take minutes, not hours. Each run adds new institutions (one notice per institution and year, as
the database requires); it never changes existing rows.
"""

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import connection, reset_queries, transaction
from django.utils import timezone, translation

from accounts.enums import POSITION_GROUP_NAMES, InstitutionKind, Position
from accounts.models import District, Institution, User
from announcements.enums import Action, State
from announcements.models import Announcement, FlowLogEntry
from announcements.rendering import notice_date
from announcements.services import default_title
from announcements.workflow import TRANSITIONS, snapshot_of
from devdata.names import DISTRICT_UNITS, GIVEN_NAMES, PLACES, SUBJECTS, SUFFIXES, SURNAMES, UNIT_KINDS
from public.cache import bump_public_cache
from public.search import grams_for, search_text_parts
from reservations.enums import ReservationOption, ShortfallReason, VerdictStatus
from reservations.models import Report, ReservedProject
from reservations.money import WAN_QUANTUM, rows_totals
from reservations.rendering import render_notice
from reservations.rules import has_small_micro_shortfall, policy_warnings
from reservations.services import row_verdict_store
from reservations.verdict import rules_for_region

YEARS = (2021, 2022, 2023, 2024, 2025)
PARTIAL_OPTIONS = [c for c in ReservationOption.values if c != ReservationOption.WHOLE]
PUBLICATION = (Action.SUBMIT, Action.PURCHASER_APPROVE, Action.FINANCE_APPROVE)
REVOKE_REASON = "数据填报有误,撤回后重新发布"
# The 说明 for what the policy rules flag, by rule code; {rows} lists the row numbers.
EXPLANATIONS = {
    "whole_goods_services": "第{rows}行项目需统一组织实施,未整体预留,已通过其他预留措施面向中小企业采购。",
    "whole_works": "第{rows}行工程需统一组织实施,未整体预留,已设置面向中小企业的专门措施。",
    "min_ratio": "第{rows}行项目适宜由中小企业承担的内容有限,预留比例低于规定比例。",
    "min_ratio_large_works": "第{rows}行工程专业性强,适宜由中小企业承担的部分有限,预留比例低于规定比例。",
    "small_micro_share": "部分项目的成交供应商为中型企业,小微企业采购额占比未达到规定比例。",
}
OTHER_EXPLANATION = "第{rows}行项目未达到政策要求的原因已在采购文件中说明。"


def money(rng, low, high) -> Decimal:
    # Cents and sometimes the fen-precision sixth decimal of 万元, never a float; stored precision.
    cents = Decimal(rng.randrange(int(low * 10000), int(high * 10000))) / Decimal(10000)
    return (cents + Decimal(rng.choice((0, 0, 0, rng.randrange(1, 99)))) / Decimal(1000000)).quantize(
        WAN_QUANTUM
    )


def explanation_for(warnings) -> str:
    """A 说明 that names what the policy rules flag, row by row; empty when nothing is flagged."""
    flagged: dict[str, list[int]] = {}
    for warning in warnings:
        if warning.requires_explanation:
            flagged.setdefault(warning.code, []).append(warning.row_number)
    return "".join(
        EXPLANATIONS.get(code, OTHER_EXPLANATION).format(
            rows="、".join(str(n) for n in sorted({n for n in numbers if n is not None}))
        )
        for code, numbers in flagged.items()
    )


def submit_snapshot(notice, rows) -> dict:
    """`snapshot_of(notice, with_rows=True)` from the rows this batch has just written (and no
    attachments: seeded notices have none), instead of two queries per notice."""
    return snapshot_of(notice, with_rows=True, rows=rows, attachments=[])


@dataclass(frozen=True)
class Timeline:
    drafted: datetime
    submitted: datetime
    reviewed: datetime
    published: datetime
    revoked: datetime | None

    @classmethod
    def random(cls, rng, now: datetime, *, revoked: bool) -> "Timeline":
        # Most notices from the last three years, a few within the NEW window.
        published = now - timedelta(seconds=rng.randrange(3 * 365 * 86400))
        if rng.random() < 0.01:
            published = now - timedelta(seconds=rng.randrange(3 * 86400))
        submitted = published - timedelta(days=2)
        return cls(
            drafted=submitted - timedelta(seconds=rng.randrange(86400, 30 * 86400)),
            submitted=submitted,
            reviewed=submitted + timedelta(seconds=rng.randrange(3600, 86400)),
            published=published,
            revoked=published + min(timedelta(days=1), (now - published) / 2) if revoked else None,
        )


@contextmanager
def stamped_as_given(*models) -> Iterator[None]:
    """bulk_create stamps auto_now and auto_now_add fields with the present; seeded history keeps
    the times it was given (a notice published two years ago was submitted two years ago)."""
    fields = [
        f
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class Command(BaseCommand):
    help = "Create N published notices with R rows each, fast, for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--notices", type=int, default=1000)
        parser.add_argument("--rows", type=int, default=8)
        parser.add_argument("--batch", type=int, default=2000)
        parser.add_argument("--seed", type=int, default=20261125)
        parser.add_argument("--revoked-share", type=float, default=0.01)

    def handle(self, *args, notices, rows, batch, seed, revoked_share, **options):
        rng = random.Random(seed + Institution.objects.count())
        serial = Institution.objects.count()
        districts = list(District.objects.exclude(code="310000"))
        groups = {
            position: Group.objects.get(name=POSITION_GROUP_NAMES[position]).pk
            for position in (Position.HANDLER, Position.PURCHASER_REVIEWER, Position.FINANCE_REVIEWER)
        }
        started = time.monotonic()
        done = 0
        # Titles and notice texts in the site's language, whatever the shell's locale.
        with translation.override(settings.LANGUAGE_CODE):
            finance = self._finance_reviewers(rng, districts, groups[Position.FINANCE_REVIEWER])
            while done < notices:
                size = min(batch, notices - done)
                with transaction.atomic(), stamped_as_given(Report, Announcement, FlowLogEntry):
                    serial = self._batch(rng, districts, finance, groups, size, rows, revoked_share, serial)
                done += size
                # DEBUG (which installs this app) keeps the SQL of every query: megabytes per batch.
                reset_queries()
                self.stdout.write(f"{done}/{notices} notices ({time.monotonic() - started:.0f} s)")
        if connection.vendor == "postgresql":
            # Fresh statistics let the planner pick the search indexes (public.search).
            with connection.cursor() as cursor:
                for table in (
                    "announcements_announcement",
                    "announcements_flowlogentry",
                    "reservations_reservedproject",
                    "reservations_report",
                    "accounts_institution",
                    "accounts_user",
                ):
                    # VACUUM (it also settles the GIN indexes) cannot run inside a transaction.
                    verb = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
                    cursor.execute(f"{verb} {table}")
        bump_public_cache()
        self.stdout.write(
            self.style.SUCCESS(f"Created {done} notices × {rows} rows in {time.monotonic() - started:.1f} s")
        )

    def _finance_reviewers(self, rng, districts, group_id) -> dict[int, User]:
        """One finance reviewer per district, at its finance bureau (created when missing)."""
        reviewers = {}
        for district in districts:
            bureau = (
                Institution.objects.filter(
                    district=district, kind=InstitutionKind.FINANCE_BUREAU, is_active=True
                )
                .order_by("pk")
                .first()
            )
            if bureau is None:
                name = "上海市财政局" if district.code == "319900" else f"上海市{district.name}财政局"
                bureau = Institution.objects.create(
                    name=name, district=district, kind=InstitutionKind.FINANCE_BUREAU
                )
            user, created = User.objects.get_or_create(
                username=f"bulk-finance-{district.code}",
                defaults={
                    "full_name": rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES),
                    "institution": bureau,
                    "password": make_password(None),
                },
            )
            if created:
                user.groups.add(group_id)
            reviewers[district.pk] = user
        return reviewers

    def _staff(self, rng, institutions, groups) -> list[tuple[User, User]]:
        """A handler and a purchaser reviewer for each new institution (no usable password)."""
        roles = (("handler", groups[Position.HANDLER]), ("reviewer", groups[Position.PURCHASER_REVIEWER]))
        users = [
            User(
                username=f"bulk-{institution.pk}-{role}",
                full_name=rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES),
                institution=institution,
                password=make_password(None),
            )
            for institution in institutions
            for role, _group in roles
        ]
        User.objects.bulk_create(users)
        membership = User.groups.through
        membership.objects.bulk_create(
            [membership(user_id=user.pk, group_id=roles[index % 2][1]) for index, user in enumerate(users)]
        )
        return list(zip(users[::2], users[1::2], strict=True))

    def _rows(self, rng, year, rows_per) -> list[ReservedProject]:
        rows = []
        for position in range(rows_per):
            subject, category = rng.choice(SUBJECTS)
            sme = money(rng, 5, 400)
            small = min(sme, (sme * Decimal(rng.randint(40, 100)) / 100).quantize(WAN_QUANTUM))
            # Most projects are reserved whole; the others reserve a share of a larger budget.
            if rng.random() < 0.7:
                option, ratio = ReservationOption.WHOLE, Decimal("100.00")
                budget = sme * Decimal(rng.randint(100, 130)) / 100
            else:
                option, ratio = (
                    rng.choice(PARTIAL_OPTIONS),
                    Decimal(rng.choice(("30.00", "35.00", "40.00", "50.00", "60.00"))),
                )
                budget = sme * 100 / ratio * Decimal(rng.randint(100, 120)) / 100
            rows.append(
                ReservedProject(
                    position=position,
                    name=f"{year}年度{subject}{rng.choice(SUFFIXES)}",
                    code=f"SH{year}{rng.randrange(10**7):07d}",
                    category=category,
                    option=option,
                    ratio=ratio,
                    budget_amount=budget.quantize(WAN_QUANTUM),
                    sme_amount=sme,
                    small_micro_amount=small,
                    contract_url=f"https://www.zfcg.sh.gov.cn/site/detail?contractId={rng.randrange(10**12)}",
                    # A date in the report year (not drawn: the random stream stays as it was).
                    procurement_date=date(year, 1 + position % 12, 1 + position % 28),
                )
            )
        return rows

    def _batch(self, rng, districts, finance, groups, size, rows_per, revoked_share, serial) -> int:
        now = timezone.now()
        # Each new institution files one notice for each of several years.
        institutions = []
        plan = []  # (institution index, year)
        while len(plan) < size:
            district = rng.choice(districts)
            serial += 1
            if district.code == "319900" or rng.random() < 0.25:
                name = (
                    f"上海市{'' if district.code == '319900' else district.name}{rng.choice(DISTRICT_UNITS)}"
                )
            else:
                name = f"上海市{district.name}{rng.choice(PLACES)}{rng.choice(UNIT_KINDS)}"
            name = f"{name}(第{serial}号)" if rng.random() < 0.02 else name
            institutions.append(Institution(name=name, district=district, kind=InstitutionKind.BUDGET_UNIT))
            years = rng.sample(YEARS, rng.randint(1, len(YEARS)))
            plan.extend((len(institutions) - 1, y) for y in years)
        plan = plan[:size]
        Institution.objects.bulk_create(institutions)
        staff = self._staff(rng, institutions, groups)

        timelines = [Timeline.random(rng, now, revoked=rng.random() < revoked_share) for _ in plan]
        reports, by_report = [], []
        rules_by_region = {}
        for (i, year), timeline in zip(plan, timelines, strict=True):
            institution = institutions[i]
            mine = self._rows(rng, year, rows_per)
            # Stored with the verdict the services would store (the same function), and a reason
            # on each shortfall row, as a unit's submission needs.
            region = institution.district.code
            rules = rules_by_region.get(region)
            if rules is None:  # read once per district and batch, not once per notice
                rules = rules_by_region[region] = rules_for_region(region=region)
            for row in mine:
                row.shortfall_reason = ShortfallReason.values[row.position % len(ShortfallReason.values)]
                row_verdict_store(row, region=region, rules=rules, year=year)
            warnings = policy_warnings(rows=mine, year=year, region=region, rules=rules)
            sme_total, small_micro_total = rows_totals(mine)
            reports.append(
                Report(
                    institution=institution,
                    year=year,
                    competent_unit_name=institution.name
                    if rng.random() < 0.6
                    else f"上海市{institution.district.name}{rng.choice(DISTRICT_UNITS)}",
                    explanation=explanation_for(warnings),
                    needs_explanation=any(r.verdict_status == VerdictStatus.SHORTFALL for r in mine),
                    small_micro_below=has_small_micro_shortfall(warnings),
                    sme_total=sme_total,
                    small_micro_total=small_micro_total,
                    created_by=staff[i][0],
                    created_at=timeline.drafted,
                    updated_at=timeline.drafted,
                )
            )
            by_report.append(mine)
        Report.objects.bulk_create(reports)
        for report, mine in zip(reports, by_report, strict=True):
            for row in mine:
                row.report = report
        ReservedProject.objects.bulk_create([row for mine in by_report for row in mine], batch_size=5000)

        notices, steps = [], []
        for report, mine, (i, year), timeline in zip(reports, by_report, plan, timelines, strict=True):
            institution, (handler, reviewer) = institutions[i], staff[i]
            finance_reviewer = finance[institution.district_id]
            title = default_title(institution=institution, year=year)[:200]
            notice = Announcement(
                institution=institution,
                district=institution.district,
                year=year,
                report=report,
                title=title,
                state=State.REVOKED if timeline.revoked else State.PUBLISHED,
                created_by=handler,
                submitted_by=handler,
                submitted_at=timeline.submitted,
                approved_at=timeline.published,
                published_at=timeline.published,
                revoked_at=timeline.revoked,
                revoke_reason=REVOKE_REASON if timeline.revoked else "",
                view_count=rng.randrange(500),
                created_at=timeline.drafted,
                updated_at=timeline.revoked or timeline.published,
            )
            notice.published_html = str(
                render_notice(report=report, title=title, notice_date=notice_date(notice), rows=mine)
            )
            parts = search_text_parts(
                title=title,
                unit=institution.name,
                competent_unit=report.competent_unit_name,
                project_names=[r.name for r in mine],
            )
            notice.search_text, notice.search_grams = "\n".join(parts), grams_for(parts)
            taken = [
                (PUBLICATION[0], handler, timeline.submitted, ""),
                (PUBLICATION[1], reviewer, timeline.reviewed, ""),
                (PUBLICATION[2], finance_reviewer, timeline.published, ""),
            ]
            if timeline.revoked:
                taken.append((Action.REVOKE, finance_reviewer, timeline.revoked, REVOKE_REASON))
            # Version 1 at creation, 2 after the rows were saved, one more per transition: the
            # snapshot of each step is taken after its transition, as the workflow takes it.
            for number, (action, actor, at, reason) in enumerate(taken, start=1):
                notice.version = 2 + number
                snapshot = submit_snapshot(notice, mine) if action == Action.SUBMIT else snapshot_of(notice)
                steps.append((notice, TRANSITIONS[action], actor, at, reason, snapshot))
            notices.append(notice)
        Announcement.objects.bulk_create(notices)
        FlowLogEntry.objects.bulk_create(
            [
                FlowLogEntry(
                    announcement=notice,
                    actor=actor,
                    action=transition.action.value,
                    from_state=transition.from_states[0],
                    to_state=transition.to_state,
                    reason=reason,
                    snapshot=snapshot,
                    created_at=at,
                )
                for notice, transition, actor, at, reason, snapshot in steps
            ],
            batch_size=5000,
        )
        return serial
