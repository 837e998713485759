"""The policy rules (domain.md §3) as warnings: what the editor, the submit check, the review
panel and the department page say about rows.

The rules themselves are data: `PolicyRule` rows (loaded by data migrations, regional variants
added in the admin), each with its region, dates of validity and cited source. Whether a row
meets them is decided once, by `verdict.row_verdict`, and stored with the row; this module only
words a verdict (the stored one, or one computed for a row typed but not saved yet).

A missed rule is a warning that asks for a 说明 (never a refusal to save). A rule that cannot be
checked because the row lacks its 项目属性, 项目预算 or procurement date says so (无法判断) and
asks for the data; it never passes silently. An SME amount above the project budget cannot be
right (the reserved part is part of the project): the row form refuses it at save and import,
and the submit check refuses a row stored before. Plausibility hints (a lot far from ratio ×
budget, the same link twice) ask for nothing.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from .enums import ReservationOption, RuleKind, VerdictStatus
from .money import format_share, format_wan
from .verdict import (
    HINT_OUTSIDE_YEAR,
    HINT_RATIO_FRACTION,
    MISSING_BUDGET,
    MISSING_CATEGORY,
    PARTIAL_OPTIONS,
    RowVerdict,
    notice_region,
    region_matches,
    row_hints,
    row_verdict,
    rules_for_region,
    stored_verdict,
)

__all__ = ["PARTIAL_OPTIONS", "region_matches"]

SHORTFALL = "shortfall"  # a threshold missed: the 说明 is required and published
MISSING_DATA = "missing_data"  # 无法判断: the row lacks what the rule needs; submission waits for it
HINT = "hint"  # plausibility: shown, asks for nothing
# Figures that cannot be right whatever the rules: the row form refuses them; a row stored before
# (or compiled from a unit's notice) is refused at submit.
REFUSED_CODES = frozenset({"sme_above_budget"})


@dataclass(frozen=True)
class PolicyWarning:
    code: str
    message: str
    row_number: int | None = None
    kind: str = SHORTFALL
    source: str = ""
    project: str = ""
    rule_kind: str = ""

    @property
    def requires_explanation(self) -> bool:
        return self.kind == SHORTFALL

    @property
    def blocks_submission(self) -> bool:
        return self.kind == MISSING_DATA or self.code in REFUSED_CODES


def default_region() -> str:
    """The region whose rules the guide and the admin list; never used to judge a row."""
    return settings.POLICY_DEFAULT_REGION


def rules_in_force(*, region: str | None = None, year: int | None = None) -> list:
    """The active rules of `region` (a district code; the default region for the guide's list)
    whose validity overlaps `year`. For listing only: a row is judged by `verdict.row_verdict`
    with its own date, never by rules filtered by the report year. One query."""
    rules = rules_for_region(region=region or default_region())
    if year is not None:
        start, end = date(year, 1, 1), date(year, 12, 31)
        rules = [r for r in rules if r.valid_from <= end and (r.valid_to is None or r.valid_to >= start)]
    return rules


def region_rules_note(region: str | None = None) -> str:
    """One sentence saying which rules a region runs on: the national rows alone, or those and
    its own rows (each with its cited source). For the admin's rule list and the guide."""
    from accounts.models import District

    region = region or default_region()
    own = [r for r in rules_in_force(region=region) if r.region_code]
    name = District.objects.filter(code=region).values_list("name", flat=True).first() or region
    if not own:
        return _(
            "%(region)s (%(code)s) runs on the national rules: no rule of its own with a cited source "
            "has been added."
        ) % {"region": name, "code": region}
    return _("%(region)s (%(code)s) runs on the national rules and %(count)s rules of its own.") % {
        "region": name,
        "code": region,
        "count": len(own),
    }


def small_micro_minimum(*, year: int, region: str | None = None) -> Decimal | None:
    """The small/micro minimum (%) in force for a year: what oversight prints beside its count."""
    minima = [
        r.minimum for r in rules_in_force(region=region, year=year) if r.kind == RuleKind.MIN_SMALL_MICRO
    ]
    return max(minima) if minima else None


# --- a verdict in words ---


def _shortfall_message(result, row, number: int) -> str:
    if result.kind == RuleKind.WHOLE:
        return _(
            "Row %(number)s: a project with a budget of %(budget)s (10k yuan) should be reserved entirely "
            "for SMEs (%(source)s)."
        ) % {"number": number, "budget": format_wan(row.budget_amount), "source": result.source}
    if result.kind == RuleKind.MIN_RATIO:
        return _(
            "Row %(number)s: the reserved share of %(ratio)s%% is below the minimum of %(minimum)s%% "
            "(%(source)s)."
        ) % {
            "number": number,
            "ratio": format_wan(result.actual),
            "minimum": format_wan(result.required),
            "source": result.source,
        }
    return _(
        "Row %(number)s: the small/micro share of the reserved amount is %(share)s%%, below the minimum of "
        "%(minimum)s%% (%(source)s)."
    ) % {
        "number": number,
        "share": format_share(result.actual),
        "minimum": format_wan(result.required),
        "source": result.source,
    }


def _missing_words(results) -> list[str]:
    words = {
        MISSING_CATEGORY: _("project category"),
        MISSING_BUDGET: _("project budget"),
    }
    parts = [str(words.get(m, _("procurement or contract date"))) for r in results for m in r.missing]
    return list(dict.fromkeys(parts)) or [str(_("procurement or contract date"))]


def verdict_for(row, *, region: str, rules, year: int | None) -> RowVerdict:
    """The row's stored verdict, or one computed through `row_verdict` for a row typed but not
    saved (or saved before verdicts were stored). A stored pass is answered from its status
    alone (its hints are the row's own, recomputed): 5,000 rows are not decoded for nothing."""
    if getattr(row, "verdict_status", "") == VerdictStatus.PASS:
        return RowVerdict(status=VerdictStatus.PASS, region=region, hints=row_hints(row, year=year))
    return stored_verdict(row) or row_verdict(row, region=region, rules=rules, year=year)


def row_policy_warnings(*, row, number: int, verdict: RowVerdict) -> list[PolicyWarning]:
    """The warnings of one row (an unsaved ReservedProject is fine) from its verdict."""
    warnings = [
        PolicyWarning(
            result.rule,
            _shortfall_message(result, row, number),
            number,
            SHORTFALL,
            result.source,
            row.name,
            result.kind,
        )
        for result in verdict.speaking
    ]
    undecided = verdict.unknowns
    if undecided:
        # One warning per row, naming every missing value and every rule it leaves unchecked.
        sources = "、".join(sorted({r.source for r in undecided}))
        warnings.append(
            PolicyWarning(
                "undecidable",
                _(
                    "Row %(number)s: cannot tell whether %(source)s is met without the %(missing)s: "
                    "please fill it in."
                )
                % {"number": number, "source": sources, "missing": "、".join(_missing_words(undecided))},
                number,
                MISSING_DATA,
                sources,
                row.name,
            )
        )
    warnings.extend(_plausibility(row, number, verdict))
    return warnings


def _hint(code: str, message: str, row, number: int) -> PolicyWarning:
    return PolicyWarning(code, message, number, HINT, project=row.name)


def _plausibility(row, number: int, verdict: RowVerdict) -> list[PolicyWarning]:
    hints = []
    budget = row.budget_amount
    if HINT_OUTSIDE_YEAR in verdict.hints:
        hints.append(
            _hint(
                HINT_OUTSIDE_YEAR,
                _(
                    "Row %(number)s: the procurement or contract date %(date)s is outside the report year: "
                    "please check the date (the rules of that date apply)."
                )
                % {"number": number, "date": row.procurement_date.isoformat()},
                row,
                number,
            )
        )
    if HINT_RATIO_FRACTION in verdict.hints:
        hints.append(
            _hint(
                HINT_RATIO_FRACTION,
                _(
                    "Row %(number)s: a reserved share of %(ratio)s%% is below 1%%: was %(percent)s%% meant? "
                    "The share is typed in per cent (30 for 30%%)."
                )
                % {
                    "number": number,
                    "ratio": format_wan(row.ratio),
                    "percent": format_wan(row.ratio * 100),
                },
                row,
                number,
            )
        )
    if budget is not None and row.sme_amount is not None and row.sme_amount > budget:
        hints.append(
            _hint(
                "sme_above_budget",
                _(
                    "Row %(number)s: the SME amount %(amount)s is above the project budget %(budget)s "
                    "(10k yuan): it cannot exceed the budget; correct the row before submitting."
                )
                % {"number": number, "amount": format_wan(row.sme_amount), "budget": format_wan(budget)},
                row,
                number,
            )
        )
    if (
        row.option == ReservationOption.DEDICATED_LOT
        and budget is not None
        and row.ratio is not None
        and row.sme_amount is not None
    ):
        expected = budget * row.ratio / 100
        tolerance = Decimal(str(settings.PLAUSIBLE_LOT_TOLERANCE))
        if expected and abs(row.sme_amount - expected) > expected * tolerance:
            hints.append(
                _hint(
                    "lot_far_from_ratio",
                    _(
                        "Row %(number)s: the SME amount %(amount)s is far from the reserved share × budget "
                        "(%(expected)s, 10k yuan): please check the figures."
                    )
                    % {
                        "number": number,
                        "amount": format_wan(row.sme_amount),
                        "expected": format_wan(expected),
                    },
                    row,
                    number,
                )
            )
    return hints


def policy_warnings(
    *, rows, year: int | None, region: str, rules=None, published_links=frozenset()
) -> list[PolicyWarning]:
    """Every warning for a list of rows (saved or not), in row order, under the rules of `region`
    (the district code of the rows' notice: required). `rules` are read once when None;
    `published_links` are the contract links of other published notices (the caller knows
    publication, this app does not). Reads the rules table at most once; writes nothing."""
    rows = list(rows)
    if rules is None:
        rules = rules_for_region(region=region)
    warnings = []
    for index, row in enumerate(rows, start=1):
        verdict = verdict_for(row, region=region, rules=rules, year=year)
        warnings.extend(row_policy_warnings(row=row, number=index, verdict=verdict))
    links = Counter(row.contract_url for row in rows if row.contract_url)
    for index, row in enumerate(rows, start=1):
        if row.contract_url and links[row.contract_url] > 1:
            warnings.append(
                _hint(
                    "duplicate_link",
                    _("Row %(number)s: the same contract link appears in more than one row.")
                    % {"number": index},
                    row,
                    index,
                )
            )
        if row.contract_url and row.contract_url in published_links:
            warnings.append(
                _hint(
                    "link_published_elsewhere",
                    _(
                        "Row %(number)s: the same contract link is in another published notice: is the "
                        "project reported twice?"
                    )
                    % {"number": index},
                    row,
                    index,
                )
            )
    warnings.sort(key=lambda w: w.row_number or 0)
    return warnings


def report_region(report) -> str:
    """The district code whose rules judge the report's rows (its notice's region)."""
    return notice_region(report)


def report_policy_warnings(*, report, rows=None, published_links=frozenset()) -> list[PolicyWarning]:
    """Warnings for a saved report (or for `rows` typed but not saved yet), under its notice's region."""
    if rows is None:
        rows = list(report.rows.all())
    return policy_warnings(
        rows=rows, year=report.year, region=report_region(report), published_links=published_links
    )


def has_small_micro_shortfall(warnings) -> bool:
    """Some row misses a small/micro minimum (the stored Report flag)."""
    return any(w.kind == SHORTFALL and w.rule_kind == RuleKind.MIN_SMALL_MICRO for w in warnings)


def shortfall_rows(warnings) -> list[int]:
    """序号 of the rows that miss a threshold (each needs a reason and the 说明)."""
    return sorted({w.row_number for w in warnings if w.kind == SHORTFALL and w.row_number})
