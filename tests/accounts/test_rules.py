from accounts.enums import Position
from accounts.rules import is_district_finance, works_at_finance_bureau
from tests import factories as F


def test_works_at_finance_bureau_only_of_the_named_district(world):
    assert works_at_finance_bureau(world.finance) is True
    assert works_at_finance_bureau(world.finance, district_id=world.putuo_finance.district_id) is True
    assert works_at_finance_bureau(world.finance, district_id=world.qingpu_finance.district_id) is False
    assert works_at_finance_bureau(world.handler) is False


def test_is_district_finance_needs_the_position_and_the_bureau(world):
    bureau_admin = F.user(institution=world.putuo_finance, positions=[Position.INSTITUTION_ADMIN])
    unit_with_finance_position = F.user(institution=world.unit, positions=[Position.FINANCE_REVIEWER])

    assert is_district_finance(world.finance) is True
    assert is_district_finance(world.qp_finance) is True
    assert is_district_finance(bureau_admin) is False
    assert is_district_finance(unit_with_finance_position) is False
    assert is_district_finance(world.supervisor) is False
