"""Excel import and export of reserved-project rows (openpyxl).

Import runs in phases (pretix): check the file, read every row, validate each through the same
`ReservedProjectForm` as the web page collecting (row, column, message); the caller saves only
when there is no error. Export writes from a generator of rows; cells that a spreadsheet would
take for a formula are written as text, XML-illegal characters are stripped.
"""

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.workbooks import (
    WorkbookRefused,
    deadline_after,
    sheet_rows,
    workbook_bytes,
    workbook_check,
    workbook_open,
)

from .columns import ROW_COLUMNS
from .enums import ProjectCategory, ReservationOption
from .forms import ReservedProjectForm
from .money import format_share, quantize_wan, small_micro_share, to_decimal
from .xlsx import XLSX_CONTENT_TYPE  # noqa: F401 - the content type of the files made here

MAX_IMPORT_ROWS = 10_000
FORMULA_PREFIXES = ("=", "+", "-", "@")
MONEY_FIELDS = {"ratio", "budget_amount", "sme_amount", "small_micro_amount"}


class SpreadsheetError(Exception):
    """The file as a whole cannot be read (size, type, headers); its message is for the user."""


@dataclass
class RowError:
    row: int
    column: str
    message: str
    # The cell as the file holds it, so the user finds it even when the sheet was sorted since.
    value: str = ""


@dataclass
class ImportResult:
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def headers() -> list[str]:
    """Column headers in the official (Chinese) wording, whatever the user's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return [_("No.")] + [str(label) for _name, label in ROW_COLUMNS]


def _label_maps() -> dict[str, dict[str, str]]:
    # A cell may hold the Chinese label, the current language's label or the stored value.
    maps = {}
    for name, enum in (("option", ReservationOption), ("category", ProjectCategory)):
        mapping = {}
        for value, label in enum.choices:
            mapping[value] = value
            mapping[str(label)] = value
            with translation.override(settings.LANGUAGE_CODE):
                mapping[str(enum(value).label)] = value
        maps[name] = mapping
    return maps


def _cell_text(name: str, value) -> str:
    if value is None:
        return ""
    if name in MONEY_FIELDS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(to_decimal(value))  # a float goes through str, never into the Decimal directly
    if hasattr(value, "date") and hasattr(value, "hour"):
        return value.date().isoformat()  # a date cell arrives as a datetime at midnight
    return str(value).strip()


# What openpyxl raises on a damaged workbook: zip and deflate errors, a missing part, and XML
# that does not parse (ParseError and lxml's XMLSyntaxError are SyntaxErrors; expat's own
# amplification limit and defusedxml's refusals arrive as one of these too).
BROKEN_WORKBOOK_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    IndexError,
    ValueError,
    OSError,
    TypeError,
    SyntaxError,
)


def _cell_value(name: str, cell, formula) -> object:
    """A cell's value for the row form. A number a formula computed (60.20399999999999) is rounded
    to the fen, half up, instead of refused; a ratio formatted as a percentage (0.3 shown as 30%)
    reads as 30. A typed number keeps every digit, so 1.0000001 is still refused."""
    value = cell.value
    if name not in MONEY_FIELDS or isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    number = to_decimal(value)
    if number is None:  # inf or NaN: the row form refuses the cell as it is
        return value
    if name == "ratio" and "%" in (getattr(cell, "number_format", "") or ""):
        number = number * 100
    if isinstance(formula, str) and formula.startswith("="):
        number = quantize_wan(number)
        if name == "ratio":
            number = number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return number.normalize() if number == number.to_integral() else number


def _shown(value) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return _("empty")
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def check_file(upload) -> bytes:
    """The upload's bytes once the cheap file-level checks pass (size, type, unpacked size), read
    before anything is stored or queued. Raises SpreadsheetError with a message for the user."""
    try:
        return workbook_bytes(upload)
    except WorkbookRefused as refused:
        raise SpreadsheetError(str(refused)) from None


# A formula cell in the sheet XML: <f>…</f>, <f t="shared" …/>, or with a namespace prefix.
FORMULA_TAG = re.compile(rb"<(?:[A-Za-z0-9_]+:)?f[\s>/]")


def _has_formulas(content: bytes) -> bool:
    """Whether any worksheet of the workbook holds a formula (read in chunks: a sheet may unpack
    to IMPORT_MAX_UNPACKED_BYTES)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                if not name.startswith("xl/worksheets/") or not name.endswith(".xml"):
                    continue
                with archive.open(name) as member:
                    tail = b""
                    while chunk := member.read(1 << 20):
                        if FORMULA_TAG.search(tail + chunk):
                            return True
                        tail = chunk[-16:]
    except BROKEN_WORKBOOK_ERRORS:
        return True  # let openpyxl say what is wrong
    return False


