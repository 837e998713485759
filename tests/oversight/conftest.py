from datetime import date

import pytest

from announcements.enums import State
from oversight import services
from oversight.rules import end_of_day
from tests import factories as F

from .helpers import notice

DEADLINE = end_of_day(date(2026, 7, 15))


@pytest.fixture
def putuo(world):
    """普陀区's 2025 campaign: world.unit published, world.other_unit in draft, a third unit not started,
    a fourth revoked; 青浦区 has its own campaign with a published notice that must never leak."""
    third = F.institution(name="普陀区第三单位")
    fourth = F.institution(name="普陀区第四单位")
    campaign = services.campaign_create(actor=world.finance, year=2025, deadline=DEADLINE)
    qingpu = services.campaign_create(actor=world.qp_finance, year=2025, deadline=DEADLINE)
    notice(world.unit, sme="300", small="200")
    notice(world.other_unit, state=State.DRAFT, sme="50", small="10")
    notice(fourth, state=State.REVOKED, sme="70", small="70")
    notice(world.outsider, sme="1000", small="900")
    return {"campaign": campaign, "qingpu": qingpu, "third": third, "fourth": fourth}
