"""机构信息: the admin edits its own institution; the credit code's check character is verified."""

import pytest
from django.urls import reverse

from accounts.enums import InstitutionKind
from accounts.models import InstitutionChange
from accounts.validators import credit_code_check_char

URL = reverse("accounts:institution_info")
VALID = "91310000132149237G"


def _data(institution, **changes):
    data = {
        "name": institution.name,
        "credit_code": institution.credit_code,
        "address": institution.address,
        "contact_person": institution.contact_person,
        "contact_phone": institution.contact_phone,
    }
    return {**data, **changes}


def test_admin_edits_details_and_the_old_name_stays_in_history(world, login):
    admin = login(world.admin)
    old_name = world.unit.name

    response = admin.post(
        URL,
        _data(world.unit, name="上海市普陀区新名称中心", credit_code=VALID.lower(), contact_person="王五"),
        follow=True,
    )

    world.unit.refresh_from_db()
    assert (world.unit.name, world.unit.credit_code, world.unit.contact_person) == (
        "上海市普陀区新名称中心",
        VALID,
        "王五",
    )
    html = response.content.decode()
    assert "机构信息已保存" in html and old_name in html
    names = InstitutionChange.objects.get(institution=world.unit, field="name")
    assert (names.old_value, names.new_value, names.actor) == (
        old_name,
        "上海市普陀区新名称中心",
        world.admin,
    )


@pytest.mark.parametrize("phone", ["021-6666abcd", "12345", "021 6666 8888; drop"])
def test_a_contact_phone_with_letters_or_too_few_digits_is_refused(world, login, phone):
    response = login(world.admin).post(URL, _data(world.unit, contact_phone=phone))

    assert (
        "请填写正确的联系电话：只能包含数字、空格、“-”“+”和括号，如021-66668888。"
        in response.content.decode()
    )
    world.unit.refresh_from_db()
    assert world.unit.contact_phone == ""


@pytest.mark.parametrize(
    "phone", ["021-66668888", "(021) 6666 8888 转 123", "13800000000", "+86 21 66668888"]
)
def test_usual_telephone_numbers_are_kept(world, login, phone):
    login(world.admin).post(URL, _data(world.unit, contact_phone=phone))

    world.unit.refresh_from_db()
    assert world.unit.contact_phone == phone


def test_wrong_check_character_is_refused_next_to_the_field(world, login):
    wrong = VALID[:17] + ("0" if VALID[17] != "0" else "1")

    response = login(world.admin).post(URL, _data(world.unit, credit_code=wrong))

    assert "统一社会信用代码的校验码不正确" in response.content.decode()
    world.unit.refresh_from_db()
    assert world.unit.credit_code == "" and InstitutionChange.objects.count() == 0


def test_code_of_another_institution_is_refused(world, login):
    world.outsider.credit_code = VALID
    world.outsider.save()

    response = login(world.admin).post(URL, _data(world.unit, credit_code=VALID))

    assert "该统一社会信用代码已被其他机构使用" in response.content.decode()
    world.unit.refresh_from_db()
    assert world.unit.credit_code == ""


def test_kind_and_district_stay_with_the_platform(world, login):
    login(world.admin).post(
        URL,
        {**_data(world.unit), "kind": InstitutionKind.FINANCE_BUREAU, "district": world.outsider.district_id},
    )

    world.unit.refresh_from_db()
    assert (world.unit.kind, world.unit.district_id) == (
        InstitutionKind.BUDGET_UNIT,
        world.putuo_finance.district_id,
    )


@pytest.mark.parametrize("actor", ["handler", "outsider_handler"])
def test_non_admins_get_404(world, login, actor):
    client = login(getattr(world, actor))

    assert client.get(URL).status_code == 404
    assert client.post(URL, _data(world.unit, name="被改")).status_code == 404
    world.unit.refresh_from_db()
    assert world.unit.name != "被改"


def test_outsider_admin_edits_only_its_own_institution(world, login):
    login(world.outsider_admin).post(URL, _data(world.outsider, name="青浦新名"))

    world.unit.refresh_from_db()
    world.outsider.refresh_from_db()
    assert (world.outsider.name, world.unit.name) == ("青浦新名", "上海市普陀区测试街道社区服务中心")


@pytest.mark.parametrize("code", ["91350100M000100Y43", "12100000400000624D", VALID])
def test_check_character_of_published_codes(code):
    assert credit_code_check_char(code[:17]) == code[17]
