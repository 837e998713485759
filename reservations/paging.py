"""The rows editor a page at a time: a notice may hold 5,000 rows, and neither a browser nor
Django's formset limits should ever see them all at once.

Reads: `rows_page` (one page, with search by 项目名称 and a filter to the rows with warnings),
`rows_merged` (the stored rows with one page's unsaved changes applied, for totals, warnings and
the preview). Write: `report_rows_page_save` (only the rows of one page change).

序号 is a row's place in the stored order (`position`, then `id`); positions may have gaps after
deletions, nothing reads them as numbers.
"""

from dataclasses import dataclass, field
from math import ceil

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, JSONField, Q, Value, When
from django.utils.translation import gettext as _

from .columns import EDITOR_FIELDS, ROW_FIELDS
from .enums import VerdictStatus
from .models import Report, ReservedProject
from .rules import policy_warnings, report_region
from .services import VERDICT_FIELDS, _build_rows, report_totals_refresh

PAGE_SIZE = 50


def page_of(number: int) -> int:
    """The page (1-based) that shows the row with 序号 `number` in the unfiltered list."""
    return max(1, ceil(number / PAGE_SIZE))


@dataclass
class RowsPage:
    rows: list  # ReservedProject objects of this page, each with `.row_number` (序号) set
    number: int  # this page (1-based)
    pages: int
    total: int  # rows matching the filter
    all_rows: int  # rows of the notice
    query: str = ""
    only_warnings: bool = False
    warning_numbers: list[int] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    @property
    def first_number(self) -> int:
        return self.rows[0].row_number if self.rows else 0


def _ordered(report: Report):
    return report.rows.order_by("position", "id")


# A stored row as the editor's totals and warnings read it: its fields and its stored verdict.
STORED_FIELDS = [*EDITOR_FIELDS, "verdict_status", "verdict"]
# The verdict JSON of a row that passes is never read (rules.verdict_for answers from the status):
# not decoding it keeps the preview of a 5,000-row notice as fast as before verdicts were stored.
_VERDICT_UNLESS_PASS = Case(
    When(~Q(verdict_status=VerdictStatus.PASS), then=F("verdict")),
    default=Value(None, output_field=JSONField()),
    output_field=JSONField(),
)


class StoredRow:
    """A stored row's values without a model instance: totals, warnings and the preview of a
    5,000-row notice read these (about ten times cheaper than ReservedProject objects)."""

    __slots__ = ("pk", "form_key", *STORED_FIELDS)

    def __init__(self, pk, *values):
        self.pk = pk
        self.form_key = None
        for name, value in zip(STORED_FIELDS, values, strict=True):
            setattr(self, name, value)


def stored_rows(*, report: Report) -> list[StoredRow]:
    """Every stored row of the report in order, as plain values with the stored verdict. One query."""
    fields = [*EDITOR_FIELDS, "verdict_status"]
    rows = _ordered(report).annotate(verdict_unless_pass=_VERDICT_UNLESS_PASS)
    return [StoredRow(*values) for values in rows.values_list("pk", *fields, "verdict_unless_pass")]


def warning_row_numbers(*, report: Report, published_links=frozenset()) -> list[int]:
    """序号 of the stored rows that have a policy warning (their stored verdict, under the notice's
    region) or a repeated link: the editor's 只看有提示的行."""
    warnings = policy_warnings(
        rows=stored_rows(report=report), year=report.year, region=report_region(report)
    )
    return sorted({w.row_number for w in warnings if w.row_number})


