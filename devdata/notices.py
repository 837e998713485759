"""Demo notices made as a person makes them: the handler creates the notice and saves its rows
through the drafting services, then each step goes through `announcements.workflow.apply_action`.
So every demo notice has a 创建人, a real flow log with snapshots, and text from the one renderer.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from announcements.enums import PublishMode
from announcements.models import Announcement
from announcements.services import announcement_content_save, announcement_create_sme
from announcements.workflow import apply_action, is_approval, waiting_on

CONTRACT_URL = "https://www.zfcg.sh.gov.cn/site/detail?contractId={}"


@dataclass(frozen=True)
class Row:
    """One reserved project, amounts in 万元 as text (Decimal, never a float)."""

    name: str
    code: str
    category: str
    option: str
    ratio: str
    budget: str | None
    sme: str
    small_micro: str
    reason: str = ""  # 未达标原因 (reservations.enums.ShortfallReason) of a row that misses a threshold
    when: str | None = None  # 采购日期 as YYYY-MM-DD; it decides the time-limited rules

    def as_form_data(self, contract_id: str) -> dict:
        """The cleaned data of the row form, as the edit page hands it to the services."""
        return {
            "name": self.name,
            "code": self.code,
            "category": self.category,
            "option": self.option,
            "ratio": Decimal(self.ratio),
            "budget_amount": Decimal(self.budget) if self.budget else None,
            "sme_amount": Decimal(self.sme),
            "small_micro_amount": Decimal(self.small_micro),
            "contract_url": CONTRACT_URL.format(contract_id),
            "procurement_date": date.fromisoformat(self.when) if self.when else None,
            "shortfall_reason": self.reason,
        }


def notice_draft(*, handler, year: int, rows: list[Row], explanation: str = "") -> Announcement:
    """A draft SME notice of the handler's institution with `rows` and the 说明, saved as the edit
    page saves it. Side effects: a Report, its rows and an Announcement in DRAFT."""
    announcement = announcement_create_sme(
        user=handler, district=handler.institution.district, year=year, publish_mode=PublishMode.ON_APPROVAL
    )
    announcement_content_save(
        announcement=announcement,
        user=handler,
        version=announcement.version,
        title=announcement.title,
        publish_mode=announcement.publish_mode,
        competent_unit_name=announcement.report.competent_unit_name,
        explanation=explanation,
        rows=[
            row.as_form_data(f"demo-{handler.institution_id}-{year}-{number}")
            for number, row in enumerate(rows, start=1)
        ],
    )
    announcement.refresh_from_db()
    return announcement


def notice_steps(announcement: Announcement, *steps) -> Announcement:
    """Take each (action, actor[, reason]) in turn through the workflow gateway, as the action
    buttons do. Side effects: those of `apply_action` (state, flow log, announced transitions)."""
    for action, actor, *reason in steps:
        announcement.refresh_from_db()
        entry = apply_action(
            announcement=announcement, action=action, actor=actor, comment=reason[0] if reason else ""
        )
        # A 会签 step (普陀区's 财政会签): its other members approve after the one named.
        while is_approval(action) and not entry.snapshot.get("next_step"):
            announcement.refresh_from_db()
            members = waiting_on(announcement)
            if not members:
                break
            entry = apply_action(announcement=announcement, action=action, actor=members[0])
    announcement.refresh_from_db()
    return announcement
