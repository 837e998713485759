import re
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from oversight import services
from oversight.enums import CheckResult, SampleSize
from tests import factories as F

from .helpers import notice

pytestmark = pytest.mark.django_db


def _workbook(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(BytesIO(response.content))


def _page_figure(html, name):
    return re.search(rf'data-figure="{name}">\s*([^<]+?)\s*<', html)[1]


def test_campaign_export_carries_the_page_numbers(world, putuo, login):
    client = login(world.finance)
    pk = putuo["campaign"].pk
    html = client.get(f"/console/oversight/campaigns/{pk}/").content.decode()
    wb = _workbook(client.get(f"/console/oversight/campaigns/{pk}/export.xlsx"))
    summary, detail = wb.worksheets
    values = [c.value for c in summary[2]]
    assert f"{values[4]} / {values[3]}" == _page_figure(html, "filed")
    assert Decimal(str(values[7])) == Decimal(_page_figure(html, "sme"))
    assert Decimal(str(values[8])) == Decimal(_page_figure(html, "small"))
    assert Decimal(str(values[9])) == Decimal(_page_figure(html, "share"))
    units = {r[1].value: r for r in detail.iter_rows(min_row=2)}
    assert set(units) == {world.unit.name, world.other_unit.name, "普陀区第三单位", "普陀区第四单位"}
    assert Decimal(str(units[world.unit.name][8].value)) == Decimal("300")
    assert world.outsider.name not in units


def test_district_export_has_a_row_per_district_for_the_supervisor(world, putuo, login):
    wb = _workbook(login(world.supervisor).get("/console/oversight/districts/export.xlsx?year=2025"))
    summary, detail = wb.worksheets
    assert [r[0].value for r in summary.iter_rows(min_row=2)] == ["普陀区", "青浦区"]
    assert {r[0].value for r in detail.iter_rows(min_row=2)} == {"普陀区", "青浦区"}


def test_exports_neutralise_formulas(world, putuo, login):
    evil = F.institution(name='=HYPERLINK("http://evil.example","点我")')
    services.campaign_unit_add(campaign=putuo["campaign"], actor=world.finance, institution=evil)
    wb = _workbook(
        login(world.finance).get(f"/console/oversight/campaigns/{putuo['campaign'].pk}/export.xlsx")
    )
    cells = [r[1] for r in wb.worksheets[1].iter_rows(min_row=2) if str(r[1].value).startswith("=")]
    assert [(c.value, c.data_type) for c in cells] == [('=HYPERLINK("http://evil.example","点我")', "s")]


def test_sample_export_lists_notices_contract_links_and_results(world, login):
    a = notice(F.institution(name="抽查单位"), sme="12.345678", small="10", rows=2)
    sample = services.spot_check_sample_draw(
        actor=world.supervisor, year=2025, size_mode=SampleSize.COUNT, size_value=1, seed=5
    )
    services.spot_check_item_record(
        item=sample.items.get(),
        actor=world.supervisor,
        result=CheckResult.NON_COMPLIANT,
        remarks="=1+1 未说明",
    )
    wb = _workbook(login(world.supervisor).get(f"/console/oversight/samples/{sample.pk}/export.xlsx"))
    ws = wb.active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert ["随机种子", "5"] in [r[:2] for r in rows] or ["Random seed", "5"] in [r[:2] for r in rows]
    item_row = next(r for r in rows if r[0] == 1 and r[3] == a.title)
    assert Decimal(str(item_row[5])) == Decimal("12.345678")
    assert item_row[7].splitlines() == list(
        a.report.rows.order_by("position").values_list("contract_url", flat=True)
    )
    assert item_row[9] == "=1+1 未说明"
    assert item_row[10] == world.supervisor.full_name
