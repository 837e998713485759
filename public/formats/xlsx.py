"""The open-data rows as an Excel workbook (rows.xlsx, rows-<year>.xlsx and filtered downloads)."""

from django.utils.translation import gettext as _
from openpyxl import Workbook

from reservations.xlsx import XLSX_CONTENT_TYPE as CONTENT_TYPE  # noqa: F401 - this format's type

from .rows import headers, neutralize

EXTENSION = "xlsx"


def write(rows, target) -> None:
    """Write one sheet, the header and `rows` (public.formats.rows.published_rows), into the
    binary file `target`; openpyxl's write-only mode keeps memory flat."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Reserved projects")[:31])
    sheet.append(headers())
    for row in rows:
        sheet.append([neutralize(v) for v in row])
    workbook.save(target)
