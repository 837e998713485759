"""Notices made straight with the ORM (the workflow is another app's concern)."""

from datetime import datetime
from decimal import Decimal

from announcements.enums import State
from announcements.models import Announcement
from oversight.rules import SHANGHAI
from reservations.models import Report, ReservedProject


def notice(
    institution, *, year=2025, state=State.PUBLISHED, sme="100", small="70", explanation="", rows=1, **extra
):
    """A notice in `state` with a report whose stored totals are the sums of its rows."""
    sme, small = Decimal(sme), Decimal(small)
    report = Report.objects.create(
        institution=institution,
        year=year,
        competent_unit_name=institution.name,
        explanation=explanation,
        sme_total=sme,
        small_micro_total=small,
    )
    for i in range(rows):
        ReservedProject.objects.create(
            report=report,
            position=i,
            name=f"项目{i + 1}",
            option="whole",
            ratio=Decimal("100"),
            sme_amount=sme / rows,
            small_micro_amount=small / rows,
            contract_url=f"https://www.zfcg.sh.gov.cn/contract/{report.pk}-{i}",
        )
    at = datetime(year + 1, 3, 1, 10, 0, tzinfo=SHANGHAI)
    fields = {"submitted_at": at} if state != State.DRAFT else {}
    if state in (State.PUBLISHED, State.REVOKED):
        fields["published_at"] = datetime(year + 1, 3, 5, 10, 0, tzinfo=SHANGHAI)
    if state == State.REVOKED:
        fields["revoked_at"] = datetime(year + 1, 3, 6, 10, 0, tzinfo=SHANGHAI)
    fields.update(extra)
    return Announcement.objects.create(
        institution=institution,
        district=institution.district,
        year=year,
        report=report,
        title=f"{institution.name}{year}年面向中小企业预留项目执行情况公告",
        state=state,
        **fields,
    )
