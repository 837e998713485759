"""The open-data rows as CSV (rows.csv, rows-<year>.csv and filtered downloads)."""

import csv
import io
from decimal import Decimal

from reservations.money import format_wan

from .rows import headers, neutralize

EXTENSION = "csv"
CONTENT_TYPE = "text/csv; charset=utf-8"


def cell(value):
    """A number as the notice page prints it (format_wan: 176.4, not the column's 176.400000),
    exact to the fen; text neutralized."""
    return format_wan(value) if isinstance(value, Decimal) else neutralize(value)


def write(rows, target) -> None:
    """Write the header and `rows` (public.formats.rows.published_rows) into the binary file
    `target`, as UTF-8 with a BOM. The .xlsx keeps the amounts as numbers."""
    text = io.TextIOWrapper(target, encoding="utf-8", newline="")
    text.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
    writer = csv.writer(text)
    writer.writerow(headers())
    for row in rows:
        writer.writerow([cell(v) for v in row])
    text.flush()
    text.detach()
