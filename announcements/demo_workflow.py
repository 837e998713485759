"""Demo notices that tell a true story, made through the services and the workflow, so each has
a 创建人 and a real flow log (the public listeners run on each publication as in production).

The 党群服务中心 (demo-handler, demo-reviewer; finance demo-finance of 普陀区):
- 2021: returned by the purchaser reviewer with a reason (a draft again, to be corrected);
- 2022: a real shortfall: the 2022-09 road works (450万) reserved 35% where 财库〔2022〕19号 asked
  40%, explained in the 说明 of that row. Published first with another row's amount typed wrong
  and revoked by finance; the corrected notice was published;
- 2023: waiting for demo-finance; 2024: waiting for demo-reviewer;
- 2025 is left free, so a newcomer's first 新增 creates a notice.
Idempotent: a story whose notice already exists is skipped.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction

from reservations.services import report_rows_save, report_update

from .enums import PublishMode, State
from .models import Announcement
from .services import announcement_create_sme
from .workflow import apply_action

CONTRACT = "https://www.zfcg.sh.gov.cn/site/detail?parentId=137027&articleId=demo-{year}-{n}"

# name, 项目属性, option, ratio, budget, SME amount, small/micro amount, procurement date
PROPERTY = ("社区党群服务中心物业管理服务", "services", "whole", "100", "90", "86.5", "60.2", None)
EQUIPMENT = ("社区活动室桌椅及音响设备采购", "goods", "whole", "100", "45", "42.8", "42.8", None)
ROAD_2022 = ("社区道路维修工程", "works", "dedicated_lot", "35", "450", "157.5", "120", date(2022, 9, 15))
CLEANING = ("社区公共区域保洁服务", "services", "whole", "100", "68", "66.2", "66.2", None)
PRINTING = ("社区宣传资料印刷服务", "services", "whole", "100", "25", "23.6", "23.6", None)
ROOF = ("社区党群服务中心屋面防水修缮工程", "works", "whole", "100", "138", "131.4", "98.5", None)

EXPLAINED_2022 = (
    "第3行社区道路维修工程于2022年9月采购，预算450万元，按财库〔2022〕19号应预留40%以上；"
    "因具备市政道路养护资质的中小企业报名不足，设置专门采购包预留35%（157.5万元），未达到40%。"
)


def rows_of(year: int, specs) -> list[dict]:
    return [
        {
            "name": name,
            "code": f"SHXM-{year}-{n:03d}",
            "category": category,
            "option": option,
            "ratio": Decimal(ratio),
            "budget_amount": Decimal(budget),
            "sme_amount": Decimal(sme),
            "small_micro_amount": Decimal(small),
            "contract_url": CONTRACT.format(year=year, n=n),
            "procurement_date": when,
        }
        for n, (name, category, option, ratio, budget, sme, small, when) in enumerate(specs, start=1)
    ]


def draft(*, handler, year: int, specs, explanation: str = "", district=None) -> Announcement:
    """A draft made as the handler makes it: 新增 → 生成公告 → rows and 说明 saved."""
    announcement = announcement_create_sme(
        user=handler,
        district=district or handler.institution.district,
        year=year,
        publish_mode=PublishMode.ON_APPROVAL,
    )
    report = announcement.report
    report_update(report=report, competent_unit_name=report.competent_unit_name, explanation=explanation)
    report_rows_save(report=report, rows=rows_of(year, specs))
    announcement.refresh_from_db()
    return announcement


def step(announcement, action, actor, comment=""):
    announcement.refresh_from_db()
    apply_action(announcement=announcement, action=action, actor=actor, comment=comment)


def publish(announcement, *, handler, reviewer, finance, comment=""):
    step(announcement, "submit", handler)
    step(announcement, "purchaser_approve", reviewer, comment)
    step(announcement, "finance_approve", finance)


@transaction.atomic
def seed(context: dict) -> None:
    users = context["users"]
    handler, reviewer, finance = users["demo-handler"], users["demo-reviewer"], users["demo-finance"]
    people = {"handler": handler, "reviewer": reviewer, "finance": finance}
    unit = context["institutions"]["unit"]
    existing = set(Announcement.objects.filter(institution=unit).values_list("year", "state"))

    def have(year, *states):
        return any((year, s) in existing for s in states)

    if not Announcement.objects.filter(institution=unit, year=2021).exists():
        wrong_link = (*EQUIPMENT[:7], None)
        returned = draft(handler=handler, year=2021, specs=[PROPERTY, wrong_link])
        step(returned, "submit", handler)
        step(
            returned,
            "purchaser_return",
            reviewer,
            "第2行合同链接打开的不是该项目的采购合同公告，请核实后重新提交。",
        )
    if not have(2022, State.REVOKED):
        typo = (*EQUIPMENT[:5], "48.2", "42.8", None)  # 48.2 typed for 42.8
        first = draft(
            handler=handler, year=2022, specs=[PROPERTY, typo, ROAD_2022], explanation=EXPLAINED_2022
        )
        publish(first, **people)
        reason = "社区活动室桌椅及音响设备采购的面向中小企业采购金额填报有误，撤回后重新发布。"
        step(first, "revoke", finance, reason)
    if not have(2022, State.PUBLISHED, State.DRAFT, State.PURCHASER_REVIEW, State.FINANCE_REVIEW):
        specs = [PROPERTY, EQUIPMENT, ROAD_2022]
        corrected = draft(handler=handler, year=2022, specs=specs, explanation=EXPLAINED_2022)
        publish(corrected, **people, comment="金额已更正，说明与第3行相符，同意。")
    if not Announcement.objects.filter(institution=unit, year=2023).exists():
        at_finance = draft(handler=handler, year=2023, specs=[PROPERTY, CLEANING, ROOF])
        step(at_finance, "submit", handler)
        step(at_finance, "purchaser_approve", reviewer)
    if not Announcement.objects.filter(institution=unit, year=2024).exists():
        at_reviewer = draft(handler=handler, year=2024, specs=[PROPERTY, CLEANING, PRINTING])
        step(at_reviewer, "submit", handler)
