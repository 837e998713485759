"""Upward statistics (domain.md §11): per year, what the budget units reported, by district, by
department (主管预算单位), by 项目属性 and by 预留选项, and the projects below the small/micro
threshold with their unit's 说明. The page and the xlsx report both read `statistics_for`.

A unit counts once its own notice of the year has passed 采购人初审 (the same rule as the
department notices). Department notices are copies of their units' rows and are never counted.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from announcements.department import COMPILED_STATES
from announcements.enums import Kind
from reservations.enums import ProjectCategory, ReservationOption
from reservations.models import ReservedProject
from reservations.money import format_wan, quantize_wan, share_below, small_micro_share

from .rules import is_supervisor, small_micro_threshold

ZERO = Decimal("0")


@dataclass
class Line:
    """One line of a breakdown: figures summed over reserved projects."""

    key: object
    label: str
    projects: int = 0
    budget: Decimal = ZERO
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
            "budget": format_wan(self.budget),
            "sme": format_wan(self.sme),
            "small_micro": format_wan(self.small_micro),
        }

    @property
    def unit_count(self) -> int:
        return len(self.units)

    def add(self, row: dict) -> None:
        self.projects += 1
        self.budget = quantize_wan(self.budget + (row["budget_amount"] or ZERO))
        self.sme = quantize_wan(self.sme + row["sme_amount"])
        self.small_micro = quantize_wan(self.small_micro + row["small_micro_amount"])
        self.units.add(row["report__institution_id"])


@dataclass
class Shortfall:
    department: str
    unit: str
    project: str
    sme: Decimal
    small_micro: Decimal
    share: Decimal | None
    explanation: str

    @property
    def texts(self) -> dict:
        return {"sme": format_wan(self.sme), "small_micro": format_wan(self.small_micro)}


@dataclass
class Statistics:
    year: int
    threshold: Decimal
    total: Line
    by_district: list[Line]
    by_department: list[Line]
    by_category: list[Line]
    by_option: list[Line]
    shortfalls: list[Shortfall]

    def shortfalls_of(self, department: str) -> list[Shortfall]:
        return [s for s in self.shortfalls if s.department == department]


def statistics_scope(user) -> Q | None:
    """The rows a user may count: a supervisor every district, a finance bureau its own; None for
    anyone else."""
    if is_supervisor(user):
        return Q()
    institution = getattr(user, "institution", None)
    if institution is None:
        return None
    return Q(report__announcement__district_id=institution.district_id)


def statistics_for(
    *, user, year: int, district_id=None, department_id=None, category="", option=""
) -> Statistics:
    """The figures for `year` that `user` may see, filtered. Reads one query of rows."""
    scope = statistics_scope(user)
    rows = ReservedProject.objects.none() if scope is None else ReservedProject.objects.filter(scope)
    rows = rows.filter(
        report__announcement__kind=Kind.SME_RESERVATION,
        report__announcement__year=year,
        report__announcement__state__in=COMPILED_STATES,
        report__announcement__is_test=False,
        report__institution__is_test=False,
    )
    if district_id:
        rows = rows.filter(report__announcement__district_id=district_id)
    if department_id:
        rows = rows.filter(
            Q(report__institution_id=department_id) | Q(report__institution__competent_unit_id=department_id)
        )
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
        "budget_amount",
        "sme_amount",
        "small_micro_amount",
        "report__institution_id",
        "report__institution__name",
        "report__institution__competent_unit_id",
        "report__institution__competent_unit__name",
        "report__explanation",
        "report__announcement__district_id",
        "report__announcement__district__name",
    )
    threshold = small_micro_threshold(year)
    categories = dict(ProjectCategory.choices)
    options = dict(ReservationOption.choices)
    total = Line(None, "")
    groups = {name: {} for name in ("district", "department", "category", "option")}
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
            line("category", row["category"], categories.get(row["category"], "—")),
            line("option", row["option"], options.get(row["option"], row["option"])),
        ):
            target.add(row)
        if share_below(
            sme_total=row["sme_amount"], small_micro_total=row["small_micro_amount"], minimum=threshold
        ):
            shortfalls.append(
                Shortfall(
                    department=department,
                    unit=row["report__institution__name"],
                    project=row["name"],
                    sme=row["sme_amount"],
                    small_micro=row["small_micro_amount"],
                    share=small_micro_share(
                        sme_total=row["sme_amount"], small_micro_total=row["small_micro_amount"]
                    ),
                    explanation=row["report__explanation"],
                )
            )
    return Statistics(
        year=year,
        threshold=threshold,
        total=total,
        by_district=list(groups["district"].values()),
        by_department=sorted(groups["department"].values(), key=lambda x: x.label),
        by_category=list(groups["category"].values()),
        by_option=list(groups["option"].values()),
        shortfalls=shortfalls,
    )
