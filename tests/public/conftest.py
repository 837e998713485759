"""Published notices made directly with the ORM (the workflow's own tests cover how they get there)."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import District
from announcements.enums import State
from announcements.models import Announcement
from public.services import announcement_search_fields_fill
from reservations.enums import ProjectCategory, ReservationOption
from reservations.models import Report, ReservedProject
from tests import factories

_years = itertools.count(2000)


def make_notice(
    *,
    institution=None,
    title=None,
    rows=(("办公设备采购项目", "12.5", "10"),),
    state=State.PUBLISHED,
    published_at=None,
    is_test=False,
    year=None,
    district_code=None,
    html=None,
    competent_unit=None,
) -> Announcement:
    """A notice with a report and rows; rows are (name, SME 万元, small/micro 万元)."""
    institution = institution or factories.institution()
    year = year or next(_years)
    report = Report.objects.create(
        institution=institution, year=year, competent_unit_name=competent_unit or institution.name
    )
    sme_total = small_total = Decimal("0")
    for i, (name, sme, small) in enumerate(rows):
        ReservedProject.objects.create(
            report=report,
            position=i,
            name=name,
            code=f"SH-{year}-{i + 1:03d}",
            category=ProjectCategory.GOODS,
            option=ReservationOption.DEDICATED_LOT if i % 2 else ReservationOption.WHOLE,
            ratio=Decimal("40") if i % 2 else Decimal("100"),
            sme_amount=Decimal(sme),
            small_micro_amount=Decimal(small),
            contract_url=f"https://www.zfcg.sh.gov.cn/contract/{year}-{i + 1}",
        )
        sme_total += Decimal(sme)
        small_total += Decimal(small)
    report.sme_total, report.small_micro_total = sme_total, small_total
    report.save()
    district = District.objects.get(code=district_code) if district_code else institution.district
    notice = Announcement.objects.create(
        institution=institution,
        district=district,
        year=year,
        report=report,
        title=title or f"{institution.name}{year}年面向中小企业预留项目执行情况公告",
        state=state,
        is_test=is_test,
        published_at=published_at or (timezone.now() - timedelta(days=10)),
        published_html=html
        if html is not None
        else f"<p>本部门(单位){year}年预留项目面向中小企业采购共计{sme_total}万元。</p>"
        f"<table><tr><th>项目名称</th></tr>{''.join(f'<tr><td>{r[0]}</td></tr>' for r in rows)}</table>",
    )
    if state == State.REVOKED:
        notice.revoked_at = timezone.now()
        notice.revoke_reason = "数据填报有误"
        notice.save()
    announcement_search_fields_fill(announcement=notice)
    return notice


@pytest.fixture
def notice_factory(db):
    return make_notice
