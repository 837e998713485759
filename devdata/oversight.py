"""The oversight demo: 普陀区's 2025 filing campaign with units in every state, a 青浦区 campaign
to compare it with, and one spot-check sample with a recorded result.

Each extra budget unit has its own handler and purchaser reviewer, who file its 2025 notice
through the drafting services and the workflow (finance: demo-finance in 普陀区, demo-qp-finance
in 青浦区), so the dashboards read real notices with real flow logs. Campaigns, the excused unit
and the sample are made through the oversight services. Idempotent: a unit's notice, a campaign
or a sample that exists is left alone.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.enums import InstitutionKind, Position
from announcements.enums import State
from announcements.models import Announcement
from oversight.enums import CheckResult, SampleSize
from oversight.models import CampaignUnit, FilingCampaign, SpotCheckSample
from oversight.rules import end_of_day
from oversight.services import (
    campaign_create,
    campaign_unit_excuse,
    spot_check_item_record,
    spot_check_sample_draw,
)

from .accounts import demo_user, institution_get_or_create
from .notices import Row, notice_draft, notice_steps

YEAR = 2025


@dataclass(frozen=True)
class Unit:
    name: str
    slug: str  # demo-<slug>-handler, demo-<slug>-reviewer
    staff: tuple[str, ...] = ()  # full names: the handler, then the purchaser reviewer
    state: State | None = None  # the 2025 notice's state; None: not started
    rows: list[Row] = field(default_factory=list)
    explanation: str = ""  # the 说明, only where a policy threshold is missed
    revoke_reason: str = ""


PUTUO = [
    Unit(
        "上海市普陀区教育局",
        "pt-edu",
        ("孙丽", "郑浩"),
        State.PUBLISHED,
        [
            Row(
                "普陀区中小学校园安保服务",
                "PTJY-2025-011",
                "services",
                "whole",
                "100",
                "180",
                "176.4",
                "138.2",
            ),
            Row(
                "普陀区中小学教学设备采购", "PTJY-2025-027", "goods", "whole", "100", "150", "143.6", "111.8"
            ),
        ],
    ),
    Unit(
        "上海市普陀区卫生健康委员会",
        "pt-health",
        ("吴霞", "冯军"),
        State.PUBLISHED,
        [
            Row(
                "社区卫生服务中心医疗设备采购",
                "PTWJ-2025-003",
                "goods",
                "dedicated_lot",
                "40",
                "820",
                "328",
                "95",
                "supply",
            ),
            Row(
                "社区卫生服务中心保洁服务", "PTWJ-2025-008", "services", "whole", "100", "160", "152.5", "105"
            ),
        ],
        "社区卫生服务中心医疗设备采购（预算820万元）的专门采购包由中型医疗器械企业中标，小微企业供应商较少，"
        "该采购包小微企业采购金额占比为28.96%，未达到60%。",
    ),
    Unit(
        "上海市普陀区绿化和市容管理局",
        "pt-greening",
        ("何静", "马超"),
        State.PUBLISHED,
        [
            Row("普陀区道路绿化养护服务", "PTLH-2025-015", "services", "whole", "100", "95", "92", "80"),
            Row("公共厕所保洁服务", "PTLH-2025-016", "services", "whole", "100", "60", "58", "40"),
        ],
    ),
    Unit(
        "上海市普陀区文化和旅游局",
        "pt-culture",
        ("许敏", "韩磊"),
        State.FINANCE_REVIEW,
        [
            Row("公共文化活动策划执行服务", "PTWL-2025-006", "services", "whole", "100", "62", "60", "42"),
            Row("文化馆舞台灯光设备采购", "PTWL-2025-009", "goods", "whole", "100", "32", "30", "18"),
        ],
    ),
    Unit(
        "上海市普陀区民政局",
        "pt-civil",
        ("邓红", "曹勇"),
        State.DRAFT,
        [Row("社区居家养老服务", "PTMZ-2025-002", "services", "whole", "100", "48", "45", "40")],
    ),
    Unit(
        "上海市普陀区石泉路街道办事处",
        "pt-shiquan",
        ("彭丽", "田刚"),
        State.REVOKED,
        [
            Row(
                "街道办公楼物业管理服务",
                "PTSQ-2025-001",
                "services",
                "whole",
                "100",
                "320",
                "310",
                "155",
                "supply",
            )
        ],
        "街道办公楼物业管理服务（预算320万元）由中型物业企业中标，小微企业采购额占比为50%，未达到60%。",
        "物业管理服务中小微企业采购金额填写有误，撤回后重新填报。",
    ),
    Unit("上海市普陀区桃浦镇人民政府", "pt-taopu", ("潘婷",)),
    Unit("上海市普陀区图书馆", "pt-library"),
]
QINGPU = [
    Unit(
        "上海市青浦区教育局",
        "qp-edu",
        ("蒋琳", "沈涛"),
        State.PUBLISHED,
        [
            Row("青浦区中小学食堂餐饮服务", "QPJY-2025-004", "services", "whole", "100", "198", "195", "170"),
            Row(
                "青浦区中小学校舍修缮工程",
                "QPJY-2025-012",
                "works",
                "dedicated_lot",
                "45",
                "680",
                "305",
                "250",
            ),
        ],
    ),
    Unit(
        "上海市青浦区水务局",
        "qp-water",
        ("陆燕", "杜斌"),
        State.PUBLISHED,
        [
            Row(
                "淀山湖周边河道综合整治工程",
                "QPSW-2025-002",
                "works",
                "dedicated_lot",
                "40",
                "520",
                "208",
                "60",
                "supply",
            ),
            Row("青浦区泵站设备维保服务", "QPSW-2025-007", "services", "whole", "100", "55", "52", "40"),
        ],
        "淀山湖周边河道综合整治工程（预算520万元）的专门采购包由中型水利施工企业承接，"
        "该采购包小微企业采购金额占比为28.85%，未达到60%。",
    ),
    Unit("上海市青浦区赵巷镇人民政府", "qp-zhaoxiang", ("钱颖",)),
]
LIBRARY_EXCUSE = "2025年度无政府采购项目"


def _unit_notice(unit: Unit, institution, finance) -> None:
    staff = [
        demo_user(
            username=f"demo-{unit.slug}-{role}", full_name=name, institution=institution, positions=[pos]
        )
        for (role, pos), name in zip(
            (("handler", Position.HANDLER), ("reviewer", Position.PURCHASER_REVIEWER)),
            unit.staff,
            strict=False,
        )
    ]
    if unit.state is None or Announcement.objects.filter(institution=institution, year=YEAR).exists():
        return
    handler, reviewer = staff
    steps = {
        State.DRAFT: [],
        State.FINANCE_REVIEW: [("submit", handler), ("purchaser_approve", reviewer)],
        State.PUBLISHED: [("submit", handler), ("purchaser_approve", reviewer), ("finance_approve", finance)],
    }
    steps[State.REVOKED] = [*steps[State.PUBLISHED], ("revoke", finance, unit.revoke_reason)]
    notice = notice_draft(handler=handler, year=YEAR, rows=unit.rows, explanation=unit.explanation)
    notice_steps(notice, *steps[unit.state])


def _units(district_code: str, units: list[Unit], finance) -> None:
    for unit in units:
        institution = institution_get_or_create(
            name=unit.name, district_code=district_code, kind=InstitutionKind.BUDGET_UNIT
        )
        _unit_notice(unit, institution, finance)


def _campaign(finance, deadline: date) -> FilingCampaign:
    existing = FilingCampaign.objects.filter(district_id=finance.institution.district_id, year=YEAR).first()
    return existing or campaign_create(actor=finance, year=YEAR, deadline=end_of_day(deadline))


@transaction.atomic
def seed(context: dict) -> None:
    """Side effects: the extra units, their staff and notices (see devdata.notices), two campaigns,
    one excused unit, one spot-check sample with one result. Puts `filing_campaign` (普陀区's)
    and `now` into `context`."""
    users = context["users"]
    finance, qp_finance, supervisor = (
        users["demo-finance"],
        users["demo-qp-finance"],
        users["demo-supervisor"],
    )
    _units("310107", PUTUO, finance)
    _units("310118", QINGPU, qp_finance)
    # 普陀区's deadline lies ahead whenever the demo is loaded (days left, "before" reminders);
    # 青浦区's has passed (overdue units, "after" reminders).
    putuo = _campaign(finance, timezone.localdate() + timedelta(days=5))
    _campaign(qp_finance, date(2026, 6, 30))
    library = CampaignUnit.objects.filter(
        campaign=putuo, institution__name="上海市普陀区图书馆", required=True
    ).first()
    if library is not None:
        campaign_unit_excuse(unit=library, actor=finance, reason=LIBRARY_EXCUSE)
    if not SpotCheckSample.objects.exists():
        sample = spot_check_sample_draw(
            actor=supervisor, year=YEAR, size_mode=SampleSize.COUNT, size_value=3, seed=20260715
        )
        first = sample.items.order_by("position").first()
        spot_check_item_record(item=first, actor=supervisor, result=CheckResult.COMPLIANT, remarks="")
    context["filing_campaign"] = putuo
    context["now"] = timezone.now()
