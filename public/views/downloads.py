"""Bulk downloads of every published row, as CSV and .xlsx.

Unfiltered, or filtered by 年份 alone, the answer is a file that a task built (public.bulk):
served as it is, with ETag, Last-Modified and its generation time, in milliseconds at any size.
Other filters (keyword, region, dates) stream a CSV from a server-side cursor; an .xlsx of such
a subset is built in the request only up to FILTERED_XLSX_MAX_ROWS rows (a bounded cost), beyond
that the answer says to narrow the filter or take the CSV or a year's file."""

import csv
import tempfile

from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotModified,
    StreamingHttpResponse,
)
from django.utils import translation
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from openpyxl import Workbook

from announcements.selectors import announcements_published
from reservations.models import ReservedProject

from ..bulk import bulk_files_rebuild_task, file_entry, read_manifest
from ..exports import filename, headers, neutralize, published_rows
from ..search import PublicNoticeFilter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILTERED_XLSX_MAX_ROWS = 5000
FILTER_NAMES = ("q", "district", "year", "date_from", "date_to")


def filtered_notices(request):
    filterset = PublicNoticeFilter(request.GET or None, queryset=announcements_published())
    if filterset.is_bound and not filterset.is_valid():
        return None
    return filterset.qs


def static_file_name(request, ext: str) -> str | None:
    """The bulk file that answers this query (rows.xlsx, rows-2025.csv…), or None when the
    query filters by more than the year."""
    used = {name: request.GET[name] for name in FILTER_NAMES if request.GET.get(name)}
    if not used:
        return f"rows.{ext}"
    if set(used) == {"year"} and used["year"].isdigit():
        return f"rows-{used['year']}.{ext}"
    return None


def serve_bulk_file(request, name: str, ext: str, content_type: str):
    manifest = read_manifest()
    if manifest is None:
        # First start: no file yet. The task builds it (at once with the immediate backend).
        bulk_files_rebuild_task.enqueue()
        manifest = read_manifest()
        if manifest is None:
            response = HttpResponse(
                _("The download file is being prepared. Please try again in a minute."),
                status=503,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = "60"
            return response
    entry = file_entry(manifest, name)
    if entry is None:  # a year without a published notice
        return HttpResponse(
            _("No published rows for this year."), status=404, content_type="text/plain; charset=utf-8"
        )
    etag = quote_etag(entry["etag"])
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    stem = name.rsplit(".", 1)[0].replace("rows", "sme-reserved-projects")
    response = FileResponse(
        default_storage.open(entry["path"], "rb"),
        as_attachment=True,
        filename=f"{stem}-{entry['generated_at']:%Y%m%d-%H%M}.{ext}",
        content_type=content_type,
    )
    response["Content-Length"] = str(entry["size"])
    response["ETag"] = etag
    response["Last-Modified"] = http_date(entry["generated_at"].timestamp())
    response["X-Generated-At"] = entry["generated_at"].isoformat()
    response["Cache-Control"] = "public, max-age=60"
    return response


class _Echo:
    def write(self, value):
        return value


@require_safe
def download_csv(request):
    notices = filtered_notices(request)
    if notices is None:
        return HttpResponseBadRequest(_("Invalid filter."))
    name = static_file_name(request, "csv")
    if name:
        return serve_bulk_file(request, name, "csv", "text/csv; charset=utf-8")
    language = translation.get_language()

    def lines():
        with translation.override(language):
            writer = csv.writer(_Echo())
            yield "\ufeff"  # Excel opens UTF-8 CSV correctly only with a BOM
            yield writer.writerow(headers())
            for row in published_rows(notices):
                yield writer.writerow([neutralize(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename("csv")}"'
    return response


@require_safe
def download_xlsx(request):
    notices = filtered_notices(request)
    if notices is None:
        return HttpResponseBadRequest(_("Invalid filter."))
    name = static_file_name(request, "xlsx")
    if name:
        return serve_bulk_file(request, name, "xlsx", XLSX)
    rows = ReservedProject.objects.filter(report__announcement__in=notices.values("pk"))
    if rows[: FILTERED_XLSX_MAX_ROWS + 1].count() > FILTERED_XLSX_MAX_ROWS:
        return HttpResponseBadRequest(
            _(
                "More than %(count)s rows match: narrow the filter, or download the CSV, "
                "or the file of a whole year."
            )
            % {"count": FILTERED_XLSX_MAX_ROWS},
            content_type="text/plain; charset=utf-8",
        )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Reserved projects")[:31])
    sheet.append(headers())
    for row in published_rows(notices):
        sheet.append([neutralize(v) for v in row])
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename("xlsx"), content_type=XLSX)
