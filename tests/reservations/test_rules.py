"""Policy rules as their texts say (domain.md §3): one table, region × date × category × budget ×
option → warning, each case named after the source it tests. The rules are the rows the data
migration loads (national 46号 and 19号), plus a Fujian variant added as an admin would."""

from datetime import date
from decimal import Decimal

import pytest

from reservations.enums import RuleKind
from reservations.models import PolicyRule, ReservedProject
from reservations.rules import MISSING_DATA, SHORTFALL, policy_warnings, region_matches, rules_in_force
from reservations.services import report_create, report_rows_save, report_submit_problems, report_update
from tests import drafting_support as S

pytestmark = pytest.mark.django_db

SHANGHAI = "310107"  # 普陀区
FUJIAN = "350102"  # 福州市鼓楼区


@pytest.fixture
def fujian_variant():
    # What a finance bureau adds in the admin: Fujian's 40% for goods and services in 2022 H2.
    return PolicyRule.objects.create(
        code="fujian-ratio-goods-services-2022h2",
        kind=RuleKind.MIN_RATIO,
        region_code="350000",
        region_name="福建省",
        works=False,
        budget_above=Decimal("200"),
        minimum=Decimal("40"),
        valid_from=date(2022, 7, 1),
        valid_to=date(2022, 12, 31),
        source="闽财规〔2022〕13号",
    )


def project(**kw):
    data = {**S.row(), **kw}
    return ReservedProject(**data)


def row(category, budget, option, ratio, sme="100", small="80", when=None):
    return project(
        category=category,
        budget_amount=None if budget is None else Decimal(budget),
        option=option,
        ratio=Decimal(ratio),
        sme_amount=Decimal(sme),
        small_micro_amount=Decimal(small),
        procurement_date=when,
    )


