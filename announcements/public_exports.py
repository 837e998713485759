"""Bulk downloads of every published row, as CSV and .xlsx, filtered like the public list.

Both stream from one generator of rows read with a server-side cursor in chunks, so memory
stays flat however many notices there are: the CSV goes out line by line, the workbook is
built by openpyxl in write-only mode into a temporary file that is then streamed. Text cells
starting with = + - @ (or a tab / carriage return) get a leading apostrophe so that a
spreadsheet never runs them as formulas.
"""

import csv
import tempfile
from collections.abc import Iterator

from django.http import FileResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from reservations.enums import ProjectCategory, ReservationOption
from reservations.models import ReservedProject

from .search import PublicNoticeFilter
from .selectors import announcements_published
from .views.public import site_url

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000


def neutralize(value):
    """A text cell that a spreadsheet would evaluate becomes literal text."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_PREFIXES):
            return "'" + value
    return value


def headers() -> list[str]:
    return [
        _("Notice id"),
        _("Notice title"),
        _("Region"),
        _("Year"),
        _("Publishing unit"),
        _("Competent budget unit"),
        _("Published at"),
        _("No."),
        _("Project name"),
        _("Project number"),
        _("Project category"),
        _("Reservation option"),
        _("Reserved share (%)"),
        _("SME procurement amount (10k yuan)"),
        _("Of which small/micro (10k yuan)"),
        _("Contract link"),
        _("Notice link"),
    ]


def filtered_notices(request):
    filterset = PublicNoticeFilter(request.GET or None, queryset=announcements_published())
    if filterset.is_bound and not filterset.is_valid():
        return None
    return filterset.qs


def published_rows(notices) -> Iterator[list]:
    """One list per reserved row of the given published notices, newest notice first.

    One query read in chunks (a server-side cursor on PostgreSQL); no side effects."""
    options = dict(ReservationOption.choices)
    categories = dict(ProjectCategory.choices)
    rows = (
        ReservedProject.objects.filter(report__announcement__in=notices.values("pk"))
        .order_by("-report__announcement__published_at", "-report__announcement__id", "position", "id")
        .values_list(
            "report__announcement__public_id",
            "report__announcement__title",
            "report__announcement__district__name",
            "report__announcement__year",
            "report__announcement__institution__name",
            "report__competent_unit_name",
            "report__announcement__published_at",
            "position",
            "name",
            "code",
            "category",
            "option",
            "ratio",
            "sme_amount",
            "small_micro_amount",
            "contract_url",
        )
    )
    for public_id, title, district, year, unit, competent, published_at, position, *rest in rows.iterator(
        chunk_size=CHUNK
    ):
        name, code, category, option, ratio, sme, small, url = rest
        yield [
            public_id,
            title,
            district,
            year,
            unit,
            competent,
            timezone.localtime(published_at).strftime("%Y-%m-%d %H:%M:%S"),
            position + 1,
            name,
            code,
            str(categories.get(category, "")),
            str(options.get(option, option)),
            ratio,
            sme,
            small,
            url,
            site_url(f"/notices/{public_id}/"),
        ]


class _Echo:
    def write(self, value):
        return value


def filename(ext: str) -> str:
    return f"sme-reserved-projects-{timezone.localdate():%Y%m%d}.{ext}"


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
