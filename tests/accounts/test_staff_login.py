"""Signing in after staff management: disabled and deleted accounts are refused at the real
login form, and an initial password must be changed before anything else."""

import pytest
from django.urls import reverse

from accounts.enums import Position
from accounts.models import User
from accounts.services import staff_create, staff_delete, staff_disable
from tests import factories as F

pytestmark = pytest.mark.django_db


def _sign_in(client, username, password=F.PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_login_of_enabled_staff_succeeds(world, client):
    response = _sign_in(client, world.handler.username)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.handler.pk)


def test_login_of_disabled_staff_is_refused(world, client):
    staff_disable(actor=world.admin, staff=[world.handler])

    response = _sign_in(client, world.handler.username)

    assert "_auth_user_id" not in client.session
    assert "账号已停用" in response.content.decode() or "不正确" in response.content.decode()


def test_login_of_deleted_staff_is_refused(world, client):
    staff_delete(actor=world.admin, staff=world.handler)

    response = _sign_in(client, world.handler.username)

    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


def test_session_of_staff_ends_when_disabled(world, client):
    _sign_in(client, world.handler.username)
    staff_disable(actor=world.admin, staff=[world.handler])

    response = client.get(reverse("accounts:console"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_first_login_forces_password_change(world, client):
    staff_create(actor=world.admin, username="fresh", full_name="新人", password="Initial-pass-2026")
    _sign_in(client, "fresh", "Initial-pass-2026")

    blocked = client.get(reverse("accounts:console"))
    assert blocked["Location"] == reverse("accounts:password_change")
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "首次登录" in page or "first sign-in" in page

    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "Initial-pass-2026",
            "new_password1": "My-own-secret-77",
            "new_password2": "My-own-secret-77",
        },
    )

    user = User.objects.get(username="fresh")
    assert user.must_change_password is False
    assert user.check_password("My-own-secret-77")
    assert client.get(reverse("accounts:console")).status_code == 200


def test_first_login_of_admin_created_staff_cannot_reach_staff_pages(world, client):
    boss = F.user(institution=world.unit, positions=[Position.INSTITUTION_ADMIN], must_change_password=True)
    _sign_in(client, boss.username)

    response = client.get(reverse("accounts:staff_list"))

    assert response["Location"] == reverse("accounts:password_change")
