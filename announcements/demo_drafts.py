"""Demo draft notices (drafting issue): a 2025 draft with realistic rows at 长征镇 (demo-other-handler),
so that demo-handler's 2025 stays free for a newcomer's first 新增. Idempotent."""

from decimal import Decimal

from django.db import transaction

from reservations.services import report_rows_save

from .enums import Kind, PublishMode, State
from .models import Announcement
from .services import announcement_create_sme

YEAR = 2025
LINK = "https://www.zfcg.sh.gov.cn/site/detail?parentId=137027&articleId={}"
ROWS = [
    ("社区党群服务阵地日常运营服务", "SHXM-2025-0117", "services", "whole", "100", "175", "168.5", "168.5"),
    ("办公设备及家具采购", "SHXM-2025-0203", "goods", "whole", "100", "95", "92.36", "60.12"),
    ("社区综合服务设施修缮工程", "SHXM-2025-0311", "works", "dedicated_lot", "45", "620", "279", "190.4"),
    ("社区文化活动策划执行", "SHXM-2025-0420", "services", "subcontract", "30", "260", "78", "78"),
]


@transaction.atomic
def seed(context: dict) -> None:
    unit = context["institutions"]["other_unit"]
    handler = context["users"]["demo-other-handler"]
    if (
        Announcement.objects.filter(institution=unit, year=YEAR, kind=Kind.SME_RESERVATION)
        .exclude(state=State.REVOKED)
        .exists()
    ):
        return
    notice = announcement_create_sme(
        user=handler, district=unit.district, year=YEAR, publish_mode=PublishMode.ON_APPROVAL
    )
    rows = [
        {
            "name": name,
            "code": code,
            "category": category,
            "option": option,
            "ratio": Decimal(ratio),
            "budget_amount": Decimal(budget) if budget else None,
            "sme_amount": Decimal(sme),
            "small_micro_amount": Decimal(small_micro),
            "contract_url": LINK.format(1_000_000 + index),
        }
        for index, (name, code, category, option, ratio, budget, sme, small_micro) in enumerate(ROWS, start=1)
    ]
    report_rows_save(report=notice.report, rows=rows)
