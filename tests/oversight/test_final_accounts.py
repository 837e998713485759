"""The 部门决算 check (Hubei's practice): the finance bureau types or imports each unit's 决算
figures and sees where the published notice disagrees beyond the tolerance; the unit sees the
same as a 预警. Another district's bureau sees none of it."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.alerts import alerts_for
from oversight import services
from oversight.models import FinalAccount
from tests import factories as F

from .helpers import notice

pytestmark = pytest.mark.django_db


def _workbook(rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(["单位名称", "统一社会信用代码", "政府采购支出总额（万元）", "授予中小企业合同金额（万元）"])
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return SimpleUploadedFile("决算.xlsx", out.getvalue())


@pytest.fixture
def accounts(world, settings):
    settings.FINAL_ACCOUNTS_TOLERANCE_PERCENT = "5"
    notice(world.unit, year=2025, sme="300", small="200")  # published: 300万 to SMEs
    notice(world.other_unit, year=2025, sme="100", small="80")
    third = F.institution(name="普陀区第三单位")  # no published notice
    return third


def _rows(response):
    html = response.content.decode()
    return {c.account.institution.name: c for c in response.context["checks"]}, html


def test_finance_types_figures_and_sees_where_the_notice_disagrees(world, accounts, login):
    client = login(world.finance)
    url = reverse("oversight:final_accounts")
    for unit, total, sme in (
        (world.unit, "800", "310"),
        (world.other_unit, "500", "120"),
        (accounts, "90", "20"),
    ):
        client.post(
            url,
            {"unit": unit.pk, "year": "2025", "procurement_total": total, "sme_contract_total": sme},
        )

    checks, html = _rows(client.get(url, {"year": "2025"}))

    # 300 against 310: 3.2% off, within 5%. 100 against 120: 16.7% off. No notice against 20.
    assert {name: c.disagrees for name, c in checks.items()} == {
        world.unit.name: False,
        world.other_unit.name: True,
        "普陀区第三单位": True,
    }
    assert checks[world.other_unit.name].difference == Decimal("-20")
    assert "2 家单位不一致" in html and "未发布公告" in html


def test_the_tolerance_is_a_setting_and_exact(world, accounts, login, settings):
    services.final_account_set(
        actor=world.finance,
        institution=world.unit,
        year=2025,
        procurement_total=Decimal("1000"),
        sme_contract_total=Decimal("315.789473"),
    )
    client = login(world.finance)
    url = reverse("oversight:final_accounts")

    # 300 against 315.789473 is 4.9999998% off: within 5%, outside 4%; one fen more would be outside 5%.
    assert _rows(client.get(url, {"year": "2025"}))[0][world.unit.name].disagrees is False
    settings.FINAL_ACCOUNTS_TOLERANCE_PERCENT = "4"
    assert _rows(client.get(url, {"year": "2025"}))[0][world.unit.name].disagrees is True


def test_import_saves_every_row_or_none(world, accounts, login):
    client = login(world.finance)
    url = reverse("oversight:final_accounts")
    bad = _workbook(
        [[world.unit.name, "", 800, 310], ["不存在的单位", "", 10, 5], [world.other_unit.name, "", 50, 60]]
    )

    refused = client.post(url, {"year": "2025", "file": bad})

    assert refused.status_code == 400
    problems = [(p.row, p.column) for p in refused.context["problems"]]
    assert problems == [(3, "单位名称"), (4, "授予中小企业合同金额")]
    assert not FinalAccount.objects.exists()

    good = _workbook([[world.unit.name, "", 800, 310], [world.other_unit.name, "", 500.5, 120]])
    client.post(url, {"year": "2025", "file": good})
    saved = dict(FinalAccount.objects.values_list("institution__name", "sme_contract_total"))
    assert saved == {world.unit.name: Decimal("310"), world.other_unit.name: Decimal("120")}
    assert FinalAccount.objects.get(institution=world.other_unit).procurement_total == Decimal("500.5")


def test_the_unit_sees_the_disagreement_as_a_warning(world, accounts):
    services.final_account_set(
        actor=world.finance,
        institution=world.unit,
        year=2025,
        procurement_total=Decimal("800"),
        sme_contract_total=Decimal("400"),
    )

    texts = [a.text for a in alerts_for(world.handler) if a.kind == "final_accounts"]

    assert texts == ["2025年度部门决算：授予中小企业合同金额400万元，已发布的公告为300万元"]
    assert [a.kind for a in alerts_for(world.other_handler) if a.kind == "final_accounts"] == []


def test_another_districts_bureau_sees_and_changes_nothing(world, accounts, login):
    services.final_account_set(
        actor=world.finance,
        institution=world.unit,
        year=2025,
        procurement_total=Decimal("800"),
        sme_contract_total=Decimal("400"),
    )
    client = login(world.qp_finance)

    page = client.get(reverse("oversight:final_accounts"), {"year": "2025"})
    client.post(
        reverse("oversight:final_accounts"),
        {"unit": world.unit.pk, "year": "2025", "procurement_total": "1", "sme_contract_total": "1"},
    )

    assert page.context["checks"] == []
    assert FinalAccount.objects.get().sme_contract_total == Decimal("400")
    assert login(world.handler).get(reverse("oversight:final_accounts")).status_code == 404
