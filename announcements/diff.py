"""What changed between the last two submissions of a notice (shown to reviewers after a return).

Both sides come from the flow log's submit snapshots, so the comparison is of what the reviewers
were actually shown each time, whatever happened to the rows in between. Every field is
compared: the basic information, every row field, rows added, removed and reordered,
attachments added and removed, and the totals; values are formatted as the pages show them.
A field missing from an older snapshot (taken before it was recorded) is not compared.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reservations.enums import ProjectCategory, ReservationOption
from reservations.money import format_share, format_wan, small_micro_share

from .enums import PublishMode
from .models import FlowLogEntry

BASIC_FIELDS = {
    "title": _("notice title"),
    "publish_mode": _("publication type"),
    "scheduled_at": _("scheduled publication time"),
    "competent_unit_name": _("competent budget unit"),
    "explanation": _("explanation"),
}
ROW_FIELDS = {
    "name": _("project name"),
    "code": _("project number"),
    "category": _("project category"),
    "option": _("reservation option"),
    "ratio": _("reserved share (%)"),
    "budget_amount": _("project budget (10k yuan)"),
    "sme_amount": _("SME procurement amount (10k yuan)"),
    "small_micro_amount": _("of which small/micro (10k yuan)"),
    "contract_url": _("contract link"),
    "procurement_date": _("procurement or contract date"),
}
TOTAL_FIELDS = {
    "sme_total": _("SME total (10k yuan)"),
    "small_micro_total": _("small/micro total (10k yuan)"),
    "share": _("small/micro share (%)"),
}
MONEY_FIELDS = {
    "ratio",
    "budget_amount",
    "sme_amount",
    "small_micro_amount",
    "sme_total",
    "small_micro_total",
}


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
class Move:
    name: str
    before: int  # 序号 in the earlier submission
    after: int


@dataclass
class SubmissionDiff:
    basic: list[Change] = field(default_factory=list)
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[RowChange] = field(default_factory=list)
    moved: list[Move] = field(default_factory=list)
    attachments_added: list[str] = field(default_factory=list)
    attachments_removed: list[str] = field(default_factory=list)
    totals: list[Change] = field(default_factory=list)

    def __bool__(self):
        return any(
            (self.basic, self.added, self.removed, self.changed, self.moved, self.attachments_added,
             self.attachments_removed, self.totals)
        )  # fmt: skip


def shown(key: str, value) -> str:
    """A snapshot value as the page shows it: amounts without trailing zeros, labels not codes."""
    if value is None or value == "":
        return ""
    if key in MONEY_FIELDS:
        return format_wan(Decimal(value))
    if key == "share":
        return format_share(value)
    if key == "category":
        return str(dict(ProjectCategory.choices).get(value, value))
    if key == "option":
        return str(dict(ReservationOption.choices).get(value, value))
    if key == "publish_mode":
        return str(dict(PublishMode.choices).get(value, value))
    if key == "scheduled_at":
        return timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
    return str(value)


def _changes(before: dict, after: dict, fields: dict) -> list[Change]:
    return [
        Change(key, label, shown(key, before.get(key)), shown(key, after.get(key)))
        for key, label in fields.items()
        if key in before and key in after and shown(key, before[key]) != shown(key, after[key])
    ]


def _keyed(rows: list[dict]) -> dict:
    """Rows keyed by project number, else name; repeats get an occurrence number.

    Row ids are not used: an Excel re-import replaces the rows and would show all as new."""
    keyed, seen = {}, {}
    for row in rows:
        base = (row.get("code") or "").strip() or (row.get("name") or "").strip()
        seen[base] = seen.get(base, 0) + 1
        keyed[(base, seen[base])] = row
    return keyed


def _share(snapshot: dict):
    if snapshot.get("sme_total") is None:
        return None
    return small_micro_share(
        sme_total=Decimal(snapshot["sme_total"]),
        small_micro_total=Decimal(snapshot["small_micro_total"] or 0),
    )


def _moves(old: dict, new: dict) -> list[Move]:
    """Rows kept in both whose order among the kept rows changed, with their 序号 before and after."""
    old_positions = {key: n for n, key in enumerate(old, start=1)}
    new_positions = {key: n for n, key in enumerate(new, start=1)}
    kept_old = [key for key in old if key in new]
    kept_new = [key for key in new if key in old]
    return [
        Move(new[key].get("name", ""), old_positions[key], new_positions[key])
        for index, key in enumerate(kept_new)
        if kept_old[index] != key
    ]


def _summary(row: dict) -> dict:
    return {"name": row.get("name", ""), "sme_amount": shown("sme_amount", row.get("sme_amount"))}


def compare_snapshots(before: dict, after: dict) -> SubmissionDiff:
    diff = SubmissionDiff()
    diff.basic = _changes(before, after, BASIC_FIELDS)
    old, new = _keyed(before.get("rows", [])), _keyed(after.get("rows", []))
    diff.removed = [_summary(row) for key, row in old.items() if key not in new]
    diff.added = [_summary(row) for key, row in new.items() if key not in old]
    for key in new:
        if key in old:
            changes = _changes(old[key], new[key], ROW_FIELDS)
            if changes:
                diff.changed.append(RowChange(new[key].get("name", ""), changes))
    diff.moved = _moves(old, new)
    if "attachments" in before and "attachments" in after:
        old_files = {a["id"]: a["name"] for a in before["attachments"]}
        new_files = {a["id"]: a["name"] for a in after["attachments"]}
        diff.attachments_added = [name for pk, name in new_files.items() if pk not in old_files]
        diff.attachments_removed = [name for pk, name in old_files.items() if pk not in new_files]
    before_totals = {**before, "share": _share(before)}
    after_totals = {**after, "share": _share(after)}
    diff.totals = _changes(before_totals, after_totals, TOTAL_FIELDS)
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
