"""The policy rules of 财库〔2020〕46号 and 财库〔2022〕19号 (domain.md §3): one table with dates of validity.

A missed rule is a warning that asks for a 说明 before submission, never a refusal to save:
several numbers are of medium confidence (Shanghai's extension of the 40% works rule), so they
stay data here, not constants in the code.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from .enums import ProjectCategory, ReservationOption
from .money import format_share, format_wan, rows_totals, share_below, small_micro_share

PARTIAL_OPTIONS = frozenset(
    {ReservationOption.DEDICATED_LOT, ReservationOption.CONSORTIUM, ReservationOption.SUBCONTRACT}
)


@dataclass(frozen=True)
class PolicyRule:
    code: str
    scope: str  # "row" or "report"
    valid_from: date
    valid_to: date | None = None
    categories: frozenset | None = None  # None: every category (and rows without one)
    budget_above: Decimal | None = None  # applies to budgets strictly above
    budget_up_to: Decimal | None = None  # applies to budgets at most
    expect_whole: bool = False
    min_ratio: Decimal | None = None
    min_small_micro_share: Decimal | None = None
    source: str = ""

    def valid_in(self, year: int) -> bool:
        # A rule counts for a reporting year when its validity overlaps that year.
        return self.valid_from <= date(year, 12, 31) and (
            self.valid_to is None or self.valid_to >= date(year, 1, 1)
        )


GOODS_SERVICES = frozenset({ProjectCategory.GOODS, ProjectCategory.SERVICES})
WORKS = frozenset({ProjectCategory.WORKS})
RULES_46 = date(2021, 1, 1)

POLICY_RULES: tuple[PolicyRule, ...] = (
    PolicyRule("whole_goods_services", "row", RULES_46, categories=GOODS_SERVICES,
               budget_up_to=Decimal("200"), expect_whole=True, source="财库〔2020〕46号 第八条"),
    PolicyRule("whole_works", "row", RULES_46, categories=WORKS,
               budget_up_to=Decimal("400"), expect_whole=True, source="财库〔2020〕46号 第八条"),
    PolicyRule("min_ratio", "row", RULES_46, min_ratio=Decimal("30"), source="财库〔2020〕46号 第八条"),
    # Nationally 2022 H2 only; Shanghai extended it to the end of 2026 (medium confidence).
    PolicyRule("min_ratio_large_works", "row", date(2022, 7, 1), date(2026, 12, 31), categories=WORKS,
               budget_above=Decimal("400"), min_ratio=Decimal("40"), source="财库〔2022〕19号"),
    PolicyRule("small_micro_share", "report", RULES_46, min_small_micro_share=Decimal("60"),
               source="财库〔2020〕46号 第八条"),
)  # fmt: skip


@dataclass(frozen=True)
class PolicyWarning:
    code: str
    message: str
    row_number: int | None = None
    # Policy shortfalls need a 说明 before submission; a repeated link is only a hint.
    requires_explanation: bool = True


def rules_for_year(year: int | None) -> list[PolicyRule]:
    return [r for r in POLICY_RULES if year is None or r.valid_in(year)]


def _row_applies(rule: PolicyRule, row) -> bool:
    if rule.categories is not None and row.category not in rule.categories:
        return False
    if rule.budget_above is not None or rule.budget_up_to is not None:
        if row.budget_amount is None:
            return False  # the data does not allow the check
        if rule.budget_above is not None and not row.budget_amount > rule.budget_above:
            return False
        if rule.budget_up_to is not None and not row.budget_amount <= rule.budget_up_to:
            return False
    return True


def row_policy_warnings(*, row, number: int, year: int | None) -> list[PolicyWarning]:
    """Warnings for one row (an unsaved ReservedProject is fine)."""
    warnings = []
    rules = [r for r in rules_for_year(year) if r.scope == "row" and _row_applies(r, row)]
    for rule in rules:
        if rule.expect_whole and row.option != ReservationOption.WHOLE:
            warnings.append(
                PolicyWarning(
                    rule.code,
                    _(
                        "Row %(number)s: a project with a budget of %(budget)s (10k yuan) should be reserved "
                        "entirely for SMEs."
                    )
                    % {"number": number, "budget": format_wan(row.budget_amount)},
                    number,
                )
            )
    ratio_rules = [r for r in rules if r.min_ratio is not None]
    if row.option in PARTIAL_OPTIONS and row.ratio is not None and ratio_rules:
        strictest = max(ratio_rules, key=lambda r: r.min_ratio)
        if row.ratio < strictest.min_ratio:
            warnings.append(
                PolicyWarning(
                    strictest.code,
                    _(
                        "Row %(number)s: the reserved share of %(ratio)s%% is below the minimum "
                        "of %(minimum)s%%."
                    )
                    % {
                        "number": number,
                        "ratio": format_wan(row.ratio),
                        "minimum": format_wan(strictest.min_ratio),
                    },
                    number,
                )
            )
    return warnings


def policy_warnings(*, rows, year: int | None) -> list[PolicyWarning]:
    """Every warning for a list of rows (saved or not), in row order, then the report-level ones."""
    rows = list(rows)
    warnings = []
    for index, row in enumerate(rows, start=1):
        warnings.extend(row_policy_warnings(row=row, number=index, year=year))
    sme_total, small_micro_total = rows_totals(rows)
    share = small_micro_share(sme_total=sme_total, small_micro_total=small_micro_total)
    for rule in rules_for_year(year):
        if rule.scope == "report" and share_below(
            sme_total=sme_total, small_micro_total=small_micro_total, minimum=rule.min_small_micro_share
        ):
            warnings.append(
                PolicyWarning(
                    rule.code,
                    _("The small/micro share of %(share)s%% is below the minimum of %(minimum)s%%.")
                    % {"share": format_share(share), "minimum": format_wan(rule.min_small_micro_share)},
                )
            )
    links = Counter(row.contract_url for row in rows if row.contract_url)
    for index, row in enumerate(rows, start=1):
        if row.contract_url and links[row.contract_url] > 1:
            warnings.append(
                PolicyWarning(
                    "duplicate_link",
                    _("Row %(number)s: the same contract link appears in more than one row.")
                    % {"number": index},
                    index,
                    requires_explanation=False,
                )
            )
    return warnings


def report_policy_warnings(*, report, rows=None) -> list[PolicyWarning]:
    """Warnings for a saved report (or for `rows` typed but not saved yet)."""
    if rows is None:
        rows = list(report.rows.all())
    return policy_warnings(rows=rows, year=report.year)
