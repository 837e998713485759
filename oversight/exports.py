"""Excel reports (openpyxl): the dashboard and a spot-check sample.

Every text cell goes through `_cell`: illegal XML characters are stripped and a value that a
spreadsheet would run as a formula (= + - @ first) is stored as plain text.
"""

from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from reservations.money import format_share, small_micro_share

from .enums import CheckResult, SampleSize, UnitStatus
from .rules import SHANGHAI
from .tables import notice_url

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "0.000000"


def _local(value):
    return timezone.localtime(value, SHANGHAI).replace(tzinfo=None) if value else None


def _write_row(ws, values, *, money_columns=()):
    ws.append([None] * len(values))
    row = ws.max_row
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col)
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
            cell.value = value
            if value.startswith(FORMULA_START):
                # Text, never a formula: a notice title like "=HYPERLINK(...)" stays inert.
                cell.data_type = "s"
        else:
            cell.value = value
        if col in money_columns and value is not None:
            cell.number_format = MONEY_FORMAT
        elif hasattr(value, "hour"):
            cell.number_format = "yyyy-mm-dd hh:mm"


def _finish(ws, widths):
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"


def _save(wb) -> bytes:
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def dashboard_workbook(summaries, units) -> bytes:
    """Sheet 1: one row per district (campaign); sheet 2: one row per unit of those campaigns.
    `units` are annotated CampaignUnit rows (selectors.annotated_units)."""
    with translation.override(settings.LANGUAGE_CODE):
        wb = Workbook()
        ws = wb.active
        ws.title = _("Districts")
        _write_row(
            ws,
            [
                _("District"),
                _("Reporting year"),
                _("Deadline"),
                _("Units required"),
                _("Units published"),
                _("Units excused"),
                _("Filing rate (%)"),
                _("SME total (10k yuan)"),
                _("Small/micro total (10k yuan)"),
                _("Small/micro share (%)"),
                _("Below the small/micro threshold"),
                _("Of which with an explanation"),
            ],
        )
        for s in summaries:
            _write_row(
                ws,
                [
                    s.campaign.district.name,
                    s.campaign.year,
                    _local(s.campaign.deadline),
                    s.required,
                    s.filed,
                    s.excused,
                    s.filed_share,
                    s.sme_total,
                    s.small_micro_total,
                    s.small_micro_share,
                    s.below_threshold,
                    s.with_explanation,
                ],
                money_columns=(8, 9),
            )
        _finish(ws, [12, 10, 18, 10, 10, 10, 12, 18, 18, 14, 14, 14])

        detail = wb.create_sheet(_("Units"))
        _write_row(
            detail,
            [
                _("District"),
                _("Budget unit"),
                _("Must file"),
                _("Reason for excusing"),
                _("Status"),
                _("Submitted at"),
                _("Published at"),
                _("Overdue"),
                _("SME total (10k yuan)"),
                _("Small/micro total (10k yuan)"),
                _("Small/micro share (%)"),
                _("Explanation"),
                _("Last reminder"),
            ],
        )
        now = timezone.now()
        for u in units:
            overdue = u.required and now > u.campaign.deadline and u.status != UnitStatus.PUBLISHED
            _write_row(
                detail,
                [
                    u.campaign.district.name,
                    u.institution.name,
                    _("Yes") if u.required else _("No"),
                    u.excuse_reason,
                    str(UnitStatus(u.status).label),
                    _local(u.submitted_at),
                    _local(u.published_at),
                    _("Yes") if overdue else "",
                    u.sme_total,
                    u.small_micro_total,
                    small_micro_share(sme_total=u.sme_total, small_micro_total=u.small_micro_total)
                    if u.sme_total is not None
                    else None,
                    u.explanation or "",
                    _local(u.last_reminder_at),
                ],
                money_columns=(9, 10),
            )
        _finish(detail, [12, 36, 8, 20, 10, 18, 18, 8, 18, 18, 12, 40, 18])
        return _save(wb)


