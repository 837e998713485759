"""Writes of reports and their rows. Callers (announcements) decide whether content may change.

Every function here is keyword-only; totals are recomputed from the rows on every row write,
never typed.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from .columns import ROW_FIELDS
from .enums import DataSource
from .models import Report, ReportUnit, ReservedProject
from .money import quantize_wan
from .rules import has_small_micro_shortfall, report_policy_warnings, shortfall_rows
from .validators import normalize_contract_link
from .verdict import missed_text, notice_region, row_verdict, rules_for_region

# The fields the verdict fills; a bulk update of rows writes them with the row's own fields.
VERDICT_FIELDS = ["verdict", "verdict_status", "verdict_missed"]


def report_create(*, institution, year: int, created_by=None, competent_unit_name: str = "") -> Report:
    """Create an empty report. Side effect: one Report row. 主管预算单位 defaults to the institution's."""
    report = Report(
        institution=institution,
        year=year,
        competent_unit_name=competent_unit_name or institution.competent_unit_or_self.name,
        created_by=created_by,
    )
    report.full_clean(exclude=["created_by"])
    report.save()
    return report


def report_update(*, report: Report, competent_unit_name: str, explanation: str) -> Report:
    """Save 主管预算单位 and 说明. Side effect: updates the Report row."""
    report.competent_unit_name = competent_unit_name
    report.explanation = explanation
    report.full_clean(exclude=["institution", "created_by"])
    report.save(update_fields=["competent_unit_name", "explanation", "updated_at"])
    return report


def _check_row_constraints(row: ReservedProject) -> None:
    # The model's check constraints in Python, so a caller that skipped the row form gets a
    # ValidationError instead of an IntegrityError halfway through a bulk insert.
    if row.sme_amount is None or row.sme_amount <= 0:
        raise ValidationError({"sme_amount": _("The SME procurement amount must be above 0.")})
    if row.small_micro_amount is None or not (0 <= row.small_micro_amount <= row.sme_amount):
        raise ValidationError(
            {"small_micro_amount": _("The small/micro amount cannot exceed the SME procurement amount.")}
        )
    if row.ratio is None or not (0 < row.ratio <= 100):
        raise ValidationError({"ratio": _("The reserved share must be above 0 and at most 100.")})


def row_verdict_store(row: ReservedProject, *, region: str, rules, year: int | None) -> bool:
    """Set the row's stored verdict from `row_verdict` (not saved: the caller writes the row).
    Returns whether it changed. A row that misses nothing keeps no 未达标原因."""
    verdict = row_verdict(row, region=region, rules=rules, year=year)
    data, missed = verdict.as_json(), missed_text(verdict)
    reason = row.shortfall_reason if verdict.needs_explanation else ""
    changed = (data, verdict.status, missed, reason) != (
        row.verdict,
        row.verdict_status,
        row.verdict_missed,
        row.shortfall_reason,
    )
    row.verdict, row.verdict_status, row.verdict_missed = data, verdict.status, missed
    row.shortfall_reason = reason
    return changed


def _build_rows(report: Report, rows: list[dict], start: int) -> list[ReservedProject]:
    objects = []
    region = notice_region(report)
    rules = rules_for_region(region=region)
    for offset, data in enumerate(rows):
        row = ReservedProject(report=report, position=start + offset, **{k: data.get(k) for k in ROW_FIELDS})
        row.shortfall_reason = data.get("shortfall_reason") or ""
        row.code = row.code or ""
        row.category = row.category or ""
        for field in ("sme_amount", "small_micro_amount", "budget_amount"):
            value = getattr(row, field)
            if value is not None:
                setattr(row, field, quantize_wan(Decimal(value)))
        # The check constraints mirror the row form's rules and the database enforces them;
        # validating them here would cost a query per row and constraint. The contract link gets
        # the stricter host check instead of URLField's generic (and slow, on 5,000 rows) regex.
        row.contract_url = normalize_contract_link(row.contract_url)
        _check_row_constraints(row)
        row.full_clean(exclude=["report", "contract_url", *VERDICT_FIELDS], validate_constraints=False)
        row_verdict_store(row, region=region, rules=rules, year=report.year)
        objects.append(row)
    return objects


