"""Sign-in protection (django-axes): lockout per account and per address, admin unlock, logs."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from tests import factories

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def _failure_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3


def _attempt(username, password, ip="10.0.0.1"):
    return Client(REMOTE_ADDR=ip).post(LOGIN, {"username": username, "password": password})


def test_signin_failures_from_other_addresses_never_lock_the_owner_out(world):
    # Finding #12: wrong passwords from several addresses locked any account for 30 minutes.
    for n in range(5):
        _attempt(world.handler.username, "wrong", ip=f"10.0.0.{n + 1}")

    response = _attempt(world.handler.username, factories.PASSWORD, ip="10.9.9.9")

    assert response.status_code == 302 and response.url == reverse("accounts:console")
    assert response.client.session["_auth_user_id"] == str(world.handler.pk)


def test_signin_address_locked_after_repeated_failures_on_one_account(world):
    for _ in range(3):
        _attempt(world.handler.username, "wrong", ip="10.3.3.3")

    response = _attempt(world.handler.username, factories.PASSWORD, ip="10.3.3.3")

    html = response.content.decode()
    assert response.status_code == 429
    assert "账号已锁定" in html and "登录失败次数过多" in html
    assert "_auth_user_id" not in response.client.session


def test_signin_address_locked_after_failures_on_several_accounts(world):
    for name in ["nobody-1", "nobody-2", "nobody-3"]:
        _attempt(name, "wrong", ip="10.1.1.1")

    locked = _attempt(world.reviewer.username, factories.PASSWORD, ip="10.1.1.1")
    elsewhere = _attempt(world.reviewer.username, factories.PASSWORD, ip="10.2.2.2")

    assert locked.status_code == 429 and "账号已锁定" in locked.content.decode()
    assert elsewhere.status_code == 302 and elsewhere.url == reverse("accounts:console")


def test_signin_failure_below_limit_shows_form_error_not_lockout(world):
    response = _attempt(world.handler.username, "wrong")

    html = response.content.decode()
    assert response.status_code == 200
    assert "账号已锁定" not in html
    assert AccessAttempt.objects.get(username=world.handler.username).failures_since_start == 1


def test_signin_lockout_ends_after_cooloff(world, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    with freeze_time("2026-03-01 09:00:00"):
        for _ in range(3):
            _attempt(world.handler.username, "wrong")
    with freeze_time("2026-03-01 09:31:00"):
        response = _attempt(world.handler.username, factories.PASSWORD)

    assert response.status_code == 302 and response.url == reverse("accounts:console")
    assert "账号已锁定" not in response.content.decode()


def test_platform_admin_unlocks_an_account_in_the_admin(world):
    for _ in range(3):
        _attempt(world.handler.username, "wrong")
    superuser = factories.user(username="platform-admin", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(superuser, backend="accounts.backends.ActiveStaffBackend")
    attempt = AccessAttempt.objects.get(username=world.handler.username)

    listing = admin.get("/admin/axes/accessattempt/")
    admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    response = _attempt(world.handler.username, factories.PASSWORD)

    assert world.handler.username in listing.content.decode()
    assert not AccessAttempt.objects.filter(username=world.handler.username).exists()
    assert response.status_code == 302 and response.url == reverse("accounts:console")


def test_platform_admin_sees_sign_ins_and_failures(world):
    _attempt(world.handler.username, "wrong", ip="10.3.3.3")
    _attempt(world.reviewer.username, factories.PASSWORD, ip="10.4.4.4")
    superuser = factories.user(username="platform-admin", is_staff=True, is_superuser=True)
    admin = Client()
    admin.force_login(superuser, backend="accounts.backends.ActiveStaffBackend")

    successes = admin.get("/admin/axes/accesslog/").content.decode()
    failures = admin.get("/admin/axes/accessfailurelog/").content.decode()

    assert AccessLog.objects.filter(username=world.reviewer.username, ip_address="10.4.4.4").count() == 1
    assert (
        AccessFailureLog.objects.filter(username=world.handler.username, ip_address="10.3.3.3").count() == 1
    )
    assert world.reviewer.username in successes and "10.4.4.4" in successes
    assert world.handler.username in failures and "10.3.3.3" in failures


def test_unit_admin_cannot_see_sign_in_logs(world):
    client = Client()
    client.force_login(world.admin, backend="accounts.backends.ActiveStaffBackend")

    response = client.get("/admin/axes/accesslog/")

    assert response.status_code == 302 and "/admin/login/" in response.url


def test_session_expires_after_idle_time_and_activity_extends_it(world, settings):
    settings.SESSION_COOKIE_AGE = 60 * 60
    client = Client()
    with freeze_time("2026-03-01 09:00:00"):
        client.post(LOGIN, {"username": world.handler.username, "password": factories.PASSWORD})
    with freeze_time("2026-03-01 09:50:00"):
        active = client.get("/console/")
    with freeze_time("2026-03-01 10:40:00"):
        still_in = client.get("/console/")
    with freeze_time("2026-03-01 11:41:00"):
        expired = client.get("/console/")

    assert (active.status_code, still_in.status_code) == (200, 200)
    assert expired.status_code == 302 and expired.url.startswith(reverse("accounts:login"))


def test_password_validators_refuse_a_common_password(world, login):
    client = login(world.handler)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": factories.PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )

    world.handler.refresh_from_db()
    assert world.handler.check_password(factories.PASSWORD)
    assert "该密码过于常见" in response.content.decode()
