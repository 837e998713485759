"""Policy rules as warnings: a shortfall asks for a 说明 before submission, never blocks saving."""

from decimal import Decimal

import pytest

from reservations.models import ReservedProject
from reservations.rules import POLICY_RULES, policy_warnings, rules_for_year
from reservations.services import report_create, report_rows_save, report_submit_problems, report_update
from tests import drafting_support as S


def project(**kw):
    data = {**S.row(), **kw}
    return ReservedProject(**data)


def codes(rows, year=2025):
    return [w.code for w in policy_warnings(rows=rows, year=year)]


def test_rules_table_has_dates_of_validity():
    assert all(rule.valid_from for rule in POLICY_RULES)
    assert "min_ratio_large_works" in [r.code for r in rules_for_year(2025)]
    assert "min_ratio_large_works" not in [r.code for r in rules_for_year(2021)]
    assert "min_ratio_large_works" not in [r.code for r in rules_for_year(2027)]


def test_small_micro_share_below_60_warns():
    assert codes([project(sme_amount=Decimal("100"), small_micro_amount=Decimal("59.99"))]) == [
        "small_micro_share"
    ]
    assert codes([project(sme_amount=Decimal("100"), small_micro_amount=Decimal("60"))]) == []


def test_partial_ratio_below_30_warns_whatever_the_category():
    row = project(option="consortium", ratio=Decimal("20"), category="")
    warnings = policy_warnings(rows=[row], year=2025)
    assert [w.code for w in warnings] == ["min_ratio"]
    assert warnings[0].message == "第1行:预留比例20%低于30%的要求。"


def test_large_works_need_40_percent_while_the_rule_is_valid():
    row = project(option="dedicated_lot", ratio=Decimal("35"), category="works", budget_amount=Decimal("500"))
    assert codes([row], 2025) == ["min_ratio_large_works"]
    assert codes([row], 2021) == []


def test_small_goods_project_not_reserved_entirely_warns_only_when_budget_known():
    row = project(option="dedicated_lot", ratio=Decimal("50"), category="goods", budget_amount=Decimal("150"))
    assert codes([row]) == ["whole_goods_services"]
    assert codes([project(option="dedicated_lot", ratio=Decimal("50"), category="goods")]) == []


def test_duplicate_contract_link_warns_without_requiring_explanation():
    link = "https://www.zfcg.sh.gov.cn/same"
    warnings = policy_warnings(rows=[project(contract_url=link), project(contract_url=link)], year=2025)
    assert [(w.code, w.row_number, w.requires_explanation) for w in warnings] == [
        ("duplicate_link", 1, False),
        ("duplicate_link", 2, False),
    ]


@pytest.mark.django_db
def test_submit_needs_rows_and_an_explanation_for_a_shortfall(world):
    report = report_create(institution=world.unit, year=2025, created_by=world.handler)
    assert report_submit_problems(report=report) == ["提交前请至少填写一个预留项目。"]
    report_rows_save(
        report=report, rows=[S.row(1, small_micro_amount=Decimal("10"))]
    )  # saving is never blocked
    problems = report_submit_problems(report=report)
    assert len(problems) == 1 and "说明" in problems[0]
    report_update(
        report=report, competent_unit_name=report.competent_unit_name, explanation="当年小微企业供应商较少。"
    )
    assert report_submit_problems(report=report) == []
