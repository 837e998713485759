"""Report services: rows replaced atomically, totals stored from the rows, imports append or replace."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from reservations.enums import DataSource
from reservations.services import report_create, report_rows_import, report_rows_save
from tests import drafting_support as S

pytestmark = pytest.mark.django_db


def test_totals_stored_from_rows(world):
    report = report_create(institution=world.unit, year=2025)
    report_rows_save(
        report=report,
        rows=[S.row(1, sme_amount=Decimal("0.000001"), small_micro_amount=Decimal("0")), S.row(2)],
    )
    report.refresh_from_db()
    assert (report.sme_total, report.small_micro_total) == (Decimal("100.000001"), Decimal("80"))


def test_invalid_row_raises_and_keeps_previous_rows(world):
    report = report_create(institution=world.unit, year=2025)
    report_rows_save(report=report, rows=[S.row(1)])
    with pytest.raises(ValidationError):
        report_rows_save(report=report, rows=[S.row(2), S.row(3, small_micro_amount=Decimal("101"))])
    with pytest.raises(ValidationError):
        report_rows_save(report=report, rows=[S.row(4, contract_url="https://example.com/x")])
    report.refresh_from_db()
    assert list(report.rows.values_list("name", flat=True)) == ["项目1"] and report.sme_total == Decimal(
        "100"
    )


def test_import_appends_after_existing_and_marks_source(world):
    report = report_create(institution=world.unit, year=2025)
    report_rows_save(report=report, rows=[S.row(1)])
    report_rows_import(report=report, rows=[S.row(2), S.row(3)], replace=False)
    assert list(report.rows.values_list("name", "position")) == [("项目1", 0), ("项目2", 1), ("项目3", 2)]
    assert report.data_source == DataSource.EXCEL and report.sme_total == Decimal("300")
