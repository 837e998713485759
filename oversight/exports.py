"""Excel reports (openpyxl): the dashboard and a spot-check sample.

Every text cell goes through `_cell`: illegal XML characters are stripped and a value that a
spreadsheet would run as a formula (= + - @ first) is stored as plain text.
"""

from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from reservations.money import small_micro_share

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
                _("Notices below a threshold"),
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


PERCENT_FORMAT = "0.00%"
HEADER_ROWS = 6  # title, 报告单位, 年度, 统计口径, 生成时间, blank


def _percent(share: Decimal | None):
    """A share in % as the number Excel formats with "%" (62.5 → 0.625); None stays empty."""
    return None if share is None else share / 100


def _report_header(ws, stats, *, reporting_unit: str) -> None:
    ws.append([_("Report on the SME reserved share and procurement")])
    ws["A1"].font = Font(bold=True, size=14)
    for label, value in (
        (_("Reporting unit"), reporting_unit),
        (pgettext("written report", "Year"), stats.year),
        (_("Notices counted"), stats.counting_label),
        (_("Generated at"), _local(timezone.now())),
    ):
        _write_row(ws, [label, value])
    ws.append([])


# The figures of a statistics line, in the page's order: the 书面报告's tables all show them.
FIGURE_COLUMNS = (
    gettext_lazy("Number of reserved projects"),
    gettext_lazy("Reserved share total (10k yuan)"),
    gettext_lazy("Project budget total (10k yuan)"),
    gettext_lazy("SME procurement amount (10k yuan)"),
    gettext_lazy("Of which small/micro (10k yuan)"),
    gettext_lazy("Small/micro share (%)"),
)
LINE_COLUMNS = (*FIGURE_COLUMNS, gettext_lazy("Projects below a threshold"))
BREAKDOWN_COLUMNS = (gettext_lazy("Units filed"), *FIGURE_COLUMNS)


def _write_figures(ws, before: list, line, after: list = ()) -> None:
    """One row: `before`, the line's figures (amounts in 万元 format, the share a number formatted
    as a percent), then `after`."""
    first = len(before) + 1
    _write_row(
        ws,
        [
            *before,
            line.projects,
            line.reserved,
            line.budget,
            line.sme,
            line.small_micro,
            _percent(line.share),
            *after,
        ],
        money_columns=range(first + 1, first + 5),
    )
    ws.cell(row=ws.max_row, column=first + 5).number_format = PERCENT_FORMAT


def _write_lines(ws, first: str, lines, *, total, shortfall_count) -> None:
    """The figure lines, then the total line when given; `shortfall_count(line)` counts a
    line's rows with a shortfall verdict."""
    _write_row(ws, [first, *[str(c) for c in LINE_COLUMNS]])
    for line, label in [*((line, line.label) for line in lines), *([(total, _("Total"))] if total else [])]:
        _write_figures(ws, [label], line, [shortfall_count(line)])


def _write_breakdowns(ws, stats, *, department: bool) -> None:
    """The statistics page's breakdown tables, in its order and with its columns: by district
    (a finance bureau's or the supervision's report), by project category, by reservation option."""
    breakdowns = [
        *([] if department else [(_("By district"), _("District"), stats.by_district)]),
        (_("By project category"), _("Project category"), stats.by_category),
        (_("By reservation option"), _("Reservation option"), stats.by_option),
    ]
    for heading, first, lines in breakdowns:
        ws.append([])
        _write_row(ws, [heading])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        _write_row(ws, [first, *[str(c) for c in BREAKDOWN_COLUMNS]])
        for line in lines:
            _write_figures(ws, [line.label, line.unit_count], line)


SHORTFALL_COLUMNS = (
    gettext_lazy("Budget unit"),
    gettext_lazy("Project name"),
    gettext_lazy("Project category"),
    gettext_lazy("Reservation option"),
    gettext_lazy("Reserved share (%)"),
    gettext_lazy("Project budget (10k yuan)"),
    gettext_lazy("SME procurement amount (10k yuan)"),
    gettext_lazy("Of which small/micro (10k yuan)"),
    gettext_lazy("Small/micro share (%)"),
    gettext_lazy("Reason for the shortfall"),
    gettext_lazy("Explanation"),
)


def _write_shortfalls(ws, stats, shortfalls) -> None:
    """未达标项目及说明: the shortfall rows grouped by the rule they miss, then counted by reason."""
    ws.append([])
    _write_row(ws, [_("Projects below a threshold and explanations")])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    groups = stats.by_rule(shortfalls)
    if not groups:
        _write_row(ws, [_("None.")])
    for group in groups:
        _write_row(ws, [_("Rule: %(rule)s") % {"rule": group.label}])
        ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
        _write_row(ws, [str(c) for c in SHORTFALL_COLUMNS])
        for s in group.rows:
            _write_row(
                ws,
                [
                    s.unit,
                    s.project,
                    s.category,
                    s.option,
                    s.ratio,
                    s.budget,
                    s.sme,
                    s.small_micro,
                    _percent(s.share),
                    s.reason_label,
                    s.explanation,
                ],
                money_columns=(6, 7, 8),
            )
            ws.cell(row=ws.max_row, column=9).number_format = PERCENT_FORMAT
    ws.append([])
    _write_row(ws, [_("Shortfalls by reason"), _("Number of projects")])
    ws.cell(row=ws.max_row, column=1).font = Font(bold=True)
    for label, count in stats.by_reason(shortfalls):
        _write_row(ws, [label, count])


def statistics_workbook(stats, *, reporting_unit: str, not_filed=None) -> bytes:
    """面向中小企业预留份额和采购情况报告. `not_filed` is given for a 主管预算单位's report (its units
    not reported, named): its summary has one line per unit. Otherwise (a finance bureau's or the
    supervision's) one line per department, and one sheet per department. Same figures as the
    statistics page (both read oversight.statistics.statistics_for)."""
    widths = (36, 30, 12, 14, 18, 18, 18, 12, 14, 20, 50)
    with translation.override(settings.LANGUAGE_CODE):
        wb = Workbook()
        ws = wb.active
        ws.title = _sheet_title(_("Summary"), set())
        used = {ws.title}
        _report_header(ws, stats, reporting_unit=reporting_unit)
        if not_filed is not None:
            _write_lines(
                ws,
                _("Budget unit"),
                stats.by_unit,
                total=stats.total,
                shortfall_count=lambda line: len([s for s in stats.shortfalls if s.unit == line.label]),
            )
            _write_row(ws, [_("Units not reported"), "、".join(not_filed) or _("None.")])
        else:
            _write_lines(
                ws,
                _("Competent budget unit"),
                stats.by_department,
                total=stats.total,
                shortfall_count=lambda line: len(stats.shortfalls_of(line.label)),
            )
        _write_breakdowns(ws, stats, department=not_filed is not None)
        _write_shortfalls(ws, stats, stats.shortfalls)
        _widths(ws, widths)
        for department in stats.by_department if not_filed is None else []:
            own = stats.shortfalls_of(department.label)
            sheet = wb.create_sheet(_sheet_title(department.label, used))
            _report_header(sheet, stats, reporting_unit=department.label)
            _write_lines(
                sheet,
                _("Competent budget unit"),
                [department],
                total=None,
                shortfall_count=lambda line: len(stats.shortfalls_of(line.label)),
            )
            _write_shortfalls(sheet, stats, own)
            _widths(sheet, widths)
        return _save(wb)


def _widths(ws, widths) -> None:
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
