"""The open-data rows as CSV (rows.csv, rows-<year>.csv and filtered downloads)."""

import csv
import io

from .rows import headers, neutralize

EXTENSION = "csv"
CONTENT_TYPE = "text/csv; charset=utf-8"


def write(rows, target) -> None:
    """Write the header and `rows` (public.formats.rows.published_rows) into the binary file
    `target`, as UTF-8 with a BOM."""
    text = io.TextIOWrapper(target, encoding="utf-8", newline="")
    text.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
    writer = csv.writer(text)
    writer.writerow(headers())
    for row in rows:
        writer.writerow([neutralize(v) for v in row])
    text.flush()
    text.detach()
