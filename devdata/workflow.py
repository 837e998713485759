"""The workflow demo: the 党群服务中心's notices in every state, each taken through the workflow.

demo-handler drafts and submits, demo-chief approves at 科室负责人审核, demo-reviewer at 采购人初审,
demo-finance and demo-finance2 (普陀区财政局) at the 财政会签; demo-finance returns or revokes:
2021 published, then revoked (an amount was wrong) and published again corrected; 2023 waiting
at the 财政会签; 2024 waiting for demo-chief. 2022 is the drafting demo's (returned by
finance); 2025 stays free for a newcomer's first 新增. Idempotent: a story whose notice exists is
skipped.
"""

from django.db import transaction

from announcements.enums import State
from announcements.models import Announcement

from .notices import Row, notice_draft, notice_steps

# The road works lot (450万, 40% reserved) went to a medium-sized builder: 40 of its 180万 went to
# small and micro firms, 22.22%, below the 60% of 46号 第八条, so each notice carries a 说明
# about exactly that row.
EXPLANATION = (
    "社区道路维修工程（预算450万元）设置的专门采购包由中型施工企业承接，其中小微企业采购金额仅40万元，"
    "占该采购包的22.22%，未达到60%。"
)
REVOKE_REASON = "社区活动室设备采购的采购金额填报有误，撤回后更正重新发布。"


def rows_for(year: int, *, corrected: bool = False) -> list[Row]:
    equipment = "45.6" if corrected else "42.8"
    return [
        Row(
            "社区党群服务中心物业管理服务", f"SH-{year}-001", "services", "whole", "100", "90", "86.5", "60.2"
        ),
        Row("社区活动室设备采购", f"SH-{year}-002", "goods", "whole", "100", "48", equipment, equipment),
        Row(
            "社区道路维修工程", f"SH-{year}-003", "works", "dedicated_lot", "40", "450", "180", "40", "supply"
        ),
    ]


@transaction.atomic
def seed(context: dict) -> None:
    """Side effects: up to four notices with their flow logs, announced transitions (mail to the
    next reviewers, the public search fields and page cache)."""
    users = context["users"]
    handler, reviewer, finance = users["demo-handler"], users["demo-reviewer"], users["demo-finance"]
    unit = handler.institution
    years = set(Announcement.objects.filter(institution=unit).values_list("year", "state"))

    def draft(year, **kwargs):
        return notice_draft(
            handler=handler, year=year, rows=rows_for(year, **kwargs), explanation=EXPLANATION
        )

    # The unit's flow (devdata.flows): 科室负责人审核 by demo-chief, then 采购人初审; the 财政会签's
    # second member approves after demo-finance (devdata.notices.notice_steps).
    chief = users["demo-chief"]
    publish = [
        ("submit", handler),
        ("purchaser_approve", chief),
        ("purchaser_approve", reviewer),
        ("finance_approve", finance),
    ]
    if (2021, State.REVOKED) not in years:
        notice_steps(draft(2021), *publish, ("revoke", finance, REVOKE_REASON))
    if not any(year == 2021 and state != State.REVOKED for year, state in years):
        notice_steps(draft(2021, corrected=True), *publish)
    if not any(year == 2023 for year, _ in years):
        notice_steps(draft(2023), *publish[:3])
    if not any(year == 2024 for year, _ in years):
        notice_steps(draft(2024), *publish[:1])
