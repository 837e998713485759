"""The row form: each option's ratio rule, amounts, the contract-link rule."""

from decimal import Decimal

import pytest
from django.test import override_settings

from reservations.forms import ReservedProjectForm

BASE = {
    "name": "项目甲",
    "category": "goods",
    "option": "dedicated_lot",
    "ratio": "40",
    "budget_amount": "250",
    "sme_amount": "100",
    "small_micro_amount": "60",
    "contract_url": "https://www.zfcg.sh.gov.cn/site/detail?id=1",
}


def errors(**changes):
    form = ReservedProjectForm(data={**BASE, **changes})
    form.is_valid()
    return {k: [str(m) for m in v] for k, v in form.errors.items()}


def cleaned(**changes):
    form = ReservedProjectForm(data={**BASE, **changes})
    assert form.is_valid(), form.errors
    return form.cleaned_data


def test_whole_option_ratio_is_100_and_not_typed():
    assert cleaned(option="whole", ratio="")["ratio"] == Decimal("100")
    assert cleaned(option="whole", ratio="30")["ratio"] == Decimal("100")
    assert cleaned(option="whole", ratio="abc")["ratio"] == Decimal("100")


@pytest.mark.parametrize("option", ["dedicated_lot", "consortium", "subcontract"])
def test_partial_options_need_a_ratio_in_range(option):
    assert "请填写预留比例" in errors(option=option, ratio="")["ratio"][0]
    assert errors(option=option, ratio="0")["ratio"] == ["预留比例须大于0且不超过100。"]
    assert errors(option=option, ratio="150")["ratio"] == ["预留比例须大于0且不超过100。"]
    assert cleaned(option=option, ratio="100")["ratio"] == Decimal("100")
    assert cleaned(option=option, ratio="0.01")["ratio"] == Decimal("0.01")


def test_unknown_option_refused():
    assert errors(option="测试预留")["option"] == ["请从四个预留选项中选择一项。"]


def test_amount_rules():
    assert errors(sme_amount="0")["sme_amount"] == ["面向中小企业采购金额须大于0。"]
    assert errors(sme_amount="-5")["sme_amount"] == ["面向中小企业采购金额须大于0。"]
    assert errors(small_micro_amount="-1")["small_micro_amount"] == ["面向小微企业采购金额不能为负数。"]
    assert errors(small_micro_amount="100.000001")["small_micro_amount"] == [
        "面向小微企业采购金额不能超过面向中小企业采购金额。"
    ]
    assert "small_micro_amount" not in errors(small_micro_amount="100")
    assert errors(sme_amount="1.0000001")["sme_amount"]  # finer than the fen
    assert errors(sme_amount="一百")["sme_amount"]


def test_contract_link_host_allow_list():
    assert errors(contract_url="https://evil.example.com/zfcg.sh.gov.cn")["contract_url"][0].startswith(
        "合同链接须为政府采购网的采购合同公告链接"
    )
    assert errors(contract_url="javascript:alert(1)")["contract_url"][0].startswith(
        "请填写以http://或https://开头"
    )
    assert errors(contract_url="ftp://www.zfcg.sh.gov.cn/x")["contract_url"]
    assert cleaned(contract_url=" http://zfcg.sh.gov.cn/a ")["contract_url"] == "http://zfcg.sh.gov.cn/a"


@override_settings(CONTRACT_LINK_HOSTS=["example.org"])
def test_contract_link_hosts_come_from_settings():
    assert cleaned(contract_url="https://example.org/c/1")["contract_url"] == "https://example.org/c/1"
    assert errors()["contract_url"]


def test_category_and_budget_are_required_on_typed_rows():
    assert errors(category="", budget_amount="") == {
        "category": ["请选择项目属性（货物、工程或服务）。"],
        "budget_amount": ["请填写项目预算金额（万元）。"],
    }


@pytest.mark.parametrize("field", ["budget_amount", "sme_amount", "small_micro_amount"])
def test_an_amount_typed_in_yuan_is_refused_with_a_message_that_says_so(field):
    message = errors(**{field: "5000000"})[field][0]
    assert message == "5000000万元超过100000万元，疑似按“元”填写。金额单位为万元（5000000元应填写为500）。"


def test_procurement_date_is_optional_and_read_as_a_date():
    from datetime import date

    assert cleaned(procurement_date="")["procurement_date"] is None
    assert cleaned(procurement_date="2022-08-01")["procurement_date"] == date(2022, 8, 1)
    assert errors(procurement_date="2022年8月")["procurement_date"] == [
        "请按“年-月-日”格式填写日期，例如2025-03-01。"
    ]
