"""The drafting demo: the 党群服务中心's 2025 notice, a draft with four realistic rows that
demo-handler can go on editing. Idempotent: nothing happens while a live 2025 notice exists."""

from django.db import transaction

from announcements.services import live_sme_notice_exists

from .notices import Row, notice_draft

YEAR = 2025
# Every policy threshold is met (whole projects up to their budget limits, 45% of a large works
# project, a small/micro share of 74%), so the draft needs no 说明.
ROWS = [
    Row("社区党群服务阵地日常运营服务", "SHXM-2025-0117", "services", "whole", "100", None, "168.5", "168.5"),
    Row("办公设备及家具采购", "SHXM-2025-0203", "goods", "whole", "100", "95", "92.36", "60.12"),
    Row("社区综合服务设施修缮工程", "SHXM-2025-0311", "works", "dedicated_lot", "45", "620", "279", "150.4"),
    Row("社区文化活动策划执行", "SHXM-2025-0420", "services", "subcontract", "30", "260", "78", "78"),
]


@transaction.atomic
def seed(context: dict) -> None:
    """Side effects: one draft notice of demo-handler's institution (see `notice_draft`)."""
    handler = context["users"]["demo-handler"]
    if live_sme_notice_exists(institution=handler.institution, year=YEAR):
        return
    notice_draft(handler=handler, year=YEAR, rows=ROWS)
