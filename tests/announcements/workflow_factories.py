"""Notices in any workflow state for the workflow tests. The state is arranged with a direct
update (the arrange step of a test), never through a form; the code under test uses apply_action."""

from decimal import Decimal

from announcements import workflow_flows as flows
from announcements.enums import State
from announcements.models import Announcement
from reservations.enums import ReservationOption
from reservations.models import Report, ReservedProject

ROW = {
    "category": "services",
    "budget_amount": Decimal("150"),
    "option": ReservationOption.WHOLE,
    "ratio": Decimal("100"),
    "sme_amount": Decimal("120.5"),
    "small_micro_amount": Decimal("100"),
    "contract_url": "https://www.zfcg.sh.gov.cn/contract/1",
}


def add_row(report, *, name, **extra):
    row = ReservedProject.objects.create(
        report=report, position=report.rows.count(), name=name, **{**ROW, **extra}
    )
    totals(report)
    return row


def totals(report):
    rows = list(report.rows.all())
    report.sme_total = sum((r.sme_amount for r in rows), Decimal("0"))
    report.small_micro_total = sum((r.small_micro_amount for r in rows), Decimal("0"))
    report.save(update_fields=["sme_total", "small_micro_total"])


def notice(*, institution, year=2024, state=State.DRAFT, rows=1, submitted_by=None, created_by=None, **extra):
    report = Report.objects.create(
        institution=institution, year=year, competent_unit_name=institution.name, explanation="已说明"
    )
    for i in range(rows):
        add_row(report, name=f"项目{i + 1}", code=f"P-{i + 1}")
    announcement = Announcement.objects.create(
        institution=institution,
        district=institution.district,
        year=year,
        report=report,
        title=f"{institution.name}{year}年面向中小企业预留项目执行情况公告",
        created_by=created_by or submitted_by,
        **extra,
    )
    if state != State.DRAFT or submitted_by:
        set_state(announcement, state, submitted_by=submitted_by)
    return announcement


def set_state(announcement, state, *, submitted_by=None):
    fields = {"state": state}
    if state != State.DRAFT:
        fields["submitted_by"] = submitted_by
        # As a submission records them: the flows in use and the first step of the state's side.
        own = flows.ensure_version(institution=announcement.institution)
        finance = flows.ensure_version(district=announcement.district)
        fields |= {"flow_version": own, "finance_flow_version": finance, "review_round": 1}
        side = {State.PURCHASER_REVIEW: own, State.FINANCE_REVIEW: finance}.get(state)
        if side is not None:
            fields["current_step"] = side.steps.order_by("order").first()
    if state in (State.PUBLISHED, State.REVOKED):
        from django.utils import timezone

        fields.update(published_at=timezone.now(), approved_at=timezone.now(), published_html="<p>frozen</p>")
    Announcement.objects.filter(pk=announcement.pk).update(**fields)
    announcement.refresh_from_db()
    return announcement
