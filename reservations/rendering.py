"""The notice text of domain.md §5, generated from typed data. One template, one function:
the edit preview, the review page and the public page all call `render_notice`."""

from datetime import date

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .enums import ReservationOption
from .money import format_share, format_wan, rows_totals, small_micro_share
from .rules import report_policy_warnings


def notice_context(
    *, report, title: str, notice_date: date, rows=None, shortfall: bool | None = None
) -> dict:
    """The values of the notice text. `rows` (unsaved ReservedProject objects) override the saved
    ones; `shortfall` (whether some row of the whole notice misses a threshold) is given by a
    caller that shows only the first rows, else read from the rows' verdicts."""
    if rows is None:
        rows = list(report.rows.all())
        sme_total, small_micro_total = report.sme_total, report.small_micro_total
    else:
        sme_total, small_micro_total = rows_totals(rows)
    labels = dict(ReservationOption.choices)
    # 46号 第十八条: a shortfall is explained, and the explanation is published with the notice.
    if shortfall is None:
        shortfall = any(w.requires_explanation for w in report_policy_warnings(report=report, rows=rows))
    return {
        "title": title,
        "year": report.year,
        "sme_total": format_wan(sme_total),
        "small_micro_total": format_wan(small_micro_total),
        "share": format_share(small_micro_share(sme_total=sme_total, small_micro_total=small_micro_total)),
        "rows": [
            {
                "number": index,
                "name": row.name,
                "option": labels.get(row.option, row.option),
                "ratio": format_wan(row.ratio),
                "sme_amount": format_wan(row.sme_amount),
                "small_micro_amount": format_wan(row.small_micro_amount),
                "contract_url": row.contract_url,
            }
            for index, row in enumerate(rows, start=1)
        ],
        "shortfall": shortfall,
        "explanation": report.explanation.strip(),
        "competent_unit_name": report.competent_unit_name,
        "notice_date": notice_date,
    }


def render_notice(*, report, title: str, notice_date: date, rows=None) -> SafeString:
    """The official notice text as HTML (autoescaped). Reads the rows unless `rows` is given."""
    context = notice_context(report=report, title=title, notice_date=notice_date, rows=rows)
    return render_notice_context(context)


def render_notice_context(context: dict) -> SafeString:
    """The notice text of a `notice_context` (seed_bulk renders one context per shape of notice
    and fills in the values of each; it checks the result against `render_notice`)."""
    return SafeString(render_to_string("reservations/notice_text.html", context))


def department_notice_context(*, report, title: str, notice_date: date) -> dict:
    """The values of a department notice (部门汇总): the department totals as in `notice_context`,
    then per filed unit its rows, subtotals (小计) and 说明, and the units that did not file."""
    context = notice_context(report=report, title=title, notice_date=notice_date)
    by_unit: dict[int, list] = {}
    # 序号 runs through the whole department notice, as the warnings and the reviewer's 明细 count
    # rows ("第4行" is the fourth row of the table, whatever its unit).
    number_of: dict[int, int] = {}
    for index, row in enumerate(report.rows.all(), start=1):
        by_unit.setdefault(row.unit_id, []).append(row)
        number_of[row.pk] = index
    groups, not_filed = [], []
    for unit in report.units.all():
        if not unit.filed:
            not_filed.append(unit.institution.name)
            continue
        unit_rows = by_unit.get(unit.institution_id, [])
        # The unit's part reads exactly as the unit's own notice would: same rounding, same rows.
        part = notice_context(report=report, title=title, notice_date=notice_date, rows=unit_rows)
        for line, row in zip(part["rows"], unit_rows, strict=True):
            line["number"] = number_of[row.pk]
        groups.append(
            {
                "name": unit.institution.name,
                "rows": part["rows"],
                "sme_total": part["sme_total"],
                "small_micro_total": part["small_micro_total"],
                "share": part["share"],
                # The unit's 说明 is published where its own rows miss a threshold, as in its notice.
                "shortfall": part["shortfall"],
                "explanation": unit.explanation.strip(),
            }
        )
    context.update(
        {
            "groups": groups,
            "not_filed": not_filed,
            "explanation": report.explanation.strip(),
            "unit_count": len(groups),
            "unit_explanations": [g for g in groups if g["shortfall"]],
        }
    )
    return context


def render_department_notice(*, report, title: str, notice_date: date) -> SafeString:
    """A department notice as HTML: department totals, the table grouped by unit with a 小计 line
    per unit, then the 说明. Prefetch `units__institution` and `rows` to read two queries."""
    context = department_notice_context(report=report, title=title, notice_date=notice_date)
    return SafeString(render_to_string("reservations/department_notice_text.html", context))
