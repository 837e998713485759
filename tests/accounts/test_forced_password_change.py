"""The forced password change says why it is forced and names the password the person was handed."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.passwords import staff_password_reset
from accounts.services import staff_create

pytestmark = pytest.mark.django_db


def _signed_in(username, password) -> str:
    client = Client()
    client.post(reverse("accounts:login"), {"username": username, "password": password})
    page = client.get(reverse("accounts:password_change")).content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_after_an_admins_reset_the_page_says_so_and_asks_for_the_temporary_password(world):
    password = staff_password_reset(actor=world.admin, staff=world.handler2)

    page = _signed_in(world.handler2.username, password)

    assert "管理员已为您重置密码：请先设置您自己的密码再继续。" in page
    assert "临时密码" in page and "管理员交给您的一次性密码。" in page
    assert "首次登录" not in page and "原密码" not in page


def test_a_new_account_is_told_it_is_the_first_sign_in_and_asked_for_the_initial_password(world):
    staff_create(actor=world.admin, username="newcomer", full_name="新同事", password="Initial-pass-2026")

    page = _signed_in("newcomer", "Initial-pass-2026")

    assert "首次登录：请先设置您自己的密码再继续。" in page
    assert "初始密码" in page and "管理员已为您重置密码" not in page


def test_an_ordinary_change_asks_for_the_current_password(world, login):
    page = login(world.handler).get(reverse("accounts:password_change")).content.decode()

    assert "原密码" in page and "临时密码" not in page and "首次登录" not in page
