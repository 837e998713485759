"""Upward statistics (domain.md §11): per year, what the budget units reported, by district, by
department (主管预算单位), by 项目属性 and by 预留选项, and the projects with a shortfall verdict
with their unit's 说明. The page and the xlsx report (the 书面报告) both read `statistics_for`.

Which notices count is the reader's choice, said on both: the published ones only, or also those
under finance review (past 采购人初审, the rule of the department notices). Department notices are
copies of their units' rows and are never counted.

Oversight keeps no threshold of its own: a row falls short when its stored verdict
(`ReservedProject.verdict_status`, computed by reservations.verdict.row_verdict with the notice's
region and the row's date) says so, and it is listed under the rules it misses.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from announcements.department import COMPILED_STATES
from announcements.enums import Kind, State
from reservations.enums import ProjectCategory, ReservationOption, ShortfallReason, VerdictStatus
from reservations.models import PolicyRule, ReservedProject
from reservations.money import format_share, format_wan, quantize_wan, small_micro_share
from reservations.verdict import RowVerdict

from .rules import statistics_scope

ZERO = Decimal("0")
HUNDRED = Decimal("100")

# Which notices the figures count: the reader chooses, the page and the report say it.
COUNT_PUBLISHED = "published"
COUNT_REVIEWED = "reviewed"
COUNTED_STATES = {COUNT_PUBLISHED: (State.PUBLISHED,), COUNT_REVIEWED: COMPILED_STATES}
COUNTING_CHOICES = [
    (COUNT_REVIEWED, _("Published and under finance review")),
    (COUNT_PUBLISHED, _("Published only")),
]
NO_REASON = ""


def reserved_share(*, budget: Decimal | None, ratio: Decimal | None) -> Decimal | None:
    """The reserved part of a project's budget (预留份额): budget × reserved share %, to the fen;
    None without a budget."""
    if budget is None or ratio is None:
        return None
    return quantize_wan(Decimal(budget) * Decimal(ratio) / HUNDRED)


@dataclass
class Line:
    """One line of a breakdown: figures summed over reserved projects."""

    key: object
    label: str
    projects: int = 0
    reserved: Decimal = ZERO
    budget: Decimal = ZERO
    without_budget: int = 0
    sme: Decimal = ZERO
    small_micro: Decimal = ZERO
    units: set = field(default_factory=set)

    @property
    def share(self):
        return small_micro_share(sme_total=self.sme, small_micro_total=self.small_micro)

    @property
    def texts(self) -> dict:
        """The amounts as the notices print them (万元 without trailing zeros)."""
        return {
            "reserved": format_wan(self.reserved),
            "budget": format_wan(self.budget),
            "sme": format_wan(self.sme),
            "small_micro": format_wan(self.small_micro),
            "share": format_share(self.share),
        }

    @property
    def unit_count(self) -> int:
        return len(self.units)

    def add(self, row: dict) -> None:
        self.projects += 1
        share = reserved_share(budget=row["budget_amount"], ratio=row["ratio"])
        if share is None:
            self.without_budget += 1
        else:
            self.reserved = quantize_wan(self.reserved + share)
            self.budget = quantize_wan(self.budget + row["budget_amount"])
        self.sme = quantize_wan(self.sme + row["sme_amount"])
        self.small_micro = quantize_wan(self.small_micro + row["small_micro_amount"])
        self.units.add(row["report__institution_id"])


@dataclass
class Missed:
    """One rule a row misses, as its stored verdict records it."""

    code: str
    source: str
    required: Decimal | None
    actual: Decimal | None

    @property
    def actual_text(self) -> str:
        return format_share(self.actual)


@dataclass
class Shortfall:
    department: str
    unit: str
    project: str
    category: str
    option: str
    ratio: Decimal
    budget: Decimal | None
    sme: Decimal
    small_micro: Decimal
    share: Decimal | None
    missed: list[Missed]
    reason: str
    explanation: str

    @property
    def reason_label(self) -> str:
        return str(ShortfallReason(self.reason).label) if self.reason else str(_("Not given"))

    @property
    def texts(self) -> dict:
        return {
            "budget": format_wan(self.budget),
            "sme": format_wan(self.sme),
            "small_micro": format_wan(self.small_micro),
            "share": format_share(self.share),
            "ratio": format_wan(self.ratio),
        }


@dataclass
class RuleGroup:
    """The shortfall rows that miss one rule of the table."""

    code: str
    label: str
    source: str
    rows: list[Shortfall]


@dataclass
class Statistics:
    year: int
    counting: str
    total: Line
    by_district: list[Line]
    by_department: list[Line]
    by_unit: list[Line]
    by_category: list[Line]
    by_option: list[Line]
    shortfalls: list[Shortfall]
    rule_labels: dict = field(default_factory=dict)

    @property
    def counting_label(self) -> str:
        return str(dict(COUNTING_CHOICES)[self.counting])

    def shortfalls_of(self, department: str) -> list[Shortfall]:
        return [s for s in self.shortfalls if s.department == department]

    def by_rule(self, shortfalls=None) -> list[RuleGroup]:
        """The shortfall rows grouped by the rule they miss (a row missing two rules is under
        both), in the rules table's order."""
        groups: dict[str, RuleGroup] = {}
        for s in self.shortfalls if shortfalls is None else shortfalls:
            for m in s.missed:
                if m.code not in groups:
                    groups[m.code] = RuleGroup(m.code, self.rule_labels.get(m.code, m.code), m.source, [])
                groups[m.code].rows.append(s)
        order = list(self.rule_labels)
        return sorted(groups.values(), key=lambda g: order.index(g.code) if g.code in order else len(order))

    def by_reason(self, shortfalls=None) -> list[tuple[str, int]]:
        """(reason label, number of shortfall rows) in the closed list's order, those given first;
        rows without a reason last."""
        counts = Counter(s.reason for s in (self.shortfalls if shortfalls is None else shortfalls))
        lines = [(str(label), counts[value]) for value, label in ShortfallReason.choices if counts[value]]
        if counts[NO_REASON]:
            lines.append((str(_("Not given")), counts[NO_REASON]))
        return lines


