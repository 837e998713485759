"""The one way a workbook goes out as a download."""

import re

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A finished workbook (bytes) as an attachment named `filename` (non-ASCII names are
    encoded for the Content-Disposition header)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    # A browser keeps only what follows the last / or \\ of a name (a path): "2025/2026年度…"
    # would lose its title (finding #13). Control characters never belong in a header.
    safe = re.sub(r"[\\/]+", "-", "".join(ch for ch in filename if ch >= " " and ch != "\x7f"))
    response.headers["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=safe)
    # Exports hold a unit's own data: never kept by a browser or a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response
