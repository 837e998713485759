"""发送提醒 asks first: its dialog lists the units a reminder reaches and those without an address."""

import pytest

from accounts.enums import Position
from tests import factories as F

pytestmark = pytest.mark.django_db


def test_reminder_preview_lists_reached_and_unreachable_units(world, putuo, login):
    F.user(institution=putuo["third"], positions=[Position.HANDLER], email="third@example.cn")
    url = f"/console/oversight/campaigns/{putuo['campaign'].pk}/"
    page = login(world.finance).get(url).content.decode()
    assert f'data-confirm-fetch="{url}remind/preview/"' in page
    preview = login(world.finance).get(url + "remind/preview/").content.decode()
    reached, unreachable = preview.split("没有")[0], preview.split("没有")[1]
    assert world.other_unit.name in reached and "普陀区第三单位" in reached
    assert "普陀区第四单位" in unreachable  # revoked, and no handler with an e-mail address
    assert world.unit.name not in preview  # published: not reminded


def test_reminder_preview_is_404_for_another_district(world, putuo, login):
    url = f"/console/oversight/campaigns/{putuo['campaign'].pk}/remind/preview/"

    response = login(world.qp_finance).get(url)

    html = response.content.decode()
    assert response.status_code == 404 and "页面不存在" in html
    assert world.other_unit.name not in html and "普陀区第三单位" not in html
