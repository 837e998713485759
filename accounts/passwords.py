"""Password resets: 忘记密码 by a code to the verified 绑定手机 or by an e-mailed link, and the
institution admin's 重置密码 of a colleague.

No answer reveals whether an account exists: an unknown account gets the same page, the same
counted tries and the same refusal as a known one. Every reset changes the password hash, and
Django signs each session with that hash, so every other session of the account ends at its
next request. Each reset is recorded in the staff history (StaffChange).
"""

import secrets
import time
from datetime import timedelta

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import phones
from .enums import StaffAction
from .models import StaffChange, User, VerificationCode
from .outbox import mail_queue
from .rules import can_manage_staff_of
from .services import StaffNotFound

Purpose = VerificationCode.Purpose
# Unambiguous letters and digits for a password read off a screen (no 0/O, 1/l/I).
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


class ResetNotAllowed(ValidationError):
    """The admin may not reset this account's password; the message is for the user."""


def _resettable():
    return User.objects.filter(is_active=True, is_deleted=False)


def _recorded(func):
    with translation.override(settings.LANGUAGE_CODE):
        return func()


# --- 忘记密码 by mobile code -----------------------------------------------------------------------


def reset_by_phone_request(*, username: str, phone: str, ip: str | None) -> VerificationCode:
    """Record the request; text a code only when `username` is an active account whose verified
    绑定手机 is `phone`. Raises phones.RateLimited for a busy address."""
    user = _resettable().filter(username=username, phone=phone, phone_verified=True).first()
    return phones.code_issue(purpose=Purpose.RESET_BY_PHONE, user=user, phone=phone, ip=ip)


def reset_by_phone_confirm(*, row: VerificationCode, code: str, password: str) -> User:
    """Check the code (phones.CodeRefused when wrong; the try is counted), then the new password
    against the account (ValidationError: the code stays unspent, so another password may be
    tried with it), then spend the code and set the password.

    Only after the code is accepted is the password compared with the account (its username,
    e-mail…): before, "too similar to the username" told a stranger that the account and the
    phone matched. The form checks only what holds for any account."""
    row = phones.code_check(row=row, code=code)
    password_validation.validate_password(password, User.objects.get(pk=row.user_id))
    row = phones.code_check(row=row, code=code, use=True)
    with transaction.atomic():
        return _reset_done(
            user=User.objects.select_for_update().get(pk=row.user_id), password=password, via="phone"
        )


# --- 忘记密码 by e-mail ----------------------------------------------------------------------------


def reset_by_email_request(*, email: str, ip: str | None) -> None:
    """Mail a reset link (Django's password-reset token) to each active account with this address.

    The link starts with SITE_URL, never with the request's Host header, so that a forged Host
    cannot carry the token elsewhere.

    Records one request row per account (or one without an account) for the limits; an account
    over its limit gets no mail but the same answer. Raises phones.RateLimited for a busy address.

    A known address costs more work (a token, a rendered mail, a queued row: 11 ms against 5 ms
    measured), so every request takes at least PASSWORD_RESET_EMAIL_MIN_SECONDS: the answer's
    timing no longer says whether the address belongs to an account.
    """
    started = time.monotonic()
    phones.refuse_busy_address(ip)
    try:
        _reset_by_email(email=email, ip=ip)
    finally:
        time.sleep(max(0.0, settings.PASSWORD_RESET_EMAIL_MIN_SECONDS - (time.monotonic() - started)))


def _reset_by_email(*, email: str, ip: str | None) -> None:
    users = list(_resettable().filter(Q(email__iexact=email) & ~Q(email="")))

    for user in users or [None]:
        send = user is not None and user.has_usable_password()
        if send and phones.account_limited(user=user, purpose=Purpose.RESET_BY_EMAIL):
            send = False
        VerificationCode.objects.create(
            purpose=Purpose.RESET_BY_EMAIL,
            user=user,
            ip=ip,
            code_hash="link" if send else "",
            expires_at=timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
        )
        if not send:
            continue
        link = settings.SITE_URL + reverse(
            "accounts:password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        with translation.override(settings.LANGUAGE_CODE):
            subject = gettext("Reset your password")
            body = render_to_string("registration/password_reset_email.txt", {"user": user, "link": link})
        mail_queue(to=[user.email], subject=subject, body=body, topic="password-reset")


def reset_by_email_done(*, user: User) -> None:
    """After Django's reset form saved the new password: record it (the token is spent, since it
    hashes the old password)."""
    with transaction.atomic():
        _record(user=user, via="email")
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])


def _reset_done(*, user: User, password: str, via: str) -> User:
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    _record(user=user, via=via)
    return user


def _unlock(user: User) -> None:
    # A lockout after wrong passwords (django-axes) would outlast the reset that cures it.
    transaction.on_commit(lambda: axes_reset(username=user.username))


def _record(*, user: User, via: str) -> None:
    def detail():
        return gettext("By a code to the bound mobile") if via == "phone" else gettext("By an e-mailed link")

    StaffChange.objects.create(
        staff=user, actor=user, action=StaffAction.FORGOT_PASSWORD, detail=_recorded(detail)
    )
    _unlock(user)


# --- 重置密码 by the institution admin ----------------------------------------------------------------


def one_time_password() -> str:
    while True:
        candidate = "".join(secrets.choice(_ALPHABET) for _ in range(12))
        if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate


@transaction.atomic
def staff_password_reset(*, actor: User, staff: User) -> str:
    """Give a colleague a new one-time initial password and return it (to be shown once).

    The colleague must change it at the next sign-in; their sessions end (the hash changed); a
    StaffChange names the admin. Raises Http404 (StaffNotFound) outside the admin's institution
    and ResetNotAllowed for the admin's own account.
    """
    if not can_manage_staff_of(actor, staff.institution) or staff.is_deleted:
        raise StaffNotFound
    if staff.pk == actor.pk:
        raise ResetNotAllowed(_("You cannot reset your own password here: use Change password."))
    password = one_time_password()
    staff.set_password(password)
    staff.must_change_password = True
    staff.save(update_fields=["password", "must_change_password"])
    StaffChange.objects.create(
        staff=staff,
        actor=actor,
        action=StaffAction.RESET_PASSWORD,
        detail=_recorded(lambda: gettext("One-time initial password issued; must be changed at sign-in")),
    )
    _unlock(staff)
    return password


def password_reset_by_admin(*, user: User) -> bool:
    """Whether the password `user` must change now is a one-time password from an admin's 重置密码
    (rather than the initial password of a new account). One query; reads only."""
    if not user.must_change_password:
        return False
    latest = (
        user.changes.filter(action__in=[StaffAction.CREATE, StaffAction.RESET_PASSWORD])
        .values_list("action", flat=True)
        .first()
    )
    return latest == StaffAction.RESET_PASSWORD
