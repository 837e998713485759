"""An SME amount above the project budget cannot be right: refused at save, at import and at submit."""

from decimal import Decimal

import pytest

from reservations import excel
from reservations.forms import ReservedProjectForm
from reservations.services import report_create, report_rows_save, report_submit_problems
from tests import drafting_support as S

pytestmark = pytest.mark.django_db


def test_the_row_form_refuses_an_sme_amount_above_the_budget():
    data = {k: str(v) for k, v in S.row(1, budget_amount=Decimal("100"), sme_amount=Decimal("120")).items()}
    form = ReservedProjectForm(data=data)

    assert not form.is_valid()
    assert form.errors["sme_amount"] == ["面向中小企业采购金额不能超过项目预算金额（100万元）。"]


def test_the_row_form_accepts_an_sme_amount_equal_to_the_budget():
    data = {k: str(v) for k, v in S.row(1, budget_amount=Decimal("100"), sme_amount=Decimal("100")).items()}

    assert ReservedProjectForm(data=data).is_valid()


def test_the_import_lists_the_row_with_the_cell_and_saves_nothing():
    upload = S.xlsx([S.line(1), S.line(2, budget=150, sme=200.5)])

    result = excel.read_rows(upload)

    assert [(e.row, e.column, e.value, e.message) for e in result.errors] == [
        (3, "面向中小企业采购金额（万元）", "200.5", "面向中小企业采购金额不能超过项目预算金额（150万元）。")
    ]


def test_the_submit_check_refuses_a_stored_row_above_its_budget(world):
    # A row stored before the form refused it (or compiled from a unit's notice) still cannot go.
    report = report_create(institution=world.unit, year=2025)
    report_rows_save(report=report, rows=[S.row(1, budget_amount=Decimal("90"), sme_amount=Decimal("95"))])

    problems = [str(p) for p in report_submit_problems(report=report)]

    assert (
        "第1行：面向中小企业采购金额95万元高于项目预算金额90万元：预留金额不能超过项目预算，请更正后再提交。"
        in problems
    )
