"""Demo data for `seed_demo`: 普陀区's 2025 campaign with units in several states, a 青浦区
campaign to compare with, and one spot-check sample. Idempotent; runs after the announcements
demo, whose notices it leaves alone. The extra units' notices are made as in life: each unit gets
a handler and a reviewer, the notice goes through the services and the workflow (创建人, flow log,
frozen text and search fields by the workflow's listeners); two of them publish a real shortfall
with the 说明 of that row, the others have none."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.enums import POSITION_GROUP_NAMES, InstitutionKind, Position
from accounts.models import District, Institution, User
from announcements import demo_workflow
from announcements.enums import State
from announcements.models import Announcement

from .enums import CheckResult, SampleSize
from .models import CampaignUnit, FilingCampaign, SpotCheckSample
from .rules import end_of_day

YEAR = 2025
# Extra budget units: name, notice state (None: not started), rows (name, 项目属性, option, ratio,
# budget, SME amount, small/micro amount), 说明. Each row's figures are the ones its 说明 speaks of.
EXTRA_UNITS = [
    (
        "上海市普陀区教育局",
        State.PUBLISHED,
        [
            ("区属中小学校园安保服务", "services", "whole", "100", "180", "176.8", "150"),
            ("中小学教室照明改造工程", "works", "whole", "100", "380", "143.2", "100"),
        ],
        "",
    ),
    (
        "上海市普陀区卫生健康委员会",
        State.PUBLISHED,
        [
            ("社区卫生服务中心医用超声诊断设备采购", "goods", "dedicated_lot", "40", "800", "320", "120"),
            ("卫生监督所办公楼保洁服务", "services", "whole", "100", "165", "160.5", "80"),
        ],
        "第1行社区卫生服务中心医用超声诊断设备采购设置专门采购包预留40%（320万元），因具备第二类医疗器械"
        "经营资质的小微企业较少，面向小微企业采购120万元，占37.50%，未达到60%。",
    ),
    (
        "上海市普陀区绿化和市容管理局",
        State.PUBLISHED,
        [
            ("道路绿化养护服务", "services", "whole", "100", "155", "150", "120"),
        ],
        "",
    ),
    (
        "上海市普陀区文化和旅游局",
        State.FINANCE_REVIEW,
        [
            ("社区文化活动中心演出服务", "services", "whole", "100", "95", "90", "60"),
        ],
        "",
    ),
    (
        "上海市普陀区民政局",
        State.DRAFT,
        [
            ("养老服务机构消防设施维保服务", "services", "whole", "100", "48", "45", "40"),
        ],
        "",
    ),
    (
        "上海市普陀区石泉路街道办事处",
        State.REVOKED,
        [
            ("街道办公用房修缮工程", "works", "whole", "100", "62", "60", "30"),
        ],
        "",
    ),
    ("上海市普陀区桃浦镇人民政府", None, [], ""),
    ("上海市普陀区图书馆", None, [], ""),
]
QINGPU_UNITS = [
    ("上海市青浦区教育局", State.PUBLISHED, [
        ("区属中小学课桌椅采购", "goods", "whole", "100", "198", "195", "170"),
        ("学校食堂食材配送服务", "services", "whole", "100", "310", "305", "250"),
    ], ""),
    ("上海市青浦区水务局", State.PUBLISHED, [
        ("泵站机电设备维修改造工程", "works", "dedicated_lot", "40", "650", "260", "100"),
    ], "泵站机电设备维修改造工程设置专门采购包预留40%（260万元），中标的中小企业联合体以中型企业为主，"
       "面向小微企业采购100万元，占38.46%，未达到60%。"),
    ("上海市青浦区赵巷镇人民政府", None, [], ""),
]  # fmt: skip
FINANCE_OF = {"310107": "demo-finance", "310118": "demo-qp-finance"}
# The extra units' handler and reviewer, by the unit's position in its list.
STAFF_NAMES = [("孙丽", "郭强"), ("何静", "马超"), ("罗敏", "梁勇"), ("宋佳", "谢涛"), ("韩雪", "唐磊"),
               ("冯婷", "董浩"), ("程琳", "袁斌"), ("邓洁", "许峰")]  # fmt: skip


def _staff(institution, n):
    """A handler and a reviewer of the unit, so its notice goes through the workflow as in life."""
    people = []
    roles = (("handler", Position.HANDLER), ("reviewer", Position.PURCHASER_REVIEWER))
    for (role, position), full_name in zip(roles, STAFF_NAMES[n], strict=True):
        user, created = User.objects.get_or_create(
            username=f"demo-{institution.district.code}-{n}-{role}",
            defaults={
                "full_name": full_name,
                "institution": institution,
                "email": f"demo-{institution.district.code}-{n}-{role}@example.cn",
            },
        )
        if created:
            user.set_password(settings.DEMO_PASSWORD)
            user.save()
        user.groups.set(Group.objects.filter(name=POSITION_GROUP_NAMES[position]))
        people.append(user)
    return people


def _notice(institution, state, specs, explanation, n, finance):
    if Announcement.objects.filter(institution=institution, year=YEAR).exists():
        return
    handler, reviewer = _staff(institution, n)
    specs = [(*spec, None) for spec in specs]
    announcement = demo_workflow.draft(handler=handler, year=YEAR, specs=specs, explanation=explanation)
    if state == State.DRAFT:
        return
    demo_workflow.step(announcement, "submit", handler)
    demo_workflow.step(announcement, "purchaser_approve", reviewer)
    if state == State.FINANCE_REVIEW:
        return
    demo_workflow.step(announcement, "finance_approve", finance)
    if state == State.REVOKED:
        demo_workflow.step(announcement, "revoke", finance, "修缮工程金额填写有误，撤回后重新填报。")


def _units(district_code, specs, users):
    district = District.objects.get(code=district_code)
    finance = users[FINANCE_OF[district_code]]
    for n, (name, state, rows, explanation) in enumerate(specs):
        inst, _ = Institution.objects.get_or_create(
            name=name, defaults={"district": district, "kind": InstitutionKind.BUDGET_UNIT}
        )
        if state is not None:
            _notice(inst, state, rows, explanation, n, finance)


def _campaign(district_code, deadline: date, created_by):
    district = District.objects.get(code=district_code)
    campaign, created = FilingCampaign.objects.get_or_create(
        district=district, year=YEAR, defaults={"deadline": end_of_day(deadline), "created_by": created_by}
    )
    units = Institution.objects.filter(
        district=district, kind=InstitutionKind.BUDGET_UNIT, is_active=True, is_test=False
    ).exclude(pk__in=CampaignUnit.objects.filter(campaign=campaign).values("institution_id"))
    CampaignUnit.objects.bulk_create(
        [CampaignUnit(campaign=campaign, institution=i, added_by=created_by) for i in units]
    )
    return campaign


@transaction.atomic
def seed(context: dict) -> None:
    users = context["users"]
    _units("310107", EXTRA_UNITS, users)
    _units("310118", QINGPU_UNITS, users)
    # 普陀区's deadline lies ahead whenever the demo is loaded (days left, "before" reminders);
    # 青浦区's has passed (overdue units, "after" reminders).
    putuo = _campaign("310107", timezone.localdate() + timedelta(days=5), users["demo-finance"])
    _campaign("310118", date(2026, 6, 30), users["demo-qp-finance"])
    # One unit excused, to show the reason on the dashboard.
    CampaignUnit.objects.filter(campaign=putuo, institution__name="上海市普陀区图书馆", required=True).update(
        required=False, excuse_reason="2025年度无政府采购项目"
    )
    if not SpotCheckSample.objects.exists():
        from . import services

        sample = services.spot_check_sample_draw(
            actor=users["demo-supervisor"], year=YEAR, size_mode=SampleSize.COUNT, size_value=3, seed=20260715
        )
        first = sample.items.order_by("position").first()
        services.spot_check_item_record(
            item=first, actor=users["demo-supervisor"], result=CheckResult.COMPLIANT, remarks=""
        )
    context["filing_campaign"] = putuo
    context["now"] = timezone.now()
