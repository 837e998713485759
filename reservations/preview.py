"""What the editor shows beside the rows: totals, the small/micro share and the policy warnings,
for saved rows and for rows typed but not saved alike. Reads only; writes nothing."""

from dataclasses import dataclass

from .money import format_share, format_wan, rows_totals, small_micro_share
from .rules import PolicyWarning, policy_warnings


@dataclass(frozen=True)
class ReportPreview:
    sme_total: str
    small_micro_total: str
    share: str
    warnings: list[PolicyWarning]

    def as_context(self) -> dict:
        return {
            "sme_total": self.sme_total,
            "small_micro_total": self.small_micro_total,
            "share": self.share,
            "warnings": self.warnings,
        }


def report_preview(
    *, rows, year: int | None, region: str, rules=None, published_links=frozenset()
) -> ReportPreview:
    """Totals, share and warnings of `rows` (saved ReservedProjects or unsaved ones), under the
    rules of `region` (the district code of the rows' notice: required), or the `rules` given
    (callers previewing many reports read the rules table once). Saved rows speak with their
    stored verdict, typed ones with `verdict.row_verdict`: the same function."""
    rows = list(rows)
    sme_total, small_micro_total = rows_totals(rows)
    share = small_micro_share(sme_total=sme_total, small_micro_total=small_micro_total)
    return ReportPreview(
        sme_total=format_wan(sme_total),
        small_micro_total=format_wan(small_micro_total),
        share=format_share(share),
        warnings=policy_warnings(
            rows=rows, year=year, region=region, rules=rules, published_links=published_links
        ),
    )


@dataclass(frozen=True)
class ReviewRow:
    number: int
    name: str
    code: str
    category: str | None  # None: 未填 (a row saved before the field was required)
    budget: str | None
    option: str
    ratio: str
    sme_amount: str
    small_micro_amount: str
    procurement_date: object
    contract_url: str
    warnings: list
    shortfall: bool = False  # the row misses a threshold (its stored verdict)
    reason: str = ""  # 未达标原因, the label of the closed list; "" when none was chosen
    unit: str = ""  # 预算单位 of a department notice's row (部门汇总); "" in a unit's own notice


@dataclass(frozen=True)
class ReportReview:
    """What a reviewer needs beside the decision buttons: every row with its budget and category,
    the warnings row by row, the totals and share, and the 说明."""

    rows: list[ReviewRow]
    warnings: list[PolicyWarning]
    sme_total: str
    small_micro_total: str
    share: str
    explanation: str
    needs_explanation: bool
    by_unit: bool = False  # a department notice: each row names its 预算单位


def report_review(*, report, published_links=frozenset()) -> ReportReview:
    """Reads the report's rows with their stored verdicts (a few queries); writes nothing."""
    from .enums import ProjectCategory, ReservationOption, ShortfallReason
    from .rules import SHORTFALL, report_policy_warnings

    rows = list(report.rows.select_related("unit"))
    warnings = report_policy_warnings(report=report, rows=rows, published_links=published_links)
    reasons = dict(ShortfallReason.choices)
    by_row: dict[int, list] = {}
    for warning in warnings:
        by_row.setdefault(warning.row_number, []).append(warning)
    categories, options = dict(ProjectCategory.choices), dict(ReservationOption.choices)
    share = small_micro_share(sme_total=report.sme_total, small_micro_total=report.small_micro_total)
    return ReportReview(
        rows=[
            ReviewRow(
                number=index,
                name=row.name,
                code=row.code,
                category=str(categories[row.category]) if row.category in categories else None,
                budget=format_wan(row.budget_amount) if row.budget_amount is not None else None,
                option=str(options.get(row.option, row.option)),
                ratio=format_wan(row.ratio),
                sme_amount=format_wan(row.sme_amount),
                small_micro_amount=format_wan(row.small_micro_amount),
                procurement_date=row.procurement_date,
                contract_url=row.contract_url,
                warnings=by_row.get(index, []),
                shortfall=any(w.kind == SHORTFALL for w in by_row.get(index, [])),
                reason=str(reasons.get(row.shortfall_reason, "")),
                unit=row.unit.name if row.unit_id else "",
            )
            for index, row in enumerate(rows, start=1)
        ],
        warnings=warnings,
        sme_total=format_wan(report.sme_total),
        small_micro_total=format_wan(report.small_micro_total),
        share=format_share(share),
        explanation=report.explanation.strip(),
        needs_explanation=any(w.requires_explanation for w in warnings),
        by_unit=any(row.unit_id for row in rows),
    )