def sample_workbook(sample, items) -> bytes:
    """One sheet: the draw (seed, scope, size) on top, then each sampled notice with its
    contract links and check record."""
    with translation.override(settings.LANGUAGE_CODE):
        wb = Workbook()
        ws = wb.active
        ws.title = _("Spot check")
        size = f"{sample.size_value}%" if sample.size_mode == SampleSize.PERCENT else str(sample.size_value)
        for label, value in (
            (_("Reporting year"), sample.year),
            (_("District"), sample.district.name if sample.district else _("All districts")),
            (_("Sample size"), size),
            (_("Stratified by district"), _("Yes") if sample.stratified else _("No")),
            (_("Random seed"), str(sample.seed)),
            (_("Published notices in scope"), sample.population_size),
            (_("Drawn by"), str(sample.drawn_by or "")),
            (_("Drawn at"), _local(sample.drawn_at)),
        ):
            _write_row(ws, [label, value])
        ws.append([])
        header_row = ws.max_row + 1
        _write_row(
            ws,
            [
                _("No."),
                _("District"),
                _("Publishing unit"),
                _("Notice title"),
                _("Notice link"),
                _("SME total (10k yuan)"),
                _("Small/micro total (10k yuan)"),
                _("Contract links"),
                _("Result"),
                _("Remarks"),
                _("Checker"),
                _("Checked at"),
            ],
        )
        for item in items:
            a = item.announcement
            report = a.report
            link = notice_url(a.public_id)
            links = "\n".join(row.contract_url for row in report.rows.all()) if report else ""
            _write_row(
                ws,
                [
                    item.position,
                    a.district.name,
                    a.institution.name,
                    a.title,
                    f"{settings.SITE_URL}{link}" if link else a.public_id,
                    report.sme_total if report else None,
                    report.small_micro_total if report else None,
                    links,
                    str(CheckResult(item.result).label) if item.result else "",
                    item.remarks,
                    str(item.checked_by or ""),
                    _local(item.checked_at),
                ],
                money_columns=(6, 7),
            )
        _finish(ws, [8, 12, 36, 50, 40, 18, 18, 60, 12, 40, 12, 18])
        ws.freeze_panes = f"A{header_row + 1}"
        return _save(wb)


def _sheet_title(name: str, used: set) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique in the workbook.
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:28] or "sheet"
    title, n = base, 2
    while title in used:
        title, n = f"{base[:26]}({n})", n + 1
    used.add(title)
    return title


def _shortfall_text(shortfalls) -> str:
    return "；".join(
        f"{s.unit}·{s.project}（{format_share(s.share)}%）：{s.explanation or _('no explanation')}"
        for s in shortfalls
    )


REPORT_COLUMNS = (
    gettext_lazy("Reporting unit"),
    gettext_lazy("Year"),
    gettext_lazy("Number of reserved projects"),
    gettext_lazy("Reserved project budget total (10k yuan)"),
    gettext_lazy("SME procurement amount (10k yuan)"),
    gettext_lazy("Of which small/micro (10k yuan)"),
    gettext_lazy("Small/micro share (%)"),
    gettext_lazy("Projects below the threshold and explanations"),
)


def statistics_workbook(stats, *, reporting_unit: str) -> bytes:
    """面向中小企业预留份额和采购情况报告: a summary sheet with one line per department, then one
    sheet per department with its figures and its projects below the threshold. Same figures as
    the statistics page (both read oversight.statistics.statistics_for)."""
    with translation.override(settings.LANGUAGE_CODE):
        wb = Workbook()
        ws = wb.active
        ws.title = _sheet_title(_("Summary"), set())
        used = {ws.title}
        ws.append([_("Report on the SME reserved share and procurement")])
        ws.append([_("Reporting unit"), reporting_unit, _("Year"), stats.year])
        _write_row(ws, [str(c) for c in REPORT_COLUMNS])
        for line in [*stats.by_department, stats.total]:
            shortfalls = stats.shortfalls if line is stats.total else stats.shortfalls_of(line.label)
            _write_row(
                ws,
                [
                    line.label or _("Total"),
                    stats.year,
                    line.projects,
                    line.budget,
                    line.sme,
                    line.small_micro,
                    format_share(line.share),
                    _shortfall_text(shortfalls),
                ],
                money_columns=(4, 5, 6),
            )
        for i, width in enumerate((36, 8, 10, 18, 18, 18, 10, 60), start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        for line in stats.by_department:
            sheet = wb.create_sheet(_sheet_title(line.label, used))
            sheet.append([_("Report on the SME reserved share and procurement")])
            for label, value in zip(
                [str(c) for c in REPORT_COLUMNS[:7]],
                [
                    line.label,
                    stats.year,
                    line.projects,
                    line.budget,
                    line.sme,
                    line.small_micro,
                    format_share(line.share),
                ],
                strict=True,
            ):
                _write_row(sheet, [label, value], money_columns=(2,) if isinstance(value, Decimal) else ())
            sheet.append([])
            _write_row(sheet, [str(REPORT_COLUMNS[7])])
            _write_row(
                sheet,
                [
                    _("Budget unit"),
                    _("Project name"),
                    _("SME procurement amount (10k yuan)"),
                    _("Of which small/micro (10k yuan)"),
                    _("Small/micro share (%)"),
                    _("Explanation"),
                ],
            )
            for s in stats.shortfalls_of(line.label):
                _write_row(
                    sheet,
                    [s.unit, s.project, s.sme, s.small_micro, format_share(s.share), s.explanation],
                    money_columns=(3, 4),
                )
            for i, width in enumerate((36, 30, 18, 18, 12, 50), start=1):
                sheet.column_dimensions[get_column_letter(i)].width = width
        return _save(wb)
