"""The second factor: TOTP (django-otp) with single-use recovery codes.

Which positions must use it is a setting (OTP_REQUIRED_POSITIONS): production defaults to
财政审核岗, 机构管理员 and 监督检查岗; `make run` (DEBUG) to none. A superuser holds no position
but can do everything, so OTP_REQUIRED_FOR_SUPERUSERS (on unless DEBUG) requires it of them too.
"""

import math

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .enums import StaffAction
from .models import User
from .rules import can_manage_staff_of, holds_any_position
from .services import StaffNotFound, _end_sessions, staff_change_record


def otp_required(user) -> bool:
    """True when one of the user's positions must use a second factor, or the user is a superuser
    and OTP_REQUIRED_FOR_SUPERUSERS is on (cached on the user)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser and settings.OTP_REQUIRED_FOR_SUPERUSERS:
        return True
    return holds_any_position(user, settings.OTP_REQUIRED_POSITIONS, memo="_otp_required")


def otp_enrolled(user) -> bool:
    return user_has_device(user, confirmed=True)


# django-otp's throttle refuses every code for OTP_*_THROTTLE_FACTOR × 2^(n−1) s after the n-th
# wrong one, without checking it. After a single mistyped code a person retypes at once, so that
# first failure is forgiven: the wait starts from the second wrong code in a row (2 s, 4 s, 8 s …),
# and django-axes still locks the account after AXES_FAILURE_LIMIT wrong codes.
FORGIVEN_FAILURES = 1


class CodeThrottled(Exception):
    """Too many wrong codes in a row: no code is checked for `seconds` more seconds."""

    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


def throttled_message(seconds: int) -> str:
    return ngettext(
        "Too many wrong codes in a row: please try again in %(seconds)d second.",
        "Too many wrong codes in a row: please try again in %(seconds)d seconds.",
        seconds,
    ) % {"seconds": seconds}


def _throttle_seconds(device) -> int:
    """Seconds the device still refuses codes (0 when it checks them), the forgiven failure aside."""
    if device.throttling_failure_count <= FORGIVEN_FAILURES:
        return 0
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return 0
    return max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))


def _verify(device, code: str) -> bool:
    """device.verify_token, the forgiven first failure putting off no retry (a wrong code still
    counts toward the throttle)."""
    if device.throttling_failure_count <= FORGIVEN_FAILURES:
        device.throttling_failure_timestamp = None  # in memory only: verify_token saves its own
    return device.verify_token(code)


def code_match(*, user, code: str):
    """The device (TOTP or recovery codes) that accepts the code, or None. Raises CodeThrottled,
    checking nothing, while too many wrong codes in a row make the devices wait."""
    with transaction.atomic():
        devices = list(devices_for_user(user, for_verify=True))
        wait = max((_throttle_seconds(d) for d in devices), default=0)
        if wait:
            raise CodeThrottled(wait)
        return next((d for d in devices if _verify(d, code)), None)


def totp_device_pending(*, user) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled (made on first call; its key stays until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)
    return device


@transaction.atomic
def totp_confirm(*, user, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the device with a code from the app. On success: the device is confirmed, any older
    device and recovery codes are replaced, fresh recovery codes are made and a StaffChange is
    recorded; returns the codes (shown once). A wrong code returns None; CodeThrottled while too
    many wrong codes in a row make the device wait."""
    wait = _throttle_seconds(device)
    if wait:
        raise CodeThrottled(wait)
    if not _verify(device, code.strip()):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_renew(user=user)
    staff_change_record(staff=user, actor=user, action=StaffAction.ENROL_OTP)
    return codes


def recovery_codes_renew(*, user) -> list[str]:
    """Replace the user's recovery codes (each works once) with new ones; returns them."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=gettext("Recovery codes"), confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.OTP_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def recovery_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def staff_otp_reset(*, actor: User, staff: User) -> int:
    """An institution admin removes a staff member's second factor (a lost phone): the person
    enrols again at the next sign-in. Their sessions end too: an open one (perhaps on the lost
    phone) could otherwise enrol a new authenticator without the password. Records a
    StaffChange; returns the devices removed."""
    if not can_manage_staff_of(actor, staff.institution):
        raise StaffNotFound
    removed = TOTPDevice.objects.filter(user=staff).delete()[0]
    removed += StaticDevice.objects.filter(user=staff).delete()[0]
    _end_sessions([staff.pk])
    staff_change_record(staff=staff, actor=actor, action=StaffAction.RESET_OTP)
    return removed