def read_rows(upload, *, progress=None) -> ImportResult:
    """Read and validate every row of an uploaded .xlsx. Raises SpreadsheetError for file-level
    problems. `progress(done, total)` is called every PROGRESS_EVERY rows (total: None when the
    sheet does not say how many rows it has)."""
    return read_content(check_file(upload), progress=progress)


def read_content(content: bytes, *, progress=None) -> ImportResult:
    """`read_rows` for bytes that passed `check_file` (the import task reads them from its record)."""
    try:
        workbook_check(content)  # again: the task reads bytes that a request stored
        # The values a spreadsheet computed and, only when the sheet has formulas, the formulas
        # too (to know which numbers were computed and so carry a binary float's noise): parsing
        # the sheet a second time was a third of a 5,000-row import.
        workbook = workbook_open(content)
        formulas = None
        if _has_formulas(content):
            formulas = workbook_open(content, formulas=True)
    except WorkbookRefused as refused:
        raise SpreadsheetError(str(refused)) from None
    except BROKEN_WORKBOOK_ERRORS:
        raise SpreadsheetError(_("The file is damaged or is not a valid Excel file.")) from None
    try:
        # Read-only sheets are parsed while iterating: a truncated sheet XML or an entity bomb
        # (stopped by the XML parser) surfaces here, not in load_workbook (finding #10).
        sheet = workbook.worksheets[0]
        # The declared dimension only estimates the progress bar's total; reading ignores it.
        declared = sheet.max_row if isinstance(sheet.max_row, int) else 0
        total = min(declared, settings.IMPORT_MAX_SHEET_ROWS) - 1 if declared > 1 else None
        formula_sheet = formulas.worksheets[0] if formulas is not None else None
        return _validate(_lines(sheet, formula_sheet), total=total, progress=progress)
    except WorkbookRefused as refused:
        raise SpreadsheetError(str(refused)) from None
    except BROKEN_WORKBOOK_ERRORS:
        raise SpreadsheetError(_("The file is damaged or is not a valid Excel file.")) from None
    finally:
        workbook.close()
        if formulas is not None:
            formulas.close()


def _lines(sheet, formula_sheet):
    names = ["number"] + [name for name, _label in ROW_COLUMNS]
    # Both sheets are read through the bounded reader; one deadline for the whole import.
    bounds = {
        "max_rows": settings.IMPORT_MAX_SHEET_ROWS,
        "max_columns": len(names) + 1,
        "deadline": deadline_after(),
    }
    formula_rows = (
        sheet_rows(formula_sheet, values_only=True, **bounds) if formula_sheet is not None else None
    )
    for cells in sheet_rows(sheet, **bounds):
        formula_values = next(formula_rows, ()) if formula_rows is not None else ()
        yield [
            _cell_value(
                names[i] if i < len(names) else "",
                cell,
                formula_values[i] if i < len(formula_values) else None,
            )
            for i, cell in enumerate(cells)
        ]


PROGRESS_EVERY = 250


class _RowChecker:
    """One ReservedProjectForm bound to each row in turn. Building a form deep-copies its fields,
    which was a quarter of a 5,000-row import; the fields are never changed by cleaning, so one
    form can check every row (its errors and cleaned data are reset each time)."""

    def __init__(self):
        self.form = ReservedProjectForm(data={})

    def check(self, data: dict) -> ReservedProjectForm:
        self.form.data = data
        self.form._errors = None  # is_valid() cleans again
        return self.form


def _validate(lines, *, total=None, progress=None) -> ImportResult:
    expected = headers()
    header = next(lines, None)
    found = [str(v).strip() if v is not None else "" for v in (header or ())]
    while found and found[-1] == "":
        found.pop()
    # A sheet made from the template before the date column existed is still read (the date is optional).
    if found != expected and found != expected[:-1]:
        raise SpreadsheetError(
            _("The column headers do not match the import template. Expected: %(expected)s.")
            % {"expected": " | ".join(expected)}
        )
    maps = _label_maps()
    names = [name for name, _label in ROW_COLUMNS]
    labels = dict(zip(names, expected[1:], strict=True))
    checker = _RowChecker()
    if progress is not None:
        progress(0, total)
    result = ImportResult()
    bad_rows = 0  # counted as they come: a set of the error rows rebuilt per row was quadratic
    for number, values in enumerate(lines, start=2):
        if progress is not None and (number - 1) % PROGRESS_EVERY == 0:
            progress(number - 1, total)
        values = list(values or ())[: len(expected)]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if len(result.rows) + bad_rows >= MAX_IMPORT_ROWS:
            raise SpreadsheetError(_("The file has more than %(max)s rows.") % {"max": MAX_IMPORT_ROWS})
        values += [None] * (len(expected) - len(values))
        data = {}
        for name, value in zip(names, values[1:], strict=True):
            text = _cell_text(name, value)
            if name in maps:
                text = maps[name].get(text, text)
            data[name] = text
        form = checker.check(data)
        if form.is_valid():
            result.rows.append({name: form.cleaned_data.get(name) for name in names})
        else:
            bad_rows += 1
            cells = dict(zip(names, values[1:], strict=True))
            for name, errors in form.errors.items():
                for message in errors:
                    result.errors.append(
                        RowError(number, labels.get(name, ""), message, _shown(cells.get(name)))
                    )
    if not result.rows and not result.errors:
        raise SpreadsheetError(_("The file has no rows below the headers."))
    return result


