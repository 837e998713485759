"""操作指南: the steps of the user's positions and the rules table drawn from the rules themselves."""

from decimal import Decimal

import pytest
from django.urls import reverse

from announcements import guide
from reservations.models import PolicyRule

pytestmark = pytest.mark.django_db
GUIDE = reverse("announcements:guide")


def test_handler_sees_the_handler_journey_in_the_seeds_words(world, login):
    html = login(world.handler).get(GUIDE).content.decode()
    assert "项目采购经办岗" in html and "采购人审核岗</h2>" not in html
    assert "上海政府采购网-采购公告-采购合同公告" in html
    assert "“采购项目整体预留”“设置专门采购包”“要求以联合体形式参加”“要求合同分包”" in html


def test_every_position_on_request(world, login):
    html = login(world.finance).get(GUIDE + "?all=1").content.decode()
    for name in ("项目采购经办岗", "采购人审核岗", "财政审核岗", "监督检查岗", "机构管理员"):
        assert f"<h2>{name}</h2>" in html


def test_rules_table_has_one_row_per_rule_with_its_numbers(world, login):
    html = login(world.handler).get(GUIDE).content.decode()
    assert len(guide.rule_rows()) == PolicyRule.objects.filter(active=True).count()
    assert "200万元及以下" in html and "整体预留（采购项目整体预留）" in html
    assert "超过200万元" in html and "超过400万元" in html and "万元以上" not in html  # 46号 says 超过
    assert "预留比例不低于30%" in html and "预留比例不低于40%" in html
    assert "预留份额中小微企业占比不低于60%" in html
    assert "2022-07-01 – 2022-12-31" in html and "财库〔2022〕19号 第三条" in html


def test_rules_table_follows_a_changed_rule(world, login):
    PolicyRule.objects.filter(minimum=Decimal("30")).update(minimum=Decimal("35"))
    html = login(world.handler).get(GUIDE).content.decode()
    assert "预留比例不低于35%" in html and "预留比例不低于30%" not in html


def test_guide_requires_sign_in(client):
    response = client.get(GUIDE)

    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={GUIDE}"


def test_rules_table_names_each_rules_region_and_says_shanghai_has_one_rule_of_its_own(world, login):
    html = login(world.handler).get(GUIDE).content.decode()
    assert "<td>全国</td>" in html and "<td>上海市</td>" in html
    assert "上海市（310000）适用全国规则及本地规则1条。" in html
