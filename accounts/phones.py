"""Verification codes sent by text message: issuing, checking, rate limits, and 绑定手机.

A code is six digits, valid CODE_MINUTES minutes, checked at most MAX_TRIES times, stored only
as a keyed hash. Every request is a `VerificationCode` row, which is also the log the limits
count, so the limits hold without the cache and across app servers:

- per address (client IP): ADDRESS_LIMIT requests an hour, whatever the account; answered with
  a message, since it tells nothing about any account;
- per account: ACCOUNT_LIMIT codes an hour and one per RESEND_SECONDS. For a password reset the
  answer stays the same when this limit stops a code (it would otherwise reveal the account).
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .enums import StaffAction
from .models import StaffChange, User, VerificationCode
from .outbox import sms_code_queue

CODE_MINUTES = 10
MAX_TRIES = 5
RESEND_SECONDS = 60
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
KEEP_DAYS = 7

Purpose = VerificationCode.Purpose


class RateLimited(ValidationError):
    """Too many requests; the message is for the user."""


class CodeRefused(ValidationError):
    """The code is wrong, expired, used or tried too often; the message is for the user."""


def _digest(row: VerificationCode, code: str) -> str:
    message = f"{row.pk}:{row.purpose}:{row.phone}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) == 11 else phone


def address_limited(*, ip: str | None) -> bool:
    if not ip:
        return False
    since = timezone.now() - timedelta(hours=1)
    return VerificationCode.objects.filter(ip=ip, created_at__gte=since).count() >= ADDRESS_LIMIT


def account_limited(*, user: User, purpose: str) -> bool:
    now = timezone.now()
    sent = VerificationCode.objects.filter(
        user=user, purpose=purpose, created_at__gte=now - timedelta(hours=1)
    ).exclude(code_hash="")
    if sent.filter(created_at__gte=now - timedelta(seconds=RESEND_SECONDS)).exists():
        return True
    return sent.count() >= ACCOUNT_LIMIT


def refuse_busy_address(ip: str | None) -> None:
    if address_limited(ip=ip):
        raise RateLimited(_("Too many requests from your network. Please try again in an hour."))


@transaction.atomic
def code_issue(*, purpose: str, user: User | None, phone: str, ip: str | None) -> VerificationCode:
    """Record a request and, when `user` is given and not over its limit, text it a new code.

    Raises RateLimited when the address is over its limit (nothing recorded). The code is sent
    by a task after the commit; the returned row never carries the code itself.
    """
    refuse_busy_address(ip)
    # The log is needed for an hour (the limits); a week is kept for questions, then pruned here.
    VerificationCode.objects.filter(created_at__lt=timezone.now() - timedelta(days=KEEP_DAYS)).delete()
    send = user is not None and not account_limited(user=user, purpose=purpose)
    row = VerificationCode.objects.create(
        purpose=purpose,
        user=user,
        phone=phone,
        ip=ip,
        expires_at=timezone.now() + timedelta(minutes=CODE_MINUTES),
    )
    if send:
        code = f"{secrets.randbelow(10**6):06d}"
        row.code_hash = _digest(row, code)
        row.save(update_fields=["code_hash"])
        sms_code_queue(phone=phone, code=code, minutes=CODE_MINUTES)
    return row


def code_check(*, row: VerificationCode, code: str, use: bool = False) -> VerificationCode:
    """Accept `code` for the request `row` (and mark it used when `use`), or raise CodeRefused.

    A wrong try is counted and committed before the refusal is raised, so callers must not wrap
    this in their own transaction. A request without a code (unknown account, account over its
    limit) fails exactly like a wrong code.
    """
    with transaction.atomic():
        row = VerificationCode.objects.select_for_update().get(pk=row.pk)
        if row.used_at is not None or row.expires_at <= timezone.now():
            problem = _("The code has expired. Request a new one.")
        elif row.attempts >= MAX_TRIES:
            problem = _("Too many wrong codes. Request a new one.")
        elif row.code_hash and hmac.compare_digest(_digest(row, code.strip()), row.code_hash):
            if use:
                row.used_at = timezone.now()
                row.save(update_fields=["used_at"])
            return row
        else:
            row.attempts += 1
            row.save(update_fields=["attempts"])
            left = MAX_TRIES - row.attempts
            problem = (
                ngettext(
                    "The code is wrong. %(left)d try left.", "The code is wrong. %(left)d tries left.", left
                )
                % {"left": left}
                if left
                else _("Too many wrong codes. Request a new one.")
            )
    raise CodeRefused(problem, code="code")


# --- 绑定手机 ---------------------------------------------------------------------------------------


def phone_bind_start(*, user: User, phone: str, ip: str | None) -> VerificationCode:
    """Text a code to the new number; the account keeps its old number until the code is entered.

    Raises RateLimited when the address or the account asks too often.
    """
    refuse_busy_address(ip)
    if account_limited(user=user, purpose=Purpose.BIND_PHONE):
        raise RateLimited(_("A code was sent a moment ago. Please wait a minute before asking again."))
    return code_issue(purpose=Purpose.BIND_PHONE, user=user, phone=phone, ip=ip)


def phone_bind_confirm(*, user: User, row: VerificationCode, code: str) -> User:
    """Check the code; then the account's 绑定手机 becomes the new number, verified, and a
    StaffChange records it. Raises CodeRefused."""
    if row.user_id != user.pk or row.purpose != Purpose.BIND_PHONE:
        raise CodeRefused(_("The code has expired. Request a new one."), code="code")
    row = code_check(row=row, code=code, use=True)
    with transaction.atomic():
        _bind(user, row.phone)
    return user


def _bind(user: User, phone: str) -> None:
    old = user.phone
    user.phone = phone
    user.phone_verified = True
    user.save(update_fields=["phone", "phone_verified"])
    StaffChange.objects.create(
        staff=user,
        actor=user,
        action=StaffAction.BIND_PHONE,
        detail=f"{mask_phone(old) or '-'} → {mask_phone(user.phone)}",
    )
