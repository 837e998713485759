"""Writes of reports and their rows. Callers (announcements) decide whether content may change.

Every function here is keyword-only; totals are recomputed from the rows on every row write,
never typed.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from .enums import DataSource
from .forms import ROW_FIELDS
from .models import Report, ReservedProject
from .money import quantize_wan
from .rules import report_policy_warnings


def report_create(*, institution, year: int, created_by=None, competent_unit_name: str = "") -> Report:
    """Create an empty report. Side effect: one Report row. The competent unit defaults to the institution's."""
    report = Report(
        institution=institution,
        year=year,
        competent_unit_name=competent_unit_name or institution.competent_unit_or_self.name,
        created_by=created_by,
    )
    report.full_clean()
    report.save()
    return report


def report_update(*, report: Report, competent_unit_name: str, explanation: str) -> Report:
    """Save 主管预算单位 and 说明. Side effect: updates the Report row."""
    report.competent_unit_name = competent_unit_name
    report.explanation = explanation
    report.full_clean(exclude=["institution", "created_by"])
    report.save(update_fields=["competent_unit_name", "explanation", "updated_at"])
    return report


def _build_rows(report: Report, rows: list[dict], start: int) -> list[ReservedProject]:
    objects = []
    for offset, data in enumerate(rows):
        row = ReservedProject(report=report, position=start + offset, **{k: data.get(k) for k in ROW_FIELDS})
        row.code = row.code or ""
        row.category = row.category or ""
        for field in ("sme_amount", "small_micro_amount", "budget_amount"):
            value = getattr(row, field)
            if value is not None:
                setattr(row, field, quantize_wan(Decimal(value)))
        # The row form has checked the same rules as the check constraints, which the database
        # enforces anyway; validating them again here would cost one query per row and constraint.
        row.full_clean(exclude=["report"], validate_constraints=False)
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
    """Recompute and store the SME and small/micro totals from the rows. Side effect: updates the Report row."""
    zero = Decimal("0")
    field = ReservedProject._meta.get_field("sme_amount")
    totals = report.rows.aggregate(
        sme=Coalesce(Sum("sme_amount"), zero, output_field=field),
        small_micro=Coalesce(Sum("small_micro_amount"), zero, output_field=field),
    )
    report.sme_total = quantize_wan(Decimal(totals["sme"]))
    report.small_micro_total = quantize_wan(Decimal(totals["small_micro"]))
    report.save(update_fields=["sme_total", "small_micro_total", "data_source", "updated_at"])
    return report


def report_submit_problems(*, report: Report) -> list[str]:
    """Reasons a submission must be refused (empty list: it may go). Reads only."""
    problems = []
    rows = list(report.rows.all())
    if not rows:
        problems.append(_("Add at least one reserved project before submitting."))
    needs_explanation = [w for w in report_policy_warnings(report=report, rows=rows) if w.requires_explanation]
    if needs_explanation and not report.explanation.strip():
        problems.append(
            _("A policy threshold is missed (%(warnings)s): fill in the explanation before submitting.")
            % {"warnings": "; ".join(w.message for w in needs_explanation)}
        )
    return problems

