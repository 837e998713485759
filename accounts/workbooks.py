"""The one way an uploaded workbook is opened, for every import (the rows import, 批量新增).

A workbook is a zip of XML parts that may claim anything: `<dimension ref="A1:XFD1048576"/>`
made openpyxl's read-only reader pad every row to 16,384 columns and a million rows (a 1.7 KB
file held a worker for 21 s), empty rows were skipped before any row limit counted them, and a
few hundred KB could unpack to gigabytes. Here the file is checked before it is parsed (size,
type, the sizes of its unpacked parts), the declared dimension is ignored, every row read counts
(empty ones and the gaps between row numbers too), columns past a cap are never built, and
reading stops at a time limit. The limits are settings: docs/production.md, "Resource limits".
"""

import io
import time
import zipfile
from collections.abc import Iterator

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook

XLSX_MAGIC = b"PK\x03\x04"


class WorkbookRefused(Exception):
    """The file as a whole cannot be read (size, type, unpacked size, rows, time); the message
    is for the user."""


def workbook_bytes(upload, *, max_unpacked: int | None = None) -> bytes:
    """The upload's bytes once the cheap checks pass: at most IMPORT_MAX_BYTES, an .xlsx (a zip),
    whose parts unpack to at most `max_unpacked` bytes (IMPORT_MAX_UNPACKED_BYTES). zipfile
    stops reading a part at its recorded size, so the recorded sizes bound what openpyxl parses.
    Raises WorkbookRefused."""
    limit = settings.IMPORT_MAX_BYTES
    too_large = _("The file is larger than %(limit)s MB.") % {"limit": limit // (1024 * 1024)}
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise WorkbookRefused(too_large)
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise WorkbookRefused(too_large)
    workbook_check(content, max_unpacked=max_unpacked)
    return content


def workbook_check(content: bytes, *, max_unpacked: int | None = None) -> None:
    """Raises WorkbookRefused unless `content` is a zip whose parts unpack to at most
    `max_unpacked` bytes (IMPORT_MAX_UNPACKED_BYTES)."""
    if max_unpacked is None:
        max_unpacked = settings.IMPORT_MAX_UNPACKED_BYTES
    not_xlsx = _("The file is not an Excel .xlsx workbook (an old .xls must be saved as .xlsx).")
    if not content.startswith(XLSX_MAGIC):
        raise WorkbookRefused(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise WorkbookRefused(not_xlsx) from None
    if unpacked > max_unpacked:
        # A small archive that unpacks to gigabytes (a zip bomb) never reaches openpyxl.
        raise WorkbookRefused(_("The workbook is too large once unpacked; keep only the rows sheet."))


def workbook_open(content: bytes, *, formulas: bool = False):
    """A read-only openpyxl workbook of checked bytes (`workbook_check`): computed values, or the
    formulas when `formulas`. openpyxl's own errors pass through (the callers say "damaged")."""
    return load_workbook(io.BytesIO(content), read_only=True, data_only=not formulas)


def deadline_after(seconds: float | None = None) -> float:
    """The monotonic moment an import must have read its sheet by (IMPORT_TIME_LIMIT_SECONDS)."""
    if seconds is None:
        seconds = settings.IMPORT_TIME_LIMIT_SECONDS
    return time.monotonic() + seconds


def sheet_rows(
    sheet, *, max_rows: int, max_columns: int, deadline: float, values_only: bool = False
) -> Iterator:
    """The rows of a read-only sheet as its XML holds them, whatever its dimension claims: at most
    `max_columns` cells each, and at most `max_rows` rows counting the header, empty rows and the
    gaps between row numbers. Raises WorkbookRefused past `max_rows` or the `deadline`."""
    sheet.reset_dimensions()
    rows = sheet.iter_rows(min_col=1, max_col=max_columns, values_only=values_only)
    for number, row in enumerate(rows, start=1):
        if number > max_rows:
            raise WorkbookRefused(_("The file has more than %(max)s rows.") % {"max": max_rows})
        if number % 64 == 0 and time.monotonic() > deadline:
            raise WorkbookRefused(
                _("The file took too long to read: keep only the rows sheet, without empty rows.")
            )
        yield row