@transaction.atomic
def report_rows_save(*, report: Report, rows: list[dict], data_source: str | None = None) -> Report:
    """Replace all rows of the report by `rows` (cleaned data of the row form, in order).

    Side effects: deletes and recreates the ReservedProject rows, stores the totals, and sets the
    data source when given. Nothing is written when a row is invalid (ValidationError).
    """
    objects = _build_rows(report, rows, start=0)
    report.rows.all().delete()
    ReservedProject.objects.bulk_create(objects, batch_size=500)
    if data_source:
        report.data_source = data_source
    return report_totals_refresh(report=report)


@transaction.atomic
def report_rows_import(*, report: Report, rows: list[dict], replace: bool) -> Report:
    """Add imported rows after the existing ones, or replace them all. Marks the report 数据来源 Excel导入.

    Side effects: ReservedProject rows written, totals stored, data_source set to EXCEL.
    """
    if replace:
        return report_rows_save(report=report, rows=rows, data_source=DataSource.EXCEL)
    last = report.rows.order_by("-position").values_list("position", flat=True).first()
    objects = _build_rows(report, rows, start=0 if last is None else last + 1)
    ReservedProject.objects.bulk_create(objects, batch_size=500)
    report.data_source = DataSource.EXCEL
    return report_totals_refresh(report=report)


def report_totals_refresh(*, report: Report) -> Report:
    """Recompute and store the SME and small/micro totals from the rows, and whether a row misses
    the small/micro minimum (the rule function's answer, for oversight's counts). Side effect:
    updates the Report."""
    zero = Decimal("0")
    field = ReservedProject._meta.get_field("sme_amount")
    totals = report.rows.aggregate(
        sme=Coalesce(Sum("sme_amount"), zero, output_field=field),
        small_micro=Coalesce(Sum("small_micro_amount"), zero, output_field=field),
    )
    report.sme_total = quantize_wan(Decimal(totals["sme"]))
    report.small_micro_total = quantize_wan(Decimal(totals["small_micro"]))
    warnings = report_policy_warnings(report=report)
    report.small_micro_below = has_small_micro_shortfall(warnings)
    report.needs_explanation = any(w.requires_explanation for w in warnings)
    report.save(
        update_fields=[
            "sme_total",
            "small_micro_total",
            "small_micro_below",
            "needs_explanation",
            "data_source",
            "updated_at",
        ]
    )
    return report


def report_flags_refresh(*, report: Report) -> bool:
    """Recompute the rows' stored verdicts and the report's `small_micro_below` and
    `needs_explanation` from the rules in force now (a rule changed in the admin). The caller
    chooses which reports: never one whose notice is approved or published (their verdicts stay
    as approved). Returns whether anything changed. Side effects: updates the changed rows'
    verdict fields and those two report fields; `updated_at` stays (the data did not change, so
    no department sees a difference)."""
    region = notice_region(report)
    rules = rules_for_region(region=region)
    rows = list(report.rows.all())
    changed_rows = [
        row for row in rows if row_verdict_store(row, region=region, rules=rules, year=report.year)
    ]
    if changed_rows:
        ReservedProject.objects.bulk_update(
            changed_rows, [*VERDICT_FIELDS, "shortfall_reason"], batch_size=500
        )
    warnings = report_policy_warnings(report=report, rows=rows)
    below = has_small_micro_shortfall(warnings)
    needs = any(w.requires_explanation for w in warnings)
    if (below, needs) == (report.small_micro_below, report.needs_explanation):
        return bool(changed_rows)
    Report.objects.filter(pk=report.pk).update(small_micro_below=below, needs_explanation=needs)
    report.small_micro_below, report.needs_explanation = below, needs
    return True


class SubmitProblem(str):
    """One reason a submission is refused: its words (it is the string), and the row (序号) or
    field to fix, so the edit page links each refusal to its place; `details` are the warnings
    behind it. A str, so the workflow's refusal message joins them as before."""

    row_number: int | None
    field: str
    details: tuple

    def __new__(cls, text, row_number=None, field="", details=()):
        problem = super().__new__(cls, text)
        problem.row_number, problem.field, problem.details = row_number, field, tuple(details)
        return problem


