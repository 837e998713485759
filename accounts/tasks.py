"""Slow work of the accounts app, run on the task queue (django-tasks-db; immediate in tests)."""

from django.tasks import task

from . import sms
from .inbox import messages_purge


@task
def sms_code_send(*, phone: str, code: str, minutes: int) -> None:
    """Send a verification code through the configured SMS backend; SmsError fails the task."""
    sms.get_backend().send_code(phone=phone, code=code, minutes=minutes)


@task
def mail_send(*, subject: str, body: str, to: list[str]) -> None:
    """Send one plain-text mail (password-reset links); a mail server error fails the task."""
    from django.core.mail import send_mail

    send_mail(subject, body, None, to)


@task
def purge_messages() -> int:
    """Delete in-app messages past their retention age."""
    return messages_purge()
