"""The rows of the downloads of every published row, as CSV and .xlsx, filtered like the public
list (written by the tasks of public.bulk and public.filtered, never in a request).

Every project is in the downloads once, so that a plain sum of a money column is right: a row
that a department notice (部门汇总) copied from a unit's own **published** notice is left out
(it is there under that notice), while the rows of a unit whose own notice is not published are
kept as their only copy and say so in 来源 (public.formats.compiled). Such a row carries its
unit's 说明. The API and OCDS keep every copy, marked, for readers who follow the links.

Both read one generator of rows from a server-side cursor in chunks, so memory stays flat
however many notices there are: the CSV is written line by line, the workbook by openpyxl in
write-only mode, each into a temporary file that is then stored. Text cells
starting with = + - @ (or a tab / carriage return) get a leading apostrophe so that a
spreadsheet never runs them as formulas.
"""

from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from announcements.enums import Kind
from reservations.enums import ProjectCategory, ReservationOption
from reservations.models import ReservedProject

from ..http import site_url
from .compiled import source_label, unit_parts

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
        _("Explanation of the shares not reached"),
        _("Notice link"),
        _("Budget unit"),
        _("Source"),
    ]


def published_rows(notices) -> Iterator[list]:
    """One list per reserved project of the given published notices, newest notice first: a
    department notice's copy of a row whose unit published it in its own notice is left out,
    whether or not that notice is among `notices`: a filtered download counts the project where
    the unit's own notice is (see the module docstring).

    One query read in chunks (a server-side cursor on PostgreSQL), and three for the units of the
    department notices among them; no side effects."""
    options = dict(ReservationOption.choices)
    categories = dict(ProjectCategory.choices)
    rows = (
        ReservedProject.objects.filter(report__announcement__in=notices.values("pk"))
        .order_by("-report__announcement__published_at", "-report__announcement__id", "position", "id")
        .values_list(
            "report_id",
            "report__announcement__kind",
            "unit_id",
            "report__announcement__public_id",
            "report__announcement__title",
            "report__announcement__district__name",
            "report__announcement__year",
            "report__announcement__institution__name",
            "report__competent_unit_name",
            "report__announcement__published_at",
            "report__explanation",
            "report__needs_explanation",
            "position",
            "name",
            "code",
            "category",
            "option",
            "ratio",
            "sme_amount",
            "small_micro_amount",
            "contract_url",
            "unit__name",
        )
    )
    parts = unit_parts(notices.filter(kind=Kind.DEPARTMENT).values_list("report_id", flat=True))
    for (
        report_id,
        kind,
        unit_id,
        public_id,
        title,
        district,
        year,
        unit,
        competent,
        published_at,
        explanation,
        needs,
        *rest,
    ) in rows.iterator(chunk_size=CHUNK):
        position, name, code, category, option, ratio, sme, small, url, row_unit = rest
        part = parts.get(report_id, {}).get(unit_id)
        if part is not None and part.is_copy:
            continue
        if kind == Kind.DEPARTMENT:
            # The unit's 说明, where its own rows miss a threshold, as the notice text prints it.
            explanation, needs = (part.explanation if part else ""), True
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
            explanation.strip() if needs else "",
            site_url(f"/notices/{public_id}/"),
            row_unit or unit,
            source_label(kind=kind, part=part),
        ]
