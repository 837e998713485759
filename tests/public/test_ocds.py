import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from django.urls import reverse
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from announcements.enums import State
from reservations.enums import ProjectCategory
from reservations.models import ReservedProject
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parent.parent / "ocds"


def validator():
    package = json.loads((SCHEMAS / "release-package-schema.json").read_text())
    release = json.loads((SCHEMAS / "release-schema.json").read_text())
    registry = Registry().with_resource(
        release["id"], Resource.from_contents(release, default_specification=DRAFT4)
    )
    return jsonschema.Draft4Validator(package, registry=registry, format_checker=jsonschema.FormatChecker())


def releases(client, params=None):
    response = client.get(reverse("public:ocds_releases"), params or {})
    return response, json.loads(response.content, parse_float=Decimal)


def test_ocds_package_validates_against_schema(client, world):
    make_notice(institution=world.unit, rows=[("物业服务", "20", "15"), ("保洁服务", "5.5", "5")])
    make_notice(institution=world.outsider, rows=[("办公设备", "0.000001", "0")])

    response, package = releases(client)

    errors = sorted(validator().iter_errors(json.loads(response.content)), key=str)
    assert errors == []
    assert len(package["releases"]) == 3


def test_ocds_release_per_row_maps_buyer_tender_contract(client, world, settings):
    settings.OCDS_OCID_PREFIX = "ocds-test99"
    notice = make_notice(institution=world.unit, rows=[("物业服务", "12.345678", "10.5")])
    ReservedProject.objects.filter(report=notice.report).update(category=ProjectCategory.SERVICES)

    _, package = releases(client)

    release = package["releases"][0]
    unit_key = world.unit.credit_code or f"unit{world.unit.pk}"
    assert release["ocid"] == f"ocds-test99-{unit_key}-{notice.year}-SH-{notice.year}-001"
    buyer = release["parties"][0]
    assert buyer["roles"] == ["buyer"] and buyer["address"]["region"] == "310107"
    assert release["buyer"] == {"id": buyer["id"], "name": "上海市普陀区测试街道社区服务中心"}
    assert release["tender"]["title"] == "物业服务"
    assert release["tender"]["mainProcurementCategory"] == "services"
    contract = release["contracts"][0]
    assert contract["value"] == {"amount": Decimal("123456.78"), "currency": "CNY"}
    assert contract["awardID"] == release["awards"][0]["id"]
    assert contract["documents"][0]["documentType"] == "contractNotice"
    assert contract["documents"][0]["url"] == f"https://www.zfcg.sh.gov.cn/contract/{notice.year}-1"
    reservation = release["tender"]["smeReservation"]
    assert reservation["option"] == "whole" and reservation["optionTitle"] == "采购项目整体预留"
    assert reservation["ratio"] == Decimal("100")
    assert reservation["smallMicroAmount"] == {"amount": Decimal("105000"), "currency": "CNY"}


def test_ocds_amounts_are_exact_decimal_numbers_in_the_json_text(client, world):
    make_notice(institution=world.unit, rows=[("项目", "0.070001", "0.000001")])

    response, _ = releases(client)

    text = response.content.decode()
    assert '"amount": 700.01,' in text
    assert '"amount": 0.01,' in text


def test_ocds_filters_like_the_list_and_hides_revoked(client, world):
    make_notice(institution=world.unit, rows=[("普陀项目", "1", "1")])
    make_notice(institution=world.outsider, rows=[("青浦项目", "1", "1")])
    make_notice(institution=world.outsider, state=State.REVOKED, rows=[("撤回项目", "1", "1")])

    _, package = releases(client, {"district": "310118"})

    assert [r["tender"]["title"] for r in package["releases"]] == ["青浦项目"]


def test_ocds_nothing_matching_is_404_not_an_invalid_package(client, world):
    response, _ = releases(client, {"district": "310151"})

    assert response.status_code == 404
    assert json.loads(response.content) == {"detail": "没有符合条件的数据。"}


def test_ocds_extension_is_served_and_documented(client):
    extension = json.loads(client.get("/api/ocds/extension.json").content)
    patch = json.loads(client.get("/api/ocds/release-schema.json").content)

    assert extension["schemas"] == ["release-schema.json"]
    assert "smeReservation" in patch["definitions"]["Tender"]["properties"]
    assert (Path(__file__).resolve().parents[2] / "docs" / "ocds-extension.md").exists()


@pytest.mark.parametrize("count", [1, 30])
def test_ocds_queries_do_not_grow(client, world, django_assert_max_num_queries, count):
    for _ in range(count):
        make_notice(institution=world.unit, rows=[(f"项目{i}", "1", "1") for i in range(count)])

    with django_assert_max_num_queries(2):
        _, package = releases(client, {"limit": 100})

    assert len(package["releases"]) == count * count


def test_ocid_is_stable_across_revocation_and_refiling(client, world):
    first = make_notice(institution=world.unit, year=2023, rows=[("物业服务", "20", "15")])
    _, before = releases(client)
    Announcement = type(first)
    Announcement.objects.filter(pk=first.pk).update(state=State.REVOKED)
    refiled = make_notice(institution=world.unit, year=2023, rows=[("物业服务", "21", "15")])
    from django.core.cache import cache

    cache.clear()  # the workflow's listener would bump the page cache; this test bypasses it

    _, after = releases(client)

    assert refiled.public_id != first.public_id
    assert [r["ocid"] for r in after["releases"]] == [r["ocid"] for r in before["releases"]]
    assert after["releases"][0]["id"] != before["releases"][0]["id"]


def test_consortium_and_subcontract_contract_value_is_not_the_sme_share(client, world):
    notice = make_notice(
        institution=world.unit, rows=[("甲", "10", "8"), ("乙", "20", "15"), ("丙", "30", "20")]
    )
    rows = list(notice.report.rows.all())
    ReservedProject.objects.filter(pk=rows[1].pk).update(option="consortium", ratio=Decimal("30"))
    ReservedProject.objects.filter(pk=rows[2].pk).update(option="subcontract", ratio=Decimal("30"))

    response, package = releases(client)

    values = [("value" in r["contracts"][0], "value" in r["awards"][0]) for r in package["releases"]]
    assert values == [(True, True), (False, False), (False, False)]
    shares = [r["tender"]["smeReservation"]["smeAmount"]["amount"] for r in package["releases"]]
    assert shares == [Decimal("100000"), Decimal("200000"), Decimal("300000")]
    assert sorted(validator().iter_errors(json.loads(response.content)), key=str) == []
