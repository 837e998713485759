"""Slow work of the accounts app, run on the task queue (django-tasks-db; immediate in tests).

`outbox_send_task` is the one send task of every mail and text message (queued by
`accounts.outbox`), with the one retry policy: a refusal (or an unreachable server) is tried
again after `retry_delay`, up to OUTBOX_ATTEMPTS attempts; the row then says `failed` with the
last error and the task fails, so the administrator finds it in the admin. Whatever the outcome,
the action that caused the message (a transition, a reminder) committed long before and stands.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from . import sms
from .inbox import messages_purge
from .models import OutboxMessage

logger = logging.getLogger(__name__)

OUTBOX_ATTEMPTS = 5
# Messages whose text is a one-time secret (a verification code, a password-reset or invitation
# link): blanked once sent or given up, like nothing else; a secret no send task will take any
# more (its task lost) is given up after ONE_TIME_PENDING_HOURS by the daily purge.
ONE_TIME_TOPICS = ("code", "password-reset", "invitation")
ONE_TIME_PENDING_HOURS = 24


class MessageNotDelivered(Exception):
    """The mail server or SMS provider refused a message on every attempt."""


def retry_delay(attempt: int) -> timedelta:
    """1, 2, 4, 8 … minutes by default after the `attempt`-th failure (settings.MAIL_RETRY_SECONDS
    is the first delay)."""
    return timedelta(seconds=settings.MAIL_RETRY_SECONDS * 2 ** (attempt - 1))


def _deliver(row: OutboxMessage) -> None:
    if row.channel == OutboxMessage.Channel.SMS:
        sms.get_backend().send_code(phone=row.recipient, code=row.body, minutes=row.minutes or 0)
        return
    message = EmailMessage(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [row.recipient])
    if not message.send(fail_silently=False):
        raise MessageNotDelivered("the mail server accepted no recipient")


@task
def outbox_send_task(*, message_id: int) -> bool:
    """Send one waiting outbox row; True when it went out now. A row already sent or given up is
    left alone (a killed worker's task run again). A failure updates the row (attempts, last
    error, next attempt) and enqueues the next try after `retry_delay`; the last allowed failure
    marks it failed (an SMS code blanked) and raises MessageNotDelivered."""
    row = OutboxMessage.objects.filter(pk=message_id, state=OutboxMessage.State.PENDING).first()
    if row is None:
        return False
    attempt = row.attempts + 1
    # A code or a one-time link is of no use once sent or given up: it is not kept beyond that.
    one_time = row.channel == OutboxMessage.Channel.SMS or row.topic in ONE_TIME_TOPICS
    spent_body = "" if one_time else row.body
    try:
        _deliver(row)
    except Exception as exc:  # noqa: BLE001 - a refusing or unreachable server: try again later
        error = f"{type(exc).__name__}: {exc}"[:1000]
        if attempt >= OUTBOX_ATTEMPTS:
            OutboxMessage.objects.filter(pk=row.pk).update(
                state=OutboxMessage.State.FAILED,
                attempts=attempt,
                next_attempt_at=None,
                last_error=error,
                body=spent_body,
            )
            logger.error("Outbox message %s gave up after %s attempts: %s", row.pk, attempt, error)
            raise MessageNotDelivered(f"{row} not delivered after {attempt} attempts: {error}") from exc
        due = timezone.now() + retry_delay(attempt)
        OutboxMessage.objects.filter(pk=row.pk).update(
            attempts=attempt, next_attempt_at=due, last_error=error
        )
        logger.warning("Outbox message %s refused (%s); retry %s", row.pk, error, attempt + 1)
        retry = outbox_send_task
        if retry.get_backend().supports_defer:
            retry = retry.using(run_after=due)
        retry.enqueue(message_id=row.pk)
        return False
    # At once: a run of the same task again finds the row sent and sends nothing more.
    OutboxMessage.objects.filter(pk=row.pk).update(
        state=OutboxMessage.State.SENT,
        attempts=attempt,
        next_attempt_at=None,
        sent_at=timezone.now(),
        body=spent_body,
    )
    return True


def outbox_secrets_purge(*, now=None) -> int:
    """Blank the text of one-time messages already sent or given up (rows from before sending
    blanked them), and give up, blanked, those still waiting after ONE_TIME_PENDING_HOURS.
    Returns how many rows were changed."""
    now = now or timezone.now()
    one_time = Q(channel=OutboxMessage.Channel.SMS) | Q(topic__in=ONE_TIME_TOPICS)
    rows = OutboxMessage.objects.filter(one_time).exclude(body="")
    spent = rows.exclude(state=OutboxMessage.State.PENDING).update(body="")
    stale = rows.filter(
        state=OutboxMessage.State.PENDING, created_at__lt=now - timedelta(hours=ONE_TIME_PENDING_HOURS)
    ).update(body="", state=OutboxMessage.State.FAILED, next_attempt_at=None, last_error="expired unsent")
    return spent + stale


@task
def messages_purge_task() -> int:
    """Delete in-app messages past their retention age, and blank the one-time secrets of the
    outbox (outbox_secrets_purge); returns how many rows went or changed."""
    return messages_purge() + outbox_secrets_purge()
