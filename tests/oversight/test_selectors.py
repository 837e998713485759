from datetime import datetime
from decimal import Decimal

import pytest

from announcements.enums import State
from announcements.hooks import filing_deadlines
from oversight import selectors, services
from oversight.enums import UnitStatus
from oversight.rules import SHANGHAI, end_of_day
from tests import factories as F

from .helpers import notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(world):
    """普陀区 2025 with units in every status, one excused, and a revoked-then-republished unit."""
    c = services.campaign_create(
        actor=world.finance, year=2025, deadline=end_of_day(datetime(2026, 7, 15).date())
    )
    units = {name: F.institution(name=name) for name in ("甲", "乙", "丙", "丁", "戊", "己", "庚")}
    for inst in units.values():
        services.campaign_unit_add(campaign=c, actor=world.finance, institution=inst)
    notice(units["甲"], sme="100", small="70")  # published, share 70%
    notice(
        units["乙"], sme="200.5", small="50", explanation="市场上小微企业不足"
    )  # published, below 60%, explained
    notice(units["丙"], sme="10", small="1")  # published, below, no explanation
    notice(units["丁"], state=State.DRAFT, sme="999", small="999")
    notice(units["戊"], state=State.FINANCE_REVIEW, sme="888", small="1")
    notice(units["己"], state=State.REVOKED, sme="777", small="1")  # revoked, nothing live
    notice(units["庚"], state=State.REVOKED, sme="555", small="1")
    notice(units["庚"], sme="20", small="20")  # republished after a revocation
    notice(units["甲"], year=2024, sme="12345", small="1")  # another year: not counted
    unit_w = world.other_unit  # listed by default (active budget unit of 普陀区), then excused
    notice(unit_w, sme="5000", small="5000")
    services.campaign_unit_excuse(
        unit=c.units.get(institution=unit_w), actor=world.finance, reason="已撤销建制"
    )
    return c, units


def test_dashboard_statuses_follow_the_notices(world, campaign):
    c, units = campaign
    rows = {u.institution.name: u for u in selectors.annotated_units(c.units.all())}
    assert rows["甲"].status == UnitStatus.PUBLISHED
    assert rows["丁"].status == UnitStatus.DRAFT
    assert rows["戊"].status == UnitStatus.IN_REVIEW
    assert rows["己"].status == UnitStatus.REVOKED
    assert rows["庚"].status == UnitStatus.PUBLISHED
    assert rows["庚"].sme_total == Decimal("20")
    assert rows[world.unit.name].status == UnitStatus.NOT_STARTED
    assert rows["甲"].published_at.astimezone(SHANGHAI).date().isoformat() == "2026-03-05"


def test_district_summary_equals_sums_over_published_notices(world, campaign):
    c, units = campaign
    [summary] = selectors.district_summaries([c])
    # Required: world.unit plus the seven units (other_unit is excused).
    assert summary.required == 8
    assert summary.excused == 1
    assert summary.filed == 4  # 甲 乙 丙 庚
    assert summary.sme_total == Decimal("100") + Decimal("200.5") + Decimal("10") + Decimal("20")
    assert summary.small_micro_total == Decimal("70") + Decimal("50") + Decimal("1") + Decimal("20")
    assert summary.small_micro_share == Decimal("42.66")  # 141 / 330.5
    assert summary.below_threshold == 2  # 乙 and 丙
    assert summary.with_explanation == 1  # 乙
    assert summary.filed_share == Decimal("50.00")


def test_status_counts_cover_every_required_unit(world, campaign):
    c, _units = campaign
    assert selectors.status_counts(campaign=c) == {
        "not_started": 1,
        "draft": 1,
        "in_review": 1,
        "published": 4,
        "revoked": 1,
    }


def test_deadline_provider_answers_in_one_query(world, campaign, django_assert_num_queries):
    c, _units = campaign
    with django_assert_num_queries(1):
        deadlines = filing_deadlines(
            {(c.district_id, 2025), (c.district_id, 2024), (world.outsider.district_id, 2025)}
        )
    assert deadlines == {(c.district_id, 2025): c.deadline}
    assert deadlines[(c.district_id, 2025)].astimezone(SHANGHAI).isoformat() == "2026-07-15T23:59:59+08:00"


def test_campaigns_for_user_scopes_by_district(world, campaign):
    c, _units = campaign
    qingpu = services.campaign_create(actor=world.qp_finance, year=2025, deadline=c.deadline)
    assert list(selectors.campaigns_for_user(user=world.finance)) == [c]
    assert list(selectors.campaigns_for_user(user=world.qp_finance)) == [qingpu]
    assert set(selectors.campaigns_for_user(user=world.supervisor)) == {c, qingpu}
    assert list(selectors.campaigns_for_user(user=world.handler)) == []


def test_notice_list_shows_the_campaigns_deadline(world, campaign, login):
    notice(world.unit)
    html = login(world.handler).get("/console/notices/?tab=all").content.decode()
    assert "2026-07-15 23:59:59" in html
