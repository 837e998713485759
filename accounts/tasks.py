"""Slow work of the accounts app, run on the task queue (django-tasks-db; immediate in tests)."""

from django.tasks import task

from . import sms
from .inbox import messages_purge
from .mail import mail_delivery_record, mail_recipients_reached


@task
def sms_code_send(*, phone: str, code: str, minutes: int) -> None:
    """Send a verification code through the configured SMS backend; SmsError fails the task."""
    sms.get_backend().send_code(phone=phone, code=code, minutes=minutes)


@task(takes_context=True)
def mail_send(context, *, subject: str, body: str, to: list[str]) -> int:
    """Send one plain-text mail (password-reset links) to each address that this task has not
    reached yet (a killed worker's task runs again: accounts.mail); returns how many left now.
    A mail server error fails the task."""
    from django.core.mail import send_mail

    key = f"task:{context.task_result.id}"
    reached = mail_recipients_reached(key=key, recipients=to)
    sent = 0
    for address in to:
        if address not in reached and send_mail(subject, body, None, [address]):
            mail_delivery_record(key=key, recipient=address)
            sent += 1
    return sent


@task
def purge_messages() -> int:
    """Delete in-app messages past their retention age."""
    return messages_purge()
