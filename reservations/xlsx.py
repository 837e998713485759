"""The one way a workbook goes out as a download."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A finished workbook (bytes) as an attachment named `filename` (non-ASCII names are
    encoded for the Content-Disposition header)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    return response