def report_submit_problems(*, report: Report) -> list[SubmitProblem]:
    """Every reason a submission must be refused (empty list: it may go), in the order the edit
    page lists them: no rows; each 无法判断; each shortfall row without its reason; the 说明
    missing. Reads only."""
    problems = []
    rows = list(report.rows.all())
    if not rows:
        problems.append(
            SubmitProblem(_("Add at least one reserved project before submitting."), field="rows")
        )
    warnings = report_policy_warnings(report=report, rows=rows)
    problems.extend(
        SubmitProblem(w.message, row_number=w.row_number) for w in warnings if w.blocks_submission
    )
    for number in shortfall_rows(warnings):
        if not rows[number - 1].shortfall_reason:
            problems.append(
                SubmitProblem(
                    _("Row %(number)s misses a policy threshold: choose the reason for the shortfall.")
                    % {"number": number},
                    row_number=number,
                    field="shortfall_reason",
                )
            )
    needs_explanation = [w for w in warnings if w.requires_explanation]
    if needs_explanation and not report.explanation.strip():
        problems.append(
            SubmitProblem(
                _("A policy threshold is missed (%(warnings)s): fill in the explanation before submitting.")
                % {"warnings": "; ".join(w.message for w in needs_explanation)},
                field="explanation",
                details=tuple(needs_explanation),
            )
        )
    return problems


# The row fields a department report copies from a unit's report (all but identity and place),
# read from the model so that a field added to rows is copied too.
COPIED_ROW_FIELDS = [
    f.name
    for f in ReservedProject._meta.concrete_fields
    if f.name not in ("id", "report", "position", "unit", *VERDICT_FIELDS)
]


def _plain(value):
    return None if value is None else str(value)


def report_canonical(*, report: Report) -> dict:
    """A unit report's data (说明 and rows) as plain JSON, to tell whether it changed since a
    department compiled it. Reads the rows (prefetch `rows` to read none)."""
    return {
        "report": report.pk,
        "explanation": report.explanation,
        "rows": [
            {
                name: _plain(getattr(row, name))
                for name in COPIED_ROW_FIELDS
                # Left out when empty, so units compiled before the reason existed do not all differ.
                if name != "shortfall_reason" or row.shortfall_reason
            }
            for row in report.rows.all()
        ],
    }


@transaction.atomic
def department_report_compile(*, report: Report, units: list[tuple]) -> Report:
    """Fill a department report (部门汇总) from its units: `units` is [(institution, unit report
    or None)] in display order; None lists the unit as 未报送.

    Side effects: replaces the report's ReportUnit entries and rows by copies of the units' rows
    (each row keeps its `unit`), then stores the department totals and 数据来源 COMPILED. The
    copies are the frozen snapshot: later changes to a unit's report do not reach them until
    compiled again.
    """
    report.units.all().delete()
    report.rows.all().delete()
    entries, rows = [], []
    region = notice_region(report)
    rules = rules_for_region(region=region)
    for index, (institution, source) in enumerate(units):
        entries.append(
            ReportUnit(
                report=report,
                institution=institution,
                position=index,
                filed=source is not None,
                source_report=source,
                explanation=source.explanation if source is not None else "",
                source_data=report_canonical(report=source) if source is not None else {},
            )
        )
        for row in source.rows.all() if source is not None else ():
            copy = ReservedProject(
                report=report,
                position=len(rows),
                unit=institution,
                **{name: getattr(row, name) for name in COPIED_ROW_FIELDS},
            )
            # Judged again with the department notice's region and year: the same function.
            row_verdict_store(copy, region=region, rules=rules, year=report.year)
            rows.append(copy)
    ReportUnit.objects.bulk_create(entries)
    ReservedProject.objects.bulk_create(rows, batch_size=500)
    report.data_source = DataSource.COMPILED  # 数据来源: 汇总下级单位公告
    return report_totals_refresh(report=report)
