"""Demo notices in every workflow state, made through the workflow itself so their flow logs are real.

The 党群服务中心 (demo-handler, demo-reviewer; finance demo-finance of 普陀区):
2021 revoked, then a corrected 2021 notice published; 2022 returned with a reason (draft);
2023 waiting for demo-finance; 2024 waiting for demo-reviewer. 2025 is left to the drafting demo.
Idempotent: a step whose notice already exists is skipped.
"""

from decimal import Decimal

from django.db import transaction

from reservations.enums import ProjectCategory, ReservationOption
from reservations.services import report_rows_save, report_update

from .enums import PublishMode, State
from .models import Announcement
from .services import announcement_create_sme
from .workflow import apply_action

CONTRACT = "https://www.zfcg.sh.gov.cn/site/detail?contractId=demo-{year}-{n}"


def _rows(year: int, *, corrected: bool = False) -> list[dict]:
    rows = [
        (
            "社区党群服务中心物业管理服务",
            ProjectCategory.SERVICES,
            ReservationOption.WHOLE,
            "100",
            "86.5",
            "60.2",
        ),
        ("社区活动室设备采购", ProjectCategory.GOODS, ReservationOption.WHOLE, "100", "42.8", "42.8"),
        ("社区道路维修工程", ProjectCategory.WORKS, ReservationOption.DEDICATED_LOT, "40", "180", "120"),
    ]
    if corrected:
        rows[1] = (
            "社区活动室设备采购",
            ProjectCategory.GOODS,
            ReservationOption.WHOLE,
            "100",
            "45.6",
            "45.6",
        )
    return [
        {
            "name": name,
            "code": f"SH-{year}-{n:03d}",
            "category": category,
            "option": option,
            "ratio": Decimal(ratio),
            "budget_amount": Decimal({1: "90", 2: "45", 3: "450"}[n]),
            "sme_amount": Decimal(sme),
            "small_micro_amount": Decimal(small),
            "contract_url": CONTRACT.format(year=year, n=n),
        }
        for n, (name, category, option, ratio, sme, small) in enumerate(rows, start=1)
    ]


def _draft(*, handler, year: int, corrected: bool = False) -> Announcement:
    announcement = announcement_create_sme(
        user=handler, district=handler.institution.district, year=year, publish_mode=PublishMode.ON_APPROVAL
    )
    report = announcement.report
    report_update(
        report=report,
        competent_unit_name=report.competent_unit_name,
        explanation="部分项目因市场主体不足未达到预留比例,已按规定说明。",
    )
    report_rows_save(report=report, rows=_rows(year, corrected=corrected))
    announcement.refresh_from_db()
    return announcement


def _step(announcement, action, actor, comment=""):
    announcement.refresh_from_db()
    apply_action(announcement=announcement, action=action, actor=actor, comment=comment)


@transaction.atomic
def seed(context: dict) -> None:
    users = context["users"]
    handler, reviewer, finance = users["demo-handler"], users["demo-reviewer"], users["demo-finance"]
    unit = context["institutions"]["unit"]
    existing = set(Announcement.objects.filter(institution=unit).values_list("year", "state"))

    def have(year, *states):
        return any((year, s) in existing for s in states)

    if not have(2021, State.REVOKED):
        first = _draft(handler=handler, year=2021)
        _step(first, "submit", handler)
        _step(first, "purchaser_approve", reviewer)
        _step(first, "finance_approve", finance)
        _step(first, "revoke", finance, "设备采购金额填报有误,撤回后重新发布。")
    if not have(2021, State.PUBLISHED, State.DRAFT, State.PURCHASER_REVIEW, State.FINANCE_REVIEW):
        corrected = _draft(handler=handler, year=2021, corrected=True)
        _step(corrected, "submit", handler)
        _step(corrected, "purchaser_approve", reviewer)
        _step(corrected, "finance_approve", finance)
    if not Announcement.objects.filter(institution=unit, year=2022).exists():
        returned = _draft(handler=handler, year=2022)
        _step(returned, "submit", handler)
        _step(returned, "purchaser_approve", reviewer)
        _step(returned, "finance_return", finance, "第3行合同链接无法打开,请核实后重新提交。")
    if not Announcement.objects.filter(institution=unit, year=2023).exists():
        at_finance = _draft(handler=handler, year=2023)
        _step(at_finance, "submit", handler)
        _step(at_finance, "purchaser_approve", reviewer)
    if not Announcement.objects.filter(institution=unit, year=2024).exists():
        at_reviewer = _draft(handler=handler, year=2024)
        _step(at_reviewer, "submit", handler)