def rule_labels() -> dict[str, str]:
    """{rule code: "its region, code and source"} in the table's order, for the group headings."""
    return {rule.code: str(rule) for rule in PolicyRule.objects.all()}


def department_scope(department_id: int) -> Q:
    """A department's rows: the 主管预算单位's own and its subordinate units'."""
    return Q(report__institution_id=department_id) | Q(report__institution__competent_unit_id=department_id)


def statistics_for(
    *,
    user,
    year: int,
    counting: str = COUNT_REVIEWED,
    district_id=None,
    department_id=None,
    category="",
    option="",
) -> Statistics:
    """The figures for `year` over the rows `user` may count (rules.statistics_scope: every
    district, its district, or its department), filtered. Two queries: the rows, and the rules'
    names when a row falls short."""
    scope = statistics_scope(user)
    rows = ReservedProject.objects.none() if scope is None else ReservedProject.objects.filter(scope)
    rows = rows.filter(
        report__announcement__kind=Kind.SME_RESERVATION,
        report__announcement__year=year,
        report__announcement__state__in=COUNTED_STATES[counting],
        report__announcement__is_test=False,
        report__institution__is_test=False,
    )
    if district_id:
        rows = rows.filter(report__announcement__district_id=district_id)
    if department_id:
        rows = rows.filter(department_scope(department_id))
    if category:
        rows = rows.filter(category=category)
    if option:
        rows = rows.filter(option=option)
    values = rows.order_by(
        "report__announcement__district__code", "report__institution__name", "position"
    ).values(
        "name",
        "category",
        "option",
        "ratio",
        "budget_amount",
        "sme_amount",
        "small_micro_amount",
        "verdict",
        "verdict_status",
        "shortfall_reason",
        "report__institution_id",
        "report__institution__name",
        "report__institution__competent_unit_id",
        "report__institution__competent_unit__name",
        "report__explanation",
        "report__announcement__district_id",
        "report__announcement__district__name",
    )
    categories = dict(ProjectCategory.choices)
    options = dict(ReservationOption.choices)
    total = Line(None, "")
    groups = {name: {} for name in ("district", "department", "unit", "category", "option")}
    shortfalls = []

    def line(group, key, label):
        if key not in groups[group]:
            groups[group][key] = Line(key, str(label))
        return groups[group][key]

    for row in values:
        department_key = row["report__institution__competent_unit_id"] or row["report__institution_id"]
        department = row["report__institution__competent_unit__name"] or row["report__institution__name"]
        for target in (
            total,
            line(
                "district",
                row["report__announcement__district_id"],
                row["report__announcement__district__name"],
            ),
            line("department", department_key, department),
            line("unit", row["report__institution_id"], row["report__institution__name"]),
            line("category", row["category"], categories.get(row["category"], "—")),
            line("option", row["option"], options.get(row["option"], row["option"])),
        ):
            target.add(row)
        if row["verdict_status"] != VerdictStatus.SHORTFALL:
            continue
        verdict = RowVerdict.from_json(row["verdict"])
        shortfalls.append(
            Shortfall(
                department=department,
                unit=row["report__institution__name"],
                project=row["name"],
                category=str(categories.get(row["category"], "—")),
                option=str(options.get(row["option"], row["option"])),
                ratio=row["ratio"],
                budget=row["budget_amount"],
                sme=row["sme_amount"],
                small_micro=row["small_micro_amount"],
                share=small_micro_share(
                    sme_total=row["sme_amount"], small_micro_total=row["small_micro_amount"]
                ),
                missed=[Missed(r.rule, r.source, r.required, r.actual) for r in verdict.shortfalls],
                reason=row["shortfall_reason"] or NO_REASON,
                explanation=row["report__explanation"],
            )
        )
    return Statistics(
        year=year,
        counting=counting,
        total=total,
        by_district=list(groups["district"].values()),
        by_department=sorted(groups["department"].values(), key=lambda x: x.label),
        by_unit=list(groups["unit"].values()),
        by_category=list(groups["category"].values()),
        by_option=list(groups["option"].values()),
        shortfalls=shortfalls,
        rule_labels=rule_labels() if shortfalls else {},
    )


def _line_json(line: Line) -> dict:
    return {
        "label": line.label,
        "units": line.unit_count,
        "projects": line.projects,
        "reserved": str(line.reserved),
        "budget": str(line.budget),
        "sme": str(line.sme),
        "small_micro": str(line.small_micro),
        "share": None if line.share is None else str(line.share),
    }


def statistics_snapshot(stats: Statistics, *, not_filed: list[str]) -> dict:
    """The figures of a 书面报告 as JSON, kept with a submission: what the finance bureau received."""
    return {
        "year": stats.year,
        "counting": stats.counting,
        "total": _line_json(stats.total),
        "units": [_line_json(line) for line in stats.by_unit],
        "not_filed": not_filed,
        "shortfalls": [
            {
                "unit": s.unit,
                "project": s.project,
                "rules": [m.code for m in s.missed],
                "reason": s.reason,
                "explanation": s.explanation,
            }
            for s in stats.shortfalls
        ],
        "by_reason": [[label, count] for label, count in stats.by_reason()],
    }
