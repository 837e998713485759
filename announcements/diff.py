"""What changed between the last two submissions of a notice (shown to reviewers after a return).

Both sides come from the flow log's submit snapshots, so the comparison is of what the reviewers
were actually shown each time, whatever happened to the rows in between.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from .models import FlowLogEntry

ROW_FIELDS = {
    "name": _("project name"),
    "code": _("project number"),
    "option": _("reservation option"),
    "ratio": _("reserved share (%)"),
    "sme_amount": _("SME procurement amount (10k yuan)"),
    "small_micro_amount": _("of which small/micro (10k yuan)"),
    "contract_url": _("contract link"),
}
TOTAL_FIELDS = {
    "title": _("notice title"),
    "sme_total": _("SME total (10k yuan)"),
    "small_micro_total": _("small/micro total (10k yuan)"),
    "explanation": _("explanation"),
}
MONEY_FIELDS = {"ratio", "sme_amount", "small_micro_amount", "sme_total", "small_micro_total"}


@dataclass
class Change:
    field: str
    label: str
    before: object
    after: object


@dataclass
class RowChange:
    name: str
    changes: list[Change]


@dataclass
class SubmissionDiff:
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    totals: list[Change] = field(default_factory=list)

    def __bool__(self):
        return bool(self.added or self.removed or self.changed or self.totals)


def _same(key, a, b) -> bool:
    if key in MONEY_FIELDS and a is not None and b is not None:
        return Decimal(a) == Decimal(b)
    return a == b


def _keyed(rows: list[dict]) -> dict:
    """Rows keyed by project number, else name; repeats get an occurrence number.

    Row ids are not used: an Excel re-import replaces the rows and would show all as new."""
    keyed, seen = {}, {}
    for row in rows:
        base = (row.get("code") or "").strip() or (row.get("name") or "").strip()
        seen[base] = seen.get(base, 0) + 1
        keyed[(base, seen[base])] = row
    return keyed


def compare_snapshots(before: dict, after: dict) -> SubmissionDiff:
    diff = SubmissionDiff()
    old, new = _keyed(before.get("rows", [])), _keyed(after.get("rows", []))
    diff.removed = [row for key, row in old.items() if key not in new]
    diff.added = [row for key, row in new.items() if key not in old]
    for key in old.keys() & new.keys():
        changes = [
            Change(f, label, old[key].get(f), new[key].get(f))
            for f, label in ROW_FIELDS.items()
            if not _same(f, old[key].get(f), new[key].get(f))
        ]
        if changes:
            diff.changed.append(RowChange(new[key].get("name", ""), changes))
    diff.changed.sort(key=lambda rc: rc.name)
    diff.totals = [
        Change(f, label, before.get(f), after.get(f))
        for f, label in TOTAL_FIELDS.items()
        if not _same(f, before.get(f), after.get(f))
    ]
    return diff


def changes_since_last_submission(announcement) -> SubmissionDiff | None:
    """The diff between the latest submit and the one before it, or None for a first submission."""
    submits = list(
        FlowLogEntry.objects.filter(announcement=announcement, action="submit").order_by(
            "-created_at", "-id"
        )[:2]
    )
    if len(submits) < 2:
        return None
    return compare_snapshots(submits[1].snapshot, submits[0].snapshot)
