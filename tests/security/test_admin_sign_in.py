"""The admin site signs in through the console's steps: the password, then the second factor that
production requires of superusers; an admin's reset of someone's second factor ends their sessions."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from accounts import second_factor
from accounts.enums import Position
from tests import factories as F

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")
ADMIN_LOGIN = "/admin/login/?next=/admin/"


def _code(device, drift=0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def _enrol(user):
    device = second_factor.totp_device_pending(user=user)
    second_factor.totp_confirm(user=user, device=device, code=_code(device))
    device.refresh_from_db()
    return device


@pytest.fixture
def superuser(db, settings):
    settings.OTP_REQUIRED_FOR_SUPERUSERS = True
    return F.user(username="root-admin", is_superuser=True, is_staff=True)


def test_admin_login_with_the_password_alone_does_not_open_the_admin(superuser):
    _enrol(superuser)
    client = Client()

    posted = client.post(ADMIN_LOGIN, {"username": superuser.username, "password": F.PASSWORD})
    admin_page = client.get("/admin/accounts/user/")

    assert posted.status_code == 302
    assert posted["Location"] == f"{LOGIN}?next=%2Fadmin%2F"
    assert "_auth_user_id" not in client.session
    assert admin_page.status_code == 302 and admin_page["Location"].startswith("/admin/login/")


def test_admin_login_page_leads_to_the_console_sign_in_which_asks_for_the_code(superuser):
    device = _enrol(superuser)
    client = Client()

    landing = client.get(ADMIN_LOGIN, follow=True)
    password = client.post(
        landing.redirect_chain[-1][0], {"username": superuser.username, "password": F.PASSWORD}
    )
    before_code = client.get("/admin/")
    code = client.post(reverse("accounts:login_code"), {"code": _code(device, drift=1)})
    admin_page = client.get("/admin/accounts/user/")

    assert "登录" in landing.content.decode()
    assert password["Location"] == reverse("accounts:login_code")
    assert before_code.status_code == 302
    assert code["Location"] == "/admin/"
    assert admin_page.status_code == 200


def test_superuser_without_a_second_factor_is_led_to_enrol_before_the_admin_or_console(superuser):
    client = Client()

    client.post(LOGIN, {"username": superuser.username, "password": F.PASSWORD})
    admin_page = client.get("/admin/accounts/user/")
    console = client.get(reverse("accounts:console"))

    assert admin_page["Location"] == reverse("accounts:security")
    assert console["Location"] == reverse("accounts:security")
    assert "开启" in client.get(reverse("accounts:security")).content.decode()


def test_production_settings_require_a_second_factor_of_superusers():
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "x" * 60,
        "PATH": "/usr/bin:/bin",
    }
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.OTP_REQUIRED_FOR_SUPERUSERS)"
    )

    result = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )

    assert result.stdout.strip() == "True", result.stderr[-2000:]


def test_signed_in_non_staff_at_admin_login_is_refused_not_looped(world):
    client = Client()
    client.force_login(world.handler, backend="accounts.backends.ActiveStaffBackend")

    response = client.get(ADMIN_LOGIN)

    assert response.status_code == 403


def test_admin_reset_of_the_second_factor_ends_the_persons_sessions(world, settings):
    settings.OTP_REQUIRED_POSITIONS = [Position.HANDLER.value]
    _enrol(world.handler)
    old = Client()
    old.force_login(world.handler, backend="accounts.backends.ActiveStaffBackend")
    key = old.cookies[settings.SESSION_COOKIE_NAME].value
    admin = Client()
    admin.force_login(world.admin, backend="accounts.backends.ActiveStaffBackend")

    admin.post(reverse("accounts:staff_otp_reset", args=[world.handler.pk]))
    replay = old.get(reverse("accounts:security"))

    assert not Session.objects.filter(session_key=key).exists()
    assert replay.status_code == 302 and replay["Location"].startswith(LOGIN)