def rows_page(
    *,
    report: Report,
    page: int = 1,
    query: str = "",
    only_warnings: bool = False,
    published_links=frozenset(),
) -> RowsPage:
    """One page of stored rows in order. `query` keeps rows whose 项目名称 contains it;
    `only_warnings` keeps rows with a warning (their stored verdict, the plausibility hints, and
    `published_links`: links the caller found in other published notices). Reads two small
    queries (ids, then the page)."""
    query = (query or "").strip()[:100]
    ids = list(_ordered(report).values_list("id", flat=True))
    numbers = {pk: index for index, pk in enumerate(ids, start=1)}
    warned = []
    if only_warnings:
        warned = warning_row_numbers(report=report, published_links=published_links)
        ids = [ids[n - 1] for n in warned]
    if query:
        matching = set(report.rows.filter(name__icontains=query).values_list("id", flat=True))
        ids = [pk for pk in ids if pk in matching]
    pages = max(1, ceil(len(ids) / PAGE_SIZE))
    page = min(max(1, page), pages)
    page_ids = ids[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    by_id = ReservedProject.objects.in_bulk(page_ids)
    rows = []
    for pk in page_ids:
        row = by_id[pk]
        row.row_number = numbers[pk]
        rows.append(row)
    return RowsPage(
        rows=rows,
        number=page,
        pages=pages,
        total=len(ids),
        all_rows=len(numbers),
        query=query,
        only_warnings=only_warnings,
        warning_numbers=warned,
    )


def rows_merged(*, report: Report, rows: list[dict], deleted: list[int]) -> list[ReservedProject]:
    """The notice's rows as they would be after saving one page: stored rows, with the page's
    rows (`rows` with `id`, in the chosen order) in place of theirs, `deleted` left out and new
    rows (no `id`) at the end. Unsaved objects; writes nothing."""
    stored = stored_rows(report=report)
    typed = {r["id"]: r for r in rows if r.get("id")}
    page_ids = [r["id"] for r in rows if r.get("id")]
    slots = iter(page_ids)  # the page's rows take the places of the page's rows, in the typed order
    gone = set(deleted)
    merged = []
    for row in stored:
        if row.pk in gone:
            continue
        if row.pk in typed:
            data = typed[next(slots)]
            row = ReservedProject(pk=data["id"], report=report, **{k: data.get(k) for k in ROW_FIELDS})
            row.shortfall_reason = data.get("shortfall_reason") or ""
            row.form_key = data.get("form_key")
        merged.append(row)
    for data in rows:
        if not data.get("id"):
            row = ReservedProject(report=report, **{k: data.get(k) for k in ROW_FIELDS})
            row.shortfall_reason = data.get("shortfall_reason") or ""
            row.form_key = data.get("form_key")
            merged.append(row)
    return merged


@transaction.atomic
def report_rows_page_save(*, report: Report, rows: list[dict], deleted: list[int]) -> Report:
    """Save one page of the editor: the page's stored rows (`rows` with an `id`) are updated and
    take the page's positions in the typed order, `deleted` ids are removed, new rows (no `id`)
    go after the last row. Rows of other pages are not touched.

    Side effects: updates, deletes and inserts ReservedProject rows; stores the totals.
    Raises ValidationError (nothing written) when a row is invalid or an id is not this report's.
    """
    page_ids = [r["id"] for r in rows if r.get("id")]
    known = dict(report.rows.filter(pk__in=page_ids + list(deleted)).values_list("pk", "position"))
    if len(known) != len(set(page_ids) | set(deleted)):
        raise ValidationError(
            _("Some rows of this page have been removed meanwhile. Reload the page: nothing was saved.")
        )
    positions = sorted(known[pk] for pk in page_ids)
    existing = _build_rows(report, [r for r in rows if r.get("id")], start=0)
    for obj, data, position in zip(existing, [r for r in rows if r.get("id")], positions, strict=True):
        obj.pk = data["id"]
        obj.position = position
    if deleted:
        report.rows.filter(pk__in=deleted).delete()
    if existing:
        ReservedProject.objects.bulk_update(
            existing, ["position", *EDITOR_FIELDS, *VERDICT_FIELDS], batch_size=200
        )
    new = [r for r in rows if not r.get("id")]
    if new:
        last = report.rows.order_by("-position").values_list("position", flat=True).first()
        ReservedProject.objects.bulk_create(
            _build_rows(report, new, start=0 if last is None else last + 1), batch_size=500
        )
    return report_totals_refresh(report=report)


def typed_page(formset) -> tuple[dict, int]:
    """A bound page formset as page changes for the preview: the valid typed rows in the chosen
    order, the ids ticked for deletion, and how many typed rows have errors (left out: their
    stored values stand in). Writes nothing."""
    formset.is_valid()
    kept, deleted, invalid = [], [], 0
    for index, form in enumerate(formset.forms):
        if not form.has_changed() and not form.data.get(form.add_prefix("id")):
            continue
        marked = bool(form.data.get(form.add_prefix("DELETE")))
        if not form.is_valid():
            stored_id = form.data.get(form.add_prefix("id"), "")
            if marked and stored_id.isdigit():
                deleted.append(int(stored_id))
            elif not marked:
                invalid += 1
            continue
        if form.cleaned_data.get("DELETE"):
            if form.cleaned_data.get("id"):
                deleted.append(form.cleaned_data["id"])
            continue
        order = form.cleaned_data.get("ORDER")
        kept.append((order if order is not None else 10**9, index, form.prefix, form.cleaned_data))
    kept.sort(key=lambda item: (item[0], item[1]))
    rows = [
        {"id": data.get("id"), "form_key": key, **{k: data.get(k) for k in EDITOR_FIELDS}}
        for _order, _index, key, data in kept
    ]
    return {"rows": rows, "deleted": deleted}, invalid