def _safe(value):
    """A cell value that cannot run as a formula and holds no XML-illegal character."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _write_row(sheet, values) -> None:
    sheet.append([_safe(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
            # Stored as a string cell, a leading = + - @ is shown as text and never evaluated.
            cell.data_type = "s"
            cell.quotePrefix = True


def _header_row(sheet) -> None:
    _write_row(sheet, headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHIJK", (6, 36, 18, 10, 22, 12, 16, 22, 24, 50, 16), strict=True):
        sheet.column_dimensions[column].width = width


def _drop_downs(sheet) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        options = ",".join(str(label) for label in ReservationOption.labels)
        categories = ",".join(str(label) for label in ProjectCategory.labels)
    for formula, column in ((options, "E"), (categories, "D")):
        validation = DataValidation(type="list", formula1=f'"{formula}"', allow_blank=True)
        sheet.add_data_validation(validation)
        validation.add(f"{column}2:{column}{MAX_IMPORT_ROWS + 1}")


def _to_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_workbook() -> bytes:
    """The import template: headers, drop-downs for 预留选项 and 项目属性, and an instructions sheet."""
    with translation.override(settings.LANGUAGE_CODE):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Reserved projects")
        _header_row(sheet)
        _drop_downs(sheet)
        notes = workbook.create_sheet(_("Instructions"))
        lines = [
            _("How to fill in the import template"),
            _("One row per reserved project, from row 2 of the first sheet; do not change the headers."),
            _("No.: leave empty or any number; rows are numbered in the order of the sheet."),
            _(
                "Project name, project category (goods, works, services) and project budget: required. "
                "Project number: optional."
            ),
            _("Reservation option: choose one of the four options from the drop-down list."),
            _(
                "Reserved share (%): above 0 and at most 100; leave empty for the whole-project option "
                "(always 100)."
            ),
            _("Amounts are in 10k yuan with at most 6 decimals; the SME amount is above 0."),
            _("The small/micro amount is between 0 and the SME amount."),
            _("Contract link: the address of the contract notice on the procurement website (%(hosts)s).")
            % {"hosts": "、".join(settings.CONTRACT_LINK_HOSTS)},
            _(
                "Procurement or contract date (YYYY-MM-DD): required when a rule depends on it, such as the "
                "40%% for works above 4 million yuan procured in the second half of 2022."
            )
            % {},
            _(
                "Numbers computed by formulas are rounded to the fen; a ratio cell may be formatted as a "
                "percentage."
            ),
            _("Files up to %(limit)s MB; if any row is wrong nothing is imported and every error is listed.")
            % {"limit": settings.IMPORT_MAX_BYTES // (1024 * 1024)},
        ]
        for line in lines:
            notes.append([line])
        notes["A1"].font = Font(bold=True)
        notes.column_dimensions["A"].width = 110
        return _to_bytes(workbook)


def _row_values(rows):
    option_labels = dict(ReservationOption.choices)
    category_labels = dict(ProjectCategory.choices)
    for index, row in enumerate(rows, start=1):
        yield [
            index,
            row.name,
            row.code,
            str(category_labels.get(row.category, "")),
            str(option_labels.get(row.option, row.option)),
            row.ratio,
            row.budget_amount,
            row.sme_amount,
            row.small_micro_amount,
            row.contract_url,
            row.procurement_date,
        ]


def rows_workbook(*, report, title: str, exported_on: date) -> bytes:
    """The rows (first sheet, re-importable as is) and the computed totals (second sheet)."""
    with translation.override(settings.LANGUAGE_CODE):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Reserved projects")
        _header_row(sheet)
        for values in _row_values(report.rows.all().iterator()):
            _write_row(sheet, values)
        totals = workbook.create_sheet(_("Totals"))
        share = small_micro_share(sme_total=report.sme_total, small_micro_total=report.small_micro_total)
        for label, value in (
            (_("Notice title"), title),
            (_("Year"), report.year),
            (_("Competent budget unit"), report.competent_unit_name),
            (_("SME total (10k yuan)"), report.sme_total),
            (_("Small/micro total (10k yuan)"), report.small_micro_total),
            (_("Small/micro share (%)"), format_share(share)),
            (_("Exported on"), exported_on.isoformat()),
        ):
            _write_row(totals, [label, value])
        totals.column_dimensions["A"].width = 30
        totals.column_dimensions["B"].width = 60
        return _to_bytes(workbook)
