"""The drafting demo: the 党群服务中心's 2022 notice, four realistic rows that finance returned
(a contract link to check), so it is a draft again that demo-handler can go on editing and
resubmit. 2025 is left free: a newcomer's first 新增 (the form offers last year) creates a notice.
Idempotent: nothing happens while a live 2022 notice exists."""

from django.db import transaction

from announcements.services import live_sme_notice_exists

from .notices import Row, notice_draft, notice_steps

YEAR = 2022
# Every policy threshold is met (whole projects up to their budget limits, 45% of a large works
# project, a small/micro share of 74%), so the draft needs no 说明.
ROWS = [
    Row(
        "社区党群服务阵地日常运营服务", "SHXM-2022-0117", "services", "whole", "100", "175", "168.5", "168.5"
    ),
    Row("办公设备及家具采购", "SHXM-2022-0203", "goods", "whole", "100", "95", "92.36", "60.12"),
    Row("社区综合服务设施修缮工程", "SHXM-2022-0311", "works", "dedicated_lot", "45", "620", "279", "190.4"),
    Row("社区文化活动策划执行", "SHXM-2022-0420", "services", "subcontract", "30", "260", "78", "78"),
]
RETURN_REASON = "第4行社区文化活动策划执行的合同链接无法打开，请核实后重新提交。"


@transaction.atomic
def seed(context: dict) -> None:
    """Side effects: one notice of demo-handler's institution, submitted, passed by demo-reviewer
    and returned by demo-finance (a draft again, with its flow log)."""
    users = context["users"]
    handler = users["demo-handler"]
    if live_sme_notice_exists(institution=handler.institution, year=YEAR):
        return
    notice_steps(
        notice_draft(handler=handler, year=YEAR, rows=ROWS),
        ("submit", handler),
        ("purchaser_approve", users["demo-chief"]),
        ("purchaser_approve", users["demo-reviewer"]),
        ("finance_return", users["demo-finance"], RETURN_REASON),
    )
