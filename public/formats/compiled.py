"""Department notices (部门汇总) in open data: which rows are compiled copies, and each unit's 说明.

A department notice copies the rows of its units' own notices (announcements.department), and
nobody may sum one project twice:

- a copy of a unit's **published** notice is a compiled copy (`is_copy`): the project is counted
  in that notice. The API and OCDS keep the copy and link it to that notice; the downloads
  (public.formats.rows) leave it out, so that their plain column sums are right;
- a unit whose own notice is not published (still under review, or revoked since) is published
  only here: its rows are the project's one publication and count, in every format.

Each unit's 说明 goes out as the notice text prints it: where one of the unit's rows has a
shortfall verdict (the stored `ReservedProject.verdict_status`, reservations.verdict).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from announcements.enums import Kind
from announcements.selectors import announcements_published
from reservations.enums import VerdictStatus
from reservations.models import ReportUnit, ReservedProject


@dataclass(frozen=True)
class UnitPart:
    """One budget unit's part of a department notice."""

    institution_id: int
    name: str
    explanation: str
    source_id: str | None = None
    source_title: str = ""

    @property
    def is_copy(self) -> bool:
        return self.source_id is not None


def source_label(*, kind: str, part: UnitPart | None) -> str:
    """The 来源 of a row as the downloads print it. `part` is never a copy (`is_copy`): the
    downloads leave those out, so a department notice's row there is its unit's one publication."""
    if kind != Kind.DEPARTMENT or part is None:
        return _("Own notice")
    text = _("Department summary (compiled from the filing of %(unit)s, whose own notice is not published)")
    return text % {"unit": part.name}


def unit_parts(reports) -> dict[int, dict[int, UnitPart]]:
    """{report id: {institution id: UnitPart}} for the department reports among `reports`
    (Report objects or ids). Three queries whatever the number of notices; none without a
    department report."""
    ids = [getattr(r, "pk", r) for r in reports]
    entries = list(
        ReportUnit.objects.filter(report_id__in=ids, filed=True, report__announcement__kind=Kind.DEPARTMENT)
        .select_related("institution")
        .order_by("report_id", "position", "pk")
    )
    if not entries:
        return {}
    short = set(
        ReservedProject.objects.filter(
            report_id__in={e.report_id for e in entries}, verdict_status=VerdictStatus.SHORTFALL
        ).values_list("report_id", "unit_id")
    )
    sources = {
        report_id: (public_id, title)
        for report_id, public_id, title in announcements_published()
        .select_related(None)
        .filter(report_id__in={e.source_report_id for e in entries if e.source_report_id})
        .values_list("report_id", "public_id", "title")
    }
    parts: dict[int, dict[int, UnitPart]] = {}
    for e in entries:
        source_id, source_title = sources.get(e.source_report_id, (None, ""))
        parts.setdefault(e.report_id, {})[e.institution_id] = UnitPart(
            institution_id=e.institution_id,
            name=e.institution.name,
            explanation=e.explanation.strip() if (e.report_id, e.institution_id) in short else "",
            source_id=source_id,
            source_title=source_title,
        )
    return parts


def rules_missed(row) -> list[str]:
    """The codes of the rules a row misses, from its stored verdict (the strictest first)."""
    return [code for code in (row.verdict_missed or "").split(",") if code]


def explanation_text(*, own: str, parts: dict[int, UnitPart] | None) -> str | None:
    """The notice's published 说明 as one text, as the department notice prints it: its own 说明,
    then "单位：说明" for each unit with a shortfall. None when there is nothing to explain."""
    lines = [own] if own else []
    lines += [f"{p.name}：{p.explanation}" for p in (parts or {}).values() if p.explanation]
    return "\n".join(lines) or None
