"""Demo data for `seed_demo`: 普陀区's 2025 campaign with units in several states, a 青浦区
campaign to compare with, and one spot-check sample. Idempotent; runs after the announcements
demo, whose notices it leaves alone (its own extra units get notices made here)."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.enums import InstitutionKind
from accounts.models import District, Institution
from announcements.enums import State
from announcements.models import Announcement
from announcements.rendering import render_announcement
from public.services import publication_changed as on_publication_changed
from reservations.enums import ReservationOption
from reservations.models import Report, ReservedProject

from .enums import CheckResult, SampleSize
from .models import CampaignUnit, FilingCampaign, SpotCheckSample
from .rules import SHANGHAI, end_of_day

YEAR = 2025
# Extra 普陀区 budget units: name, notice state (None: not started), SME total, small/micro total, 说明.
EXTRA_UNITS = [
    ("上海市普陀区教育局", State.PUBLISHED, "320", "250", ""),
    (
        "上海市普陀区卫生健康委员会",
        State.PUBLISHED,
        "480.5",
        "200",
        "本年度医疗设备类项目小微企业供应商较少,未达到60%。",
    ),
    ("上海市普陀区绿化和市容管理局", State.PUBLISHED, "150", "120", ""),
    ("上海市普陀区文化和旅游局", State.FINANCE_REVIEW, "90", "60", ""),
    ("上海市普陀区民政局", State.DRAFT, "45", "40", ""),
    ("上海市普陀区石泉路街道办事处", State.REVOKED, "60", "30", ""),
    ("上海市普陀区桃浦镇人民政府", None, "", "", ""),
    ("上海市普陀区图书馆", None, "", "", ""),
]
QINGPU_UNITS = [
    ("上海市青浦区教育局", State.PUBLISHED, "500", "420", ""),
    ("上海市青浦区水务局", State.PUBLISHED, "260", "100", "水利工程项目以中型企业为主。"),
    ("上海市青浦区赵巷镇人民政府", None, "", "", ""),
]


def _notice(institution, state, sme, small, explanation, n):
    if Announcement.objects.filter(institution=institution, year=YEAR).exists():
        return
    report = Report.objects.create(
        institution=institution,
        year=YEAR,
        competent_unit_name=institution.name,
        explanation=explanation,
        sme_total=Decimal(sme),
        small_micro_total=Decimal(small),
    )
    ReservedProject.objects.create(
        report=report,
        name=f"{institution.name[7:]}2025年度物业管理服务",
        option=ReservationOption.WHOLE,
        ratio=Decimal("100"),
        sme_amount=Decimal(sme),
        small_micro_amount=Decimal(small),
        contract_url=f"https://www.zfcg.sh.gov.cn/site/detail?contractId=demo-{report.pk}",
    )
    at = datetime(2026, 3, 2 + n, 10, 30, tzinfo=SHANGHAI)
    fields = {}
    if state != State.DRAFT:
        fields["submitted_at"] = at
    if state in (State.PUBLISHED, State.REVOKED):
        fields["published_at"] = at.replace(hour=15)
    if state == State.REVOKED:
        fields["revoked_at"] = at.replace(day=at.day + 1)
        fields["revoke_reason"] = "金额填写有误,撤回后重新填报。"
    announcement = Announcement.objects.create(
        institution=institution,
        district=institution.district,
        year=YEAR,
        report=report,
        title=f"{institution.name}{YEAR}年面向中小企业预留项目执行情况公告",
        state=state,
        **fields,
    )
    if state in (State.PUBLISHED, State.REVOKED):
        # The frozen text and the search columns, as a publication through the workflow leaves them.
        announcement.published_html = render_announcement(announcement)
        announcement.save(update_fields=["published_html"])
        on_publication_changed(announcement)


def _units(district_code, specs):
    district = District.objects.get(code=district_code)
    for n, (name, state, sme, small, explanation) in enumerate(specs):
        inst, _ = Institution.objects.get_or_create(
            name=name, defaults={"district": district, "kind": InstitutionKind.BUDGET_UNIT}
        )
        if state is not None:
            _notice(inst, state, sme, small, explanation, n)


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
    _units("310107", EXTRA_UNITS)
    _units("310118", QINGPU_UNITS)
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
