"""The one verdict (reservations.verdict.row_verdict) over the shared table of boundary rows:
category × budget at/below/above 200/400万 × the row's date around each rule's validity × region."""

from datetime import date
from decimal import Decimal

import pytest

from reservations.models import ReservedProject
from reservations.services import report_create, report_rows_save
from reservations.verdict import RowVerdict, missed_filter, row_verdict

from .verdict_table import CASES, FIVE_ROWS, OTHER, SHANGHAI, SHORTFALL, row_data

pytestmark = pytest.mark.django_db


def unsaved(c):
    return ReservedProject(**row_data(c))


@pytest.mark.parametrize("c", CASES + FIVE_ROWS, ids=lambda c: c.id)
def test_row_verdict_table(c):
    verdict = row_verdict(unsaved(c), region=c.region, year=c.year)

    assert (verdict.status, tuple(verdict.missed)) == (c.status, c.missed)


def test_five_rows_of_the_issue_three_shortfalls_two_not():
    statuses = [row_verdict(unsaved(c), region=c.region, year=c.year).status for c in FIVE_ROWS]
    assert statuses.count(SHORTFALL) == 3 and len(statuses) == 5


def test_the_region_is_required():
    with pytest.raises(TypeError):
        row_verdict(unsaved(CASES[0]), year=2025)


def test_the_rows_date_decides_not_the_report_year():
    c = next(c for c in CASES if c.id == "2023-report-row-dated-2022-08-01")
    for year in (2022, 2023, 2025):
        assert row_verdict(unsaved(c), region=OTHER, year=year).missed == ["ratio-works-2022h2-19"]


def test_the_result_carries_the_figures_exactly():
    c = next(c for c in CASES if c.id == "services-300-small-59.995")
    result = row_verdict(unsaved(c), region=SHANGHAI, year=2025).shortfalls[0]
    assert (result.rule, result.required, result.actual, result.source) == (
        "small-micro-goods-services-46-art8",
        Decimal("60"),
        Decimal("59.995000"),
        "财库〔2020〕46号 第八条",
    )


def test_the_stored_verdict_round_trips_through_json():
    c = next(c for c in CASES if c.id == "sh-works-520-30-2026-12-31")
    verdict = row_verdict(unsaved(c), region=SHANGHAI, year=2026)
    assert RowVerdict.from_json(verdict.as_json()) == verdict


def test_rows_store_their_verdict_and_sql_can_count_them(world):
    report = report_create(institution=world.unit, year=2025, created_by=world.handler)
    report_rows_save(report=report, rows=[row_data(c, n) for n, c in enumerate(FIVE_ROWS, start=1)])

    stored = list(report.rows.values_list("verdict_status", flat=True))
    assert stored == [c.status for c in FIVE_ROWS]
    assert report.rows.filter(verdict_status=SHORTFALL).count() == 3
    assert list(
        report.rows.filter(missed_filter("ratio-works-shanghai-2025")).values_list("name", flat=True)
    ) == ["边界项目1（five-works-520-subcontract-30）"]
    assert report.needs_explanation is True
    assert report.rows.get(position=0).verdict["results"][-1]["source"].startswith("中共上海市委")


def test_plausibility_hints_of_the_row_alone():
    c = next(c for c in CASES if c.id == "goods-200.000001-lot-30")
    typed = ReservedProject(**{**row_data(c), "ratio": Decimal("0.3"), "procurement_date": date(2024, 12, 1)})
    assert row_verdict(typed, region=SHANGHAI, year=2025).hints == ("outside_year", "ratio_fraction")
