"""The campaign page writes its excused count in full-width parentheses: “1 / 3（免报1个）”."""

import re

import pytest

from oversight import services

pytestmark = pytest.mark.django_db


def test_published_over_required_names_the_excused_units_in_full_width_parentheses(world, putuo, login):
    campaign = putuo["campaign"]
    unit = campaign.units.get(institution=putuo["third"])
    services.campaign_unit_excuse(unit=unit, actor=world.finance, reason="已合并")

    page = login(world.finance).get(f"/console/oversight/campaigns/{campaign.pk}/").content.decode()

    figure = re.search(r'data-figure="filed">([^<]*)<', page).group(1)
    assert figure == "1 / 3（免报1个）"
