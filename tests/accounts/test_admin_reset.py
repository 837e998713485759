"""重置密码 by the institution admin: own staff only, never oneself, a forced change at sign-in."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.enums import StaffAction
from tests import factories as F


def _url(user):
    return reverse("accounts:staff_reset_password", args=[user.pk])


def _issued_password(response):
    return re.search(r'class="one-time-password"><code>([^<]+)</code>', response.content.decode()).group(1)


def test_admin_resets_a_colleague_who_must_change_it_at_sign_in(world, login):
    admin = login(world.admin)

    response = admin.post(_url(world.handler))

    password = _issued_password(response)
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    world.handler.refresh_from_db()
    assert world.handler.check_password(password) and not world.handler.check_password(F.PASSWORD)
    assert world.handler.must_change_password is True
    change = world.handler.changes.get()
    assert (change.action, change.actor) == (StaffAction.RESET_PASSWORD, world.admin)
    # The colleague signs in with it and is sent to 修改密码 before anything else.
    colleague = Client()
    colleague.post(reverse("accounts:login"), {"username": world.handler.username, "password": password})
    assert colleague.get(reverse("accounts:console"))["Location"] == reverse("accounts:password_change")


def test_admin_reset_ends_the_colleagues_sessions(world, login):
    signed_in = Client()
    signed_in.force_login(world.handler, backend="accounts.backends.ActiveStaffBackend")

    login(world.admin).post(_url(world.handler))

    response = signed_in.get(reverse("accounts:console"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_admin_cannot_reset_own_password_here(world, login):
    admin = login(world.admin)

    response = admin.post(_url(world.admin), follow=True)

    assert "不能在此重置自己的密码" in response.content.decode()
    world.admin.refresh_from_db()
    assert world.admin.check_password(F.PASSWORD) and world.admin.changes.count() == 0


def test_detail_offers_reset_for_colleagues_not_for_oneself(world, login):
    admin = login(world.admin)

    assert (
        _url(world.handler)
        in admin.get(reverse("accounts:staff_detail", args=[world.handler.pk])).content.decode()
    )
    assert (
        _url(world.admin)
        not in admin.get(reverse("accounts:staff_detail", args=[world.admin.pk])).content.decode()
    )


@pytest.mark.parametrize("actor", ["outsider_admin", "handler"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_reset_by_another_institution_or_a_non_admin_is_404(world, login, actor, method):
    client = login(getattr(world, actor))

    response = getattr(client, method)(_url(world.handler2))

    assert response.status_code == 404
    world.handler2.refresh_from_db()
    assert world.handler2.check_password(F.PASSWORD) and world.handler2.changes.count() == 0


def test_reset_of_anonymous_goes_to_sign_in(world, client):
    response = client.post(_url(world.handler))

    assert response.url.startswith(reverse("accounts:login"))
