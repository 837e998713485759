"""Notices made straight with the ORM (the workflow is another app's concern)."""

from datetime import datetime
from decimal import Decimal

from announcements.enums import State
from announcements.models import Announcement
from oversight.rules import SHANGHAI
from reservations.models import Report, ReservedProject
from reservations.rules import has_small_micro_shortfall, report_policy_warnings
from reservations.services import row_verdict_store
from reservations.verdict import rules_for_region


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
    region = institution.district.code
    rules = rules_for_region(region=region)
    for i in range(rows):
        row = ReservedProject(
            report=report,
            position=i,
            name=f"项目{i + 1}",
            category="goods",
            budget_amount=Decimal("1000"),  # above 第八条's threshold: the 60% rule applies per row
            option="whole",
            ratio=Decimal("100"),
            sme_amount=sme / rows,
            small_micro_amount=small / rows,
            contract_url=f"https://www.zfcg.sh.gov.cn/contract/{report.pk}-{i}",
        )
        # The verdict the services store with each row, from the one function.
        row_verdict_store(row, region=region, rules=rules, year=year)
        row.save()
    # The flags the services store with the totals, from the same rule function.
    warnings = report_policy_warnings(report=report)
    report.small_micro_below = has_small_micro_shortfall(warnings)
    report.needs_explanation = any(w.requires_explanation for w in warnings)
    report.save(update_fields=["small_micro_below", "needs_explanation"])
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
