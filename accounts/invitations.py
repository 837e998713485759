"""新增/邀请 and 批量新增: accounts that their owners activate by setting their own password.

An invitation is a random token (only its SHA-256 is stored) valid for INVITATION_HOURS and
usable once; accepting it is a conditional update, so two tabs submitting at once set the
password once.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from .enums import StaffAction
from .models import Invitation, User
from .outbox import mail_queue
from .rules import can_manage_staff_of
from .services import StaffNotFound, staff_change_record, user_insert


class InvitationInvalid(Exception):
    """The link is unknown, used or expired; the message says which."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    return settings.SITE_URL + reverse("accounts:invitation_accept", args=[token])


def invitation_issue(*, actor: User, staff: User) -> str:
    """Make a new invitation for `staff` and return its token (shown once). Earlier unused
    invitations of the person stop working. Records a StaffChange; mails the link when the
    person has an address."""
    if not can_manage_staff_of(actor, staff.institution):
        raise StaffNotFound
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(staff=staff, used_at__isnull=True).update(expires_at=now)
        Invitation.objects.create(
            staff=staff,
            token_hash=_hash(token),
            created_by=actor,
            created_at=now,
            expires_at=now + timedelta(hours=settings.INVITATION_HOURS),
        )
        with translation.override(settings.LANGUAGE_CODE):
            detail = gettext("Invitation link valid for %(hours)s hours") % {
                "hours": settings.INVITATION_HOURS
            }
        staff_change_record(staff=staff, actor=actor, action=StaffAction.INVITE, detail=detail)
    if staff.email:
        message = _invitation_email(staff, actor, token)
        # Through the queue like every mail (a worker sends; a refusal fails that task, never
        # this request): the link is on the admin's screen anyway.
        mail_queue(to=message.to, subject=message.subject, body=message.body, topic="invitation")
    return token


def _invitation_email(staff, actor, token) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Your account on the SME reserved-project notices")
        body = gettext(
            "%(name)s, %(admin)s of %(institution)s has created your account %(username)s.\n"
            "Set your password within %(hours)s hours: %(url)s\n"
        ) % {
            "name": staff.get_full_name(),
            "admin": actor.get_full_name(),
            "institution": staff.institution,
            "username": staff.username,
            "hours": settings.INVITATION_HOURS,
            "url": invitation_url(token),
        }
    return EmailMessage(subject=subject, body=body, to=[staff.email])


@transaction.atomic
def staff_invite(
    *, actor: User, username: str, full_name: str, phone="", department=None, title="", email=""
) -> tuple[User, str]:
    """新增/邀请: an account in the actor's institution with no usable password, and its
    invitation. Returns (user, token)."""
    if not can_manage_staff_of(actor, actor.institution):
        raise StaffNotFound
    user = User(
        username=username,
        full_name=full_name,
        phone=phone,
        department=department,
        title=title,
        email=email,
        institution=actor.institution,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user_insert(user)
    with translation.override(settings.LANGUAGE_CODE):
        detail = gettext("Account %(username)s created") % {"username": username}
    staff_change_record(staff=user, actor=actor, action=StaffAction.CREATE, detail=detail)
    return user, invitation_issue(actor=actor, staff=user)


def invitation_lookup(token: str) -> Invitation:
    """The invitation of a link, or InvitationInvalid saying why it cannot be used."""
    invitation = Invitation.objects.select_related("staff").filter(token_hash=_hash(token)).first()
    if invitation is None:
        raise InvitationInvalid(gettext("This invitation link is not valid."))
    if invitation.used_at is not None:
        raise InvitationInvalid(
            gettext("This invitation link has already been used: sign in with your password.")
        )
    if (
        invitation.expires_at <= timezone.now()
        or not invitation.staff.is_active
        or invitation.staff.is_deleted
    ):
        raise InvitationInvalid(
            gettext("This invitation link has expired: ask your institution administrator for a new one.")
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Set the invited person's password and use the invitation up. Raises InvitationInvalid
    (also when another request used it first) or ValidationError for a refused password."""
    invitation = invitation_lookup(token)
    user = invitation.staff
    password_validation.validate_password(password, user)
    used = Invitation.objects.filter(pk=invitation.pk, used_at__isnull=True).update(used_at=timezone.now())
    if not used:
        raise InvitationInvalid(
            gettext("This invitation link has already been used: sign in with your password.")
        )
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    staff_change_record(staff=user, actor=user, action=StaffAction.ACCEPT_INVITATION)
    return user
