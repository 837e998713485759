"""New account names: NFKC-normalised, unique whatever their case, and in one script, so that no
new account can pass for another on screen ("dеmo-finance" with a Cyrillic е)."""

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import User
from tests import factories as F

pytestmark = pytest.mark.django_db


def _create(world, username):
    return services.staff_create(
        actor=world.admin, username=username, full_name="乙", password="Zx8!long-pass"
    )


def test_a_name_differing_only_by_case_is_refused(world):
    F.user(institution=world.unit, username="demo-finance")

    with pytest.raises(ValidationError) as refused:
        _create(world, "Demo-Finance")

    assert refused.value.message_dict == {"username": ["该账号已存在。"]}


def test_a_cyrillic_look_alike_is_refused(world):
    with pytest.raises(ValidationError) as refused:
        _create(world, "d\u0435mo-finance")

    assert refused.value.message_dict == {
        "username": ["账号混用了不同文字的字母（如拉丁字母和西里尔字母），请只用一种。"]
    }
    assert not User.objects.filter(username__contains="\u0435").exists()


def test_full_width_letters_are_stored_in_their_plain_form(world):
    user = _create(world, "ｄｅｍｏ２")

    assert user.username == "demo2"


def test_a_name_in_one_script_is_accepted(world):
    assert _create(world, "zhang.san-01").username == "zhang.san-01"
