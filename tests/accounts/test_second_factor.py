"""The second factor: enrol with a QR code and a code check, sign in with a code or a recovery code,
wrong codes count toward the lockout, the requirement by position, the admin's reset."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from accounts.enums import StaffAction
from accounts.models import SignInRecord, StaffChange
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")
CODE = reverse("accounts:login_code")
SECURITY = reverse("accounts:security")
HOME = reverse("accounts:console")


def code_for(device, drift=0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def next_code(device) -> str:
    # A code is accepted once (replay protection): the one of the next 30 s window (within the
    # device's tolerance) stands for the code the phone shows a little later.
    return code_for(device, drift=1)


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    device = second_factor.totp_device_pending(user=user)
    codes = second_factor.totp_confirm(user=user, device=device, code=code_for(device))
    device.refresh_from_db()
    return device, codes


def sign_in(client, user, password=PASSWORD):
    return client.post(LOGIN, {"username": user.username, "password": password})


def test_enrol_from_account_security_with_qr_and_code(client, world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait after the wrong code below
    client.force_login(world.finance, backend="accounts.backends.ActiveStaffBackend")
    page = client.get(SECURITY)
    html = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html and "开启" in html
    device = TOTPDevice.objects.get(user=world.finance, confirmed=False)
    wrong = client.post(SECURITY, {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert "验证码不正确" in wrong.content.decode()
    assert not second_factor.otp_enrolled(world.finance)
    done = client.post(SECURITY, {"code": code_for(device)})
    codes = done.context["codes"]
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    assert second_factor.otp_enrolled(world.finance)
    assert StaffChange.objects.filter(staff=world.finance, action=StaffAction.ENROL_OTP).count() == 1


def test_sign_in_asks_for_the_code_after_the_password(client, world):
    device, _codes = enrol(world.handler)
    response = sign_in(client, world.handler)
    assert response.status_code == 302 and response.url == CODE
    assert "_auth_user_id" not in client.session  # not signed in yet
    assert client.get(HOME).status_code == 302
    response = client.post(CODE, {"code": next_code(device)})
    assert response.status_code == 302 and response.url == reverse("accounts:console")
    assert client.get(HOME).status_code == 200
    assert SignInRecord.objects.filter(user=world.handler, succeeded=True).count() == 1


def test_a_wrong_code_is_refused_and_recorded(client, world):
    enrol(world.handler)
    sign_in(client, world.handler)
    response = client.post(CODE, {"code": "12345"})
    assert "验证码不正确" in response.content.decode()
    assert client.get(HOME).status_code == 302
    record = SignInRecord.objects.get(user=world.handler)
    assert (record.succeeded, record.step) == (False, "code")


def test_wrong_codes_count_toward_the_lockout(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    device, _codes = enrol(world.handler)
    sign_in(client, world.handler)
    client.post(CODE, {"code": "12345"})
    client.post(CODE, {"code": "12346"})
    locked = client.post(CODE, {"code": "12347"})
    assert locked.status_code == 429
    # Locked: even the right password and a right code no longer get in.
    again = sign_in(client, world.handler)
    assert again.status_code == 429 and "锁定" in again.content.decode()
    assert client.post(CODE, {"code": next_code(device)}).url == LOGIN  # no pending sign-in left
    assert client.get(HOME).status_code == 302


def test_a_recovery_code_works_once(client, world):
    _device, codes = enrol(world.handler)
    sign_in(client, world.handler)
    assert client.post(CODE, {"code": codes[0]}).status_code == 302
    assert client.get(HOME).status_code == 200
    assert StaticToken.objects.filter(device__user=world.handler).count() == 9
    client.logout()
    sign_in(client, world.handler)
    response = client.post(CODE, {"code": codes[0]})
    assert "验证码不正确" in response.content.decode()


def test_code_step_without_a_password_goes_back_to_sign_in(client, world):
    response = client.post(CODE, {"code": "123456"})
    assert response.status_code == 302 and response.url == LOGIN


def test_required_position_is_led_to_enrol_before_acting(client, world, settings):
    settings.OTP_REQUIRED_POSITIONS = ["finance_reviewer", "institution_admin", "supervisor"]
    response = sign_in(client, world.finance)
    assert response.status_code == 302
    blocked = client.get(reverse("announcements:list"))
    assert blocked.status_code == 302 and blocked.url == SECURITY
    page = client.get(SECURITY).content.decode()
    assert "您的岗位要求开启双因素认证" in page
    device = TOTPDevice.objects.get(user=world.finance)
    client.post(SECURITY, {"code": code_for(device)})
    assert client.get(reverse("announcements:list")).status_code == 200


def test_positions_not_required_sign_in_with_a_password(client, world, settings):
    settings.OTP_REQUIRED_POSITIONS = ["finance_reviewer"]
    signed_in = sign_in(client, world.handler)
    page = client.get(reverse("announcements:list"))

    assert signed_in.status_code == 302 and signed_in.url != SECURITY
    assert page.status_code == 200 and world.handler.full_name in page.content.decode()
    assert not TOTPDevice.objects.filter(user=world.handler).exists()


def test_make_run_requires_no_second_factor(settings):
    # config.settings_test runs with DEBUG's default, as `make run` does.
    assert settings.OTP_REQUIRED_POSITIONS == []


def test_admin_resets_a_staff_members_device_and_it_is_recorded(world, login):
    enrol(world.handler)
    client = login(world.admin)
    detail = client.get(reverse("accounts:staff_detail", args=[world.handler.pk])).content.decode()
    assert "重置双因素认证" in detail
    response = client.post(reverse("accounts:staff_otp_reset", args=[world.handler.pk]))
    assert response.status_code == 302
    assert not second_factor.otp_enrolled(world.handler)
    assert StaticToken.objects.filter(device__user=world.handler).count() == 0
    change = StaffChange.objects.get(staff=world.handler, action=StaffAction.RESET_OTP)
    assert change.actor == world.admin


def test_admin_of_another_institution_cannot_reset(world, login):
    enrol(world.handler)
    response = login(world.outsider_admin).post(reverse("accounts:staff_otp_reset", args=[world.handler.pk]))
    assert response.status_code == 404
    assert second_factor.otp_enrolled(world.handler)


def test_an_unknown_position_in_the_setting_stops_the_start(settings):
    from accounts.checks import otp_required_positions

    settings.OTP_REQUIRED_POSITIONS = ["finance_reviewer", "finance_reveiwer"]
    errors = otp_required_positions(None)
    assert [e.id for e in errors] == ["accounts.E001"] and "finance_reveiwer" in errors[0].msg


def test_required_and_enrolled_session_without_a_code_must_sign_in_again(world, login, settings):
    settings.OTP_REQUIRED_POSITIONS = ["finance_reviewer"]
    enrol(world.finance)
    client = login(world.finance)  # a session that never gave a code
    response = client.get(reverse("announcements:list"))
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def test_a_right_code_right_after_a_wrong_one_signs_in(client, world):
    # django-otp's throttle (OTP_TOTP_THROTTLE_FACTOR, 1 s after the first failure) refused the
    # retyped code with the wrong-code message: one mistyped code must not hold back the right one.
    device, _codes = enrol(world.handler)
    sign_in(client, world.handler)
    wrong = client.post(CODE, {"code": "000000" if next_code(device) != "000000" else "111111"})
    assert "验证码不正确" in wrong.content.decode()
    response = client.post(CODE, {"code": next_code(device)})
    assert response.status_code == 302 and response.url == HOME
    assert client.get(HOME).status_code == 200


def test_wrong_codes_in_a_row_still_make_the_next_wait_and_say_so(client, world):
    device, _codes = enrol(world.handler)
    sign_in(client, world.handler)
    client.post(CODE, {"code": "12345"})
    client.post(CODE, {"code": "12346"})
    # The throttle against guessing stays from the second wrong code: the right code is not even
    # checked, and the page says to wait instead of calling it wrong.
    response = client.post(CODE, {"code": next_code(device)})
    html = response.content.decode()
    assert "连续输错验证码次数过多" in html and "秒后再试" in html and "验证码不正确" not in html
    assert client.get(HOME).status_code == 302


def test_enrolment_accepts_the_right_code_right_after_a_wrong_one(client, world):
    client.force_login(world.finance, backend="accounts.backends.ActiveStaffBackend")
    client.get(SECURITY)
    device = TOTPDevice.objects.get(user=world.finance, confirmed=False)
    client.post(SECURITY, {"code": "000000" if code_for(device) != "000000" else "111111"})
    done = client.post(SECURITY, {"code": code_for(device)})
    assert len(done.context["codes"]) == 10
    assert second_factor.otp_enrolled(world.finance)
