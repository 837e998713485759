import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from announcements.enums import State
from announcements.models import Announcement
from tests import factories
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db


def get_json(client, url, params=None):
    response = client.get(url, params or {})
    return response, json.loads(response.content, parse_float=Decimal)


def ids(data) -> list[str]:
    return [item["id"] for item in data["results"]]


def test_api_list_gives_published_notices_with_totals(client, world):
    notice = make_notice(
        institution=world.unit, rows=[("物业服务", "12.345678", "10.000001"), ("保洁", "0.000001", "0")]
    )
    make_notice(institution=world.unit, state=State.REVOKED)
    make_notice(institution=world.unit, is_test=True)

    response, data = get_json(client, reverse("public:api_list"))

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert ids(data) == [notice.public_id]
    item = data["results"][0]
    assert item["district"] == {"code": "310107", "name": "普陀区"}
    assert item["publishing_unit"] == "上海市普陀区测试街道社区服务中心"
    assert item["totals"]["sme_amount_wan"] == Decimal("12.345679")
    assert item["totals"]["small_micro_amount_wan"] == Decimal("10.000001")
    assert item["totals"]["small_micro_share_percent"] == Decimal("81")
    assert data["next"] is None


def test_api_list_filters_by_district_year_unit_and_updated_since(client, world):
    old = make_notice(institution=world.unit, year=2023, published_at=timezone.now() - timedelta(days=40))
    Announcement.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=40))
    recent = make_notice(institution=world.unit, year=2024, published_at=timezone.now() - timedelta(days=1))
    qingpu = make_notice(institution=world.outsider, year=2024)

    url = reverse("public:api_list")
    assert ids(get_json(client, url, {"district": "310118"})[1]) == [qingpu.public_id]
    assert ids(get_json(client, url, {"year": "2023"})[1]) == [old.public_id]
    assert ids(get_json(client, url, {"unit": "青浦区外单位"})[1]) == [qingpu.public_id]
    since = (timezone.now() - timedelta(days=5)).isoformat()
    assert set(ids(get_json(client, url, {"updated_since": since})[1])) == {
        recent.public_id,
        qingpu.public_id,
    }


def test_api_list_bad_filter_is_400_with_message(client, world):
    response, data = get_json(
        client, reverse("public:api_list"), {"updated_since": "yesterday", "cursor": "x"}
    )

    assert response.status_code == 400
    assert "updated_since" in data["errors"]


def test_api_cursor_walks_every_notice_once_newest_first(client, world):
    now = timezone.now()
    notices = [make_notice(institution=world.unit, published_at=now - timedelta(hours=i)) for i in range(7)]
    # Two notices at the same instant: the id breaks the tie.
    Announcement.objects.filter(pk=notices[4].pk).update(published_at=notices[3].published_at)

    seen, url, pages = [], reverse("public:api_list") + "?limit=3", 0
    while url:
        response, data = get_json(client, url.replace("http://127.0.0.1:8000", ""))
        seen += ids(data)
        url, pages = data["next"], pages + 1

    assert pages == 3
    assert sorted(seen) == sorted(n.public_id for n in notices)
    assert len(seen) == len(set(seen)) == 7
    assert seen[:3] == [notices[0].public_id, notices[1].public_id, notices[2].public_id]


def test_api_detail_has_rows_totals_and_options(client, world):
    notice = make_notice(institution=world.unit, rows=[("物业服务", "20", "15"), ("保洁服务", "5.5", "5")])

    response, data = get_json(client, reverse("public:api_detail", args=[notice.public_id]))

    assert [r["name"] for r in data["rows"]] == ["物业服务", "保洁服务"]
    first, second = data["rows"]
    assert first["number"] == 1
    assert first["option"] == {"code": "whole", "label": "采购项目整体预留"}
    assert second["option"]["label"] == "设置专门采购包"
    assert second["ratio_percent"] == Decimal("40")
    assert second["sme_amount_wan"] == Decimal("5.5")
    assert first["contract_url"].startswith("https://www.zfcg.sh.gov.cn/")
    assert data["totals"]["sme_amount_wan"] == Decimal("25.5")
    assert data["totals"]["small_micro_share_percent"] == Decimal("78.43")
    assert [o["label"] for o in data["reservation_options"]] == [
        "采购项目整体预留",
        "设置专门采购包",
        "要求以联合体形式参加",
        "要求合同分包",
    ]


def test_api_detail_revoked_is_410_and_unpublished_404(client, world):
    revoked = make_notice(institution=world.unit, state=State.REVOKED)
    draft = make_notice(institution=world.unit, state=State.DRAFT)
    test_unit = factories.institution(is_test=True)
    hidden = make_notice(institution=test_unit)

    response, data = get_json(client, reverse("public:api_detail", args=[revoked.public_id]))
    assert response.status_code == 410
    assert data["revoke_reason"] == "数据填报有误"
    assert "rows" not in data
    assert client.get(reverse("public:api_detail", args=[draft.public_id])).status_code == 404
    assert client.get(reverse("public:api_detail", args=[hidden.public_id])).status_code == 404


@pytest.mark.parametrize("count", [1, 30])
def test_api_queries_do_not_grow(client, world, django_assert_max_num_queries, count):
    notices = [
        make_notice(institution=world.unit, rows=[(f"项目{i}", "1", "1") for i in range(count)])
        for _ in range(count)
    ]

    with django_assert_max_num_queries(1):
        _, listing = get_json(client, reverse("public:api_list"), {"limit": 100})
    with django_assert_max_num_queries(2):
        _, one = get_json(client, reverse("public:api_detail", args=[notices[0].public_id]))

    assert len(listing["results"]) == count
    assert len(one["rows"]) == count
