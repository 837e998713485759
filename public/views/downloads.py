"""Bulk downloads of every published row, as CSV and .xlsx, filtered like the public list
(public/exports.py makes the rows)."""

import csv
import tempfile

from django.http import FileResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from openpyxl import Workbook

from announcements.selectors import announcements_published

from ..exports import filename, headers, neutralize, published_rows
from ..search import PublicNoticeFilter


def filtered_notices(request):
    filterset = PublicNoticeFilter(request.GET or None, queryset=announcements_published())
    if filterset.is_bound and not filterset.is_valid():
        return None
    return filterset.qs


class _Echo:
    def write(self, value):
        return value


@require_safe
def download_csv(request):
    notices = filtered_notices(request)
    if notices is None:
        return HttpResponseBadRequest(_("Invalid filter."))
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
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Reserved projects")[:31])
    sheet.append(headers())
    for row in published_rows(notices):
        sheet.append([neutralize(v) for v in row])
    # Write-only rows go to disk as they are appended; the finished zip is streamed from disk.
    spool = tempfile.TemporaryFile()
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
