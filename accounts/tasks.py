"""Slow work of the accounts app, run on the task queue (django-tasks-db; immediate in tests)."""

from django.db import transaction
from django.tasks import task

from . import sms
from .inbox import messages_purge
from .mail import mail_delivery_record, mail_recipients_reached
from .models import OutgoingMail, OutgoingSms


def sms_code_enqueue(*, phone: str, code: str, minutes: int) -> OutgoingSms:
    """Queue a verification code for the worker, after the caller's transaction commits. The
    code waits in `OutgoingSms` (deleted once sent), not in the task's arguments."""
    message = OutgoingSms.objects.create(phone=phone, code=code, minutes=minutes)
    transaction.on_commit(lambda: sms_code_send.enqueue(sms_id=message.pk))
    return message


@task
def sms_code_send(*, sms_id: int) -> None:
    """Send a queued code through the configured SMS backend, then forget it; SmsError fails the
    task and keeps the code for its next run (it expires with its VerificationCode anyway)."""
    message = OutgoingSms.objects.filter(pk=sms_id).first()
    if message is None:  # sent by an earlier run
        return
    sms.get_backend().send_code(phone=message.phone, code=message.code, minutes=message.minutes)
    message.delete()


@task
def mail_send(*, mail_id: int) -> int:
    """Send a queued single mail (password-reset and invitation links: accounts.tasks.mail_enqueue)
    to each address not reached yet (a killed worker's task runs again), then delete it; returns
    how many left now. A mail server error fails the task and keeps the mail for its next run."""
    from django.core.mail import send_mail

    mail = OutgoingMail.objects.filter(pk=mail_id).first()
    if mail is None:  # sent and deleted by an earlier run
        return 0
    key = f"mail:{mail.pk}"
    reached = mail_recipients_reached(key=key, recipients=mail.recipients)
    sent = 0
    for address in mail.recipients:
        if address not in reached and send_mail(mail.subject, mail.body, None, [address]):
            mail_delivery_record(key=key, recipient=address)
            sent += 1
    mail.delete()
    return sent


def mail_enqueue(*, subject: str, body: str, to: list[str]) -> OutgoingMail:
    """Queue one plain-text mail for the worker, after the caller's transaction commits. The body
    (it may hold a one-time link) is stored in `OutgoingMail`, not in the task's arguments, and
    deleted once sent. Side effects: one INSERT; one task enqueued on commit."""
    mail = OutgoingMail.objects.create(subject=subject, body=body, recipients=list(to))
    transaction.on_commit(lambda: mail_send.enqueue(mail_id=mail.pk))
    return mail


@task
def purge_messages() -> int:
    """Delete in-app messages past their retention age."""
    return messages_purge()