# (region, reporting year, procurement date, category, budget, option, ratio, sme, small) → [(code, kind)]
CASES = [
    # 第七条: goods/services ≤ 200万, works ≤ 400万 are reserved entirely.
    pytest.param(SHANGHAI, 2025, None, "goods", "150", "dedicated_lot", "50", "70", "60",
                 [("whole-goods-services-46-art7", SHORTFALL)], id="财库〔2020〕46号第七条-goods-150-lot"),
    pytest.param(SHANGHAI, 2025, None, "services", "200", "consortium", "50", "100", "80",
                 [("whole-goods-services-46-art7", SHORTFALL)], id="财库〔2020〕46号第七条-services-200-boundary"),  # noqa: E501
    pytest.param(SHANGHAI, 2025, None, "works", "400", "subcontract", "50", "200", "150",
                 [("whole-works-46-art7", SHORTFALL)], id="财库〔2020〕46号第七条-works-400-boundary"),
    pytest.param(SHANGHAI, 2025, None, "works", "390", "whole", "100", "390", "100",
                 [], id="财库〔2020〕46号第七条-works-whole-no-60%-rule"),
    # 第八条: above those, ≥ 30% reserved.
    pytest.param(SHANGHAI, 2025, None, "goods", "500", "dedicated_lot", "20", "100", "80",
                 [("ratio-goods-services-46-art8", SHORTFALL)], id="财库〔2020〕46号第八条-goods-500-20%"),
    pytest.param(SHANGHAI, 2025, None, "goods", "200.000001", "dedicated_lot", "30", "60", "50",
                 [], id="财库〔2020〕46号第八条-goods-above-200-30%-ok"),
    pytest.param(SHANGHAI, 2024, None, "works", "800", "consortium", "25", "200", "150",
                 [("ratio-works-46-art8", SHORTFALL)], id="财库〔2020〕46号第八条-works-800-25%"),
    # In 2025 a Shanghai works row without its date cannot be told from the 40% of April 2025.
    pytest.param(SHANGHAI, 2025, None, "works", "800", "consortium", "25", "200", "150",
                 [("ratio-works-46-art8", SHORTFALL), ("undecidable", MISSING_DATA)],
                 id="沪2025-works-800-25%-no-date-无法判断"),
    # 第八条: ≥ 60% of the reserved share to small/micro, per project above the thresholds.
    pytest.param(SHANGHAI, 2025, None, "goods", "500", "dedicated_lot", "40", "200", "100",
                 [("small-micro-goods-services-46-art8", SHORTFALL)], id="财库〔2020〕46号第八条-small-micro-50%"),  # noqa: E501
    pytest.param(SHANGHAI, 2025, None, "works", "500", "dedicated_lot", "40", "200", "119.992",
                 [("small-micro-works-46-art8", SHORTFALL)], id="财库〔2020〕46号第八条-small-micro-59.996%-is-below"),  # noqa: E501
    pytest.param(SHANGHAI, 2025, None, "works", "500", "dedicated_lot", "40", "200", "120",
                 [], id="财库〔2020〕46号第八条-small-micro-60%"),
    pytest.param(SHANGHAI, 2025, None, "works", "500", "dedicated_lot", "40", "200", "119.988",
                 [("small-micro-works-46-art8", SHORTFALL)], id="财库〔2020〕46号第八条-small-micro-59.994%"),
    pytest.param(SHANGHAI, 2025, None, "services", "150", "whole", "100", "150", "10",
                 [], id="财库〔2020〕46号第八条-not-for-第七条-projects"),
    # 财库〔2022〕19号: works > 400万 need 40%, for procurements of 2022-07-01…2022-12-31 only.
    pytest.param(SHANGHAI, 2022, date(2022, 8, 1), "works", "500", "dedicated_lot", "35", "175", "140",
                 [("ratio-works-2022h2-19", SHORTFALL)], id="财库〔2022〕19号第三条-works-2022-08"),
    pytest.param(SHANGHAI, 2022, date(2022, 6, 30), "works", "500", "dedicated_lot", "35", "175", "140",
                 [], id="财库〔2022〕19号第三条-works-2022-06-before"),
    pytest.param(SHANGHAI, 2023, date(2023, 3, 1), "works", "500", "dedicated_lot", "35", "175", "140",
                 [], id="财库〔2022〕19号第三条-works-2023-expired"),
    pytest.param(SHANGHAI, 2024, None, "works", "500", "dedicated_lot", "35", "175", "140",
                 [], id="财库〔2022〕19号第三条-works-2024-not-in-force"),
    pytest.param(SHANGHAI, 2022, None, "works", "500", "dedicated_lot", "35", "175", "140",
                 [("undecidable", MISSING_DATA)], id="财库〔2022〕19号第三条-works-2022-no-date-无法判断"),
    pytest.param(SHANGHAI, 2022, None, "works", "500", "dedicated_lot", "45", "225", "180",
                 [], id="财库〔2022〕19号第三条-works-2022-no-date-45%-passes-anyway"),
    pytest.param(SHANGHAI, 2022, date(2022, 8, 1), "goods", "500", "dedicated_lot", "35", "175", "140",
                 [], id="财库〔2022〕19号第三条-goods-not-national"),
    # 闽财规〔2022〕13号 (added in the admin): Fujian only.
    pytest.param(FUJIAN, 2022, date(2022, 8, 1), "goods", "500", "dedicated_lot", "35", "175", "140",
                 [("fujian-ratio-goods-services-2022h2", SHORTFALL)], id="闽财规〔2022〕13号-fujian-goods-2022-08"),  # noqa: E501
    pytest.param(SHANGHAI, 2022, date(2022, 8, 1), "services", "500", "dedicated_lot", "35", "175", "140",
                 [], id="闽财规〔2022〕13号-not-in-shanghai"),
    # 无法判断: a row without 项目属性 or 项目预算 never passes silently.
    pytest.param(SHANGHAI, 2025, None, "", "500", "dedicated_lot", "20", "100", "80",
                 [("undecidable", MISSING_DATA)], id="财库〔2020〕46号第八条-no-category-无法判断"),
    pytest.param(SHANGHAI, 2025, None, "goods", None, "consortium", "20", "100", "80",
                 [("undecidable", MISSING_DATA)], id="财库〔2020〕46号第七条第八条-no-budget-无法判断"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("region", "year", "when", "category", "budget", "option", "ratio", "sme", "small", "expected"), CASES
)
def test_policy_rule_table(
    fujian_variant, region, year, when, category, budget, option, ratio, sme, small, expected
):
    warnings = policy_warnings(
        rows=[row(category, budget, option, ratio, sme, small, when)], year=year, region=region
    )
    assert [(w.code, w.kind) for w in warnings if w.kind != "hint"] == expected


def test_every_rule_has_a_source_region_and_dates():
    rules = list(PolicyRule.objects.all())
    assert len(rules) == 9
    assert all(r.source and r.region_name and r.valid_from and r.note for r in rules)
    assert {r.source.split(" ")[0] for r in rules} == {
        "财库〔2020〕46号",
        "财库〔2022〕19号",
        "国务院办公厅《关于进一步促进民间投资发展的若干措施》（2025年11月）",
        "中共上海市委、上海市人民政府《新时代新征程促进民营经济高质量发展的若干措施》（2025年4月）",
    }


def test_a_rule_without_a_source_cannot_be_stored():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        PolicyRule.objects.create(
            code="x", kind=RuleKind.MIN_RATIO, region_name="全国", minimum=1, valid_from=date(2021, 1, 1)
        )


def test_regions_cover_their_districts():
    assert region_matches("", "310107")
    assert region_matches("310000", "319900")
    assert not region_matches("350000", "310107")
    assert region_matches("310107", "310107") and not region_matches("310107", "310108")


def test_the_40_percent_rule_is_in_force_only_for_2022(fujian_variant):
    assert "ratio-works-2022h2-19" in [r.code for r in rules_in_force(region=SHANGHAI, year=2022)]
    assert "ratio-works-2022h2-19" not in [r.code for r in rules_in_force(region=SHANGHAI, year=2023)]
    assert "fujian-ratio-goods-services-2022h2" not in [
        r.code for r in rules_in_force(region=SHANGHAI, year=2022)
    ]


def test_warning_message_names_the_row_the_figures_and_the_source():
    warnings = policy_warnings(rows=[row("goods", "500", "consortium", "20")], year=2025, region=SHANGHAI)
    assert warnings[0].message == "第1行：预留比例20%低于30%的要求（财库〔2020〕46号 第八条）。"
    assert warnings[0].project == "项目1"


def test_missing_data_warning_asks_for_the_data():
    warnings = policy_warnings(
        rows=[row("", None, "consortium", "20", when=date(2025, 3, 1))], year=2025, region=SHANGHAI
    )
    assert [w.message for w in warnings] == [
        "第1行：缺少项目属性、项目预算金额，无法判断是否符合"
        "财库〔2020〕46号 第七条、财库〔2020〕46号 第八条，请补充填写。"
    ]


def test_plausibility_hints_amount_above_budget_and_lot_far_from_ratio():
    warnings = policy_warnings(
        rows=[row("goods", "500", "dedicated_lot", "40", sme="600", small="500")], year=2025, region=SHANGHAI
    )
    assert [(w.code, w.kind) for w in warnings] == [
        ("sme_above_budget", "hint"),
        ("lot_far_from_ratio", "hint"),
    ]
    near = policy_warnings(
        rows=[row("goods", "500", "dedicated_lot", "40", sme="190", small="150")], year=2025, region=SHANGHAI
    )
    assert near == []


def test_duplicate_contract_link_warns_without_requiring_explanation():
    link = "https://www.zfcg.sh.gov.cn/same"
    warnings = policy_warnings(
        rows=[project(contract_url=link), project(contract_url=link)], year=2025, region=SHANGHAI
    )
    assert [(w.code, w.row_number, w.requires_explanation) for w in warnings] == [
        ("duplicate_link", 1, False),
        ("duplicate_link", 2, False),
    ]


def test_submit_needs_rows_a_reason_and_an_explanation_for_a_shortfall(world):
    report = report_create(institution=world.unit, year=2025, created_by=world.handler)
    assert report_submit_problems(report=report) == ["提交前请至少填写一个预留项目。"]
    lot = S.row(
        1, option="dedicated_lot", ratio=Decimal("20"), category="goods", budget_amount=Decimal("500")
    )
    report_rows_save(report=report, rows=[lot])  # saving is never blocked
    problems = report_submit_problems(report=report)
    assert [(p.row_number, p.field) for p in problems] == [(1, "shortfall_reason"), (None, "explanation")]
    assert problems[0] == "第1行未达到政策规定的比例：请选择未达标原因。" and "说明" in problems[1]
    report_update(
        report=report, competent_unit_name=report.competent_unit_name, explanation="当年小微企业供应商较少。"
    )
    report_rows_save(report=report, rows=[{**lot, "shortfall_reason": "supply"}])
    assert report_submit_problems(report=report) == []
    assert report.rows.get().shortfall_reason == "supply"


def test_a_row_that_misses_nothing_keeps_no_reason(world):
    report = report_create(institution=world.unit, year=2025, created_by=world.handler)
    report_rows_save(report=report, rows=[S.row(1, shortfall_reason="other")])
    assert report.rows.get().shortfall_reason == ""


def works_row(**kw):
    return S.row(1, option="dedicated_lot", category="works", budget_amount=Decimal("500"), **kw)


def test_submit_waits_for_the_data_a_rule_needs(world):
    report = report_create(institution=world.unit, year=2022, created_by=world.handler)
    works = works_row(ratio=Decimal("35"), sme_amount=Decimal("175"), small_micro_amount=Decimal("140"))
    report_rows_save(report=report, rows=[works])
    report_update(report=report, competent_unit_name=report.competent_unit_name, explanation="说明")
    assert ["采购日期" in p for p in report_submit_problems(report=report)] == [True]
    report_rows_save(report=report, rows=[{**works, "procurement_date": date(2022, 3, 1)}])
    assert report_submit_problems(report=report) == []


def test_stored_flags_follow_the_rule_function(world):
    """Oversight counts `small_micro_below`: the same decision as the editor's warning."""
    report = report_create(institution=world.unit, year=2025, created_by=world.handler)
    low = works_row(ratio=Decimal("40"), sme_amount=Decimal("200"), small_micro_amount=Decimal("119.988"))
    report_rows_save(report=report, rows=[low])
    assert (report.small_micro_below, report.needs_explanation) == (True, True)
    # 59.996% is still below 60%: compared exactly, never as the rounded share.
    report_rows_save(report=report, rows=[{**low, "small_micro_amount": Decimal("119.992")}])
    assert (report.small_micro_below, report.needs_explanation) == (True, True)
    report_rows_save(report=report, rows=[{**low, "small_micro_amount": Decimal("120")}])
    assert (report.small_micro_below, report.needs_explanation) == (False, False)


def test_migration_0005_corrects_the_article_of_19号_on_a_database_loaded_before():
    """财库〔2022〕19号's 40% for works is its item 三 (提高政府采购工程面向中小企业预留份额)."""
    from importlib import import_module

    from django.apps import apps

    fix = import_module("reservations.migrations.0005_fix_19_article")
    PolicyRule.objects.filter(code="ratio-works-2022h2-19").update(source="财库〔2022〕19号 第二条")
    fix.forward(apps, None)
    assert PolicyRule.objects.get(code="ratio-works-2022h2-19").source == "财库〔2022〕19号 第三条"
