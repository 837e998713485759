"""The outbox: every message the site sends, by e-mail, text message (短信) or in the app.

Every app that notifies (the workflow, filing reminders, invitations, password resets,
verification codes) calls `message_queue` or `sms_code_queue`; accounts is the lowest app, so
each of them may. In-app messages are stored at once (the app reads them); a mail or a text
message becomes an `OutboxMessage` row per address, and after the caller's transaction commits
one `accounts.tasks.outbox_send_task` per row sends it. Only the row's id travels in the task's
arguments, never a body, a link or a code.

The one retry policy for every channel lives with the send task (`accounts.tasks`).
"""

from collections.abc import Iterable

from django.db import transaction

from .inbox import messages_send
from .models import OutboxMessage, User
from .tasks import outbox_send_task

SUBJECT_MAX = OutboxMessage._meta.get_field("subject").max_length


def _enqueue_on_commit(rows: list[OutboxMessage]) -> None:
    for row in rows:
        transaction.on_commit(lambda pk=row.pk: outbox_send_task.enqueue(message_id=pk))


def mail_queue(*, to: Iterable[str], subject: str, body: str, topic: str = "") -> list[OutboxMessage]:
    """Queue one plain-text mail per address (duplicates and blanks skipped). Side effects: one
    INSERT per address; one send task per row enqueued once the caller's transaction commits."""
    subject = " ".join(str(subject).split())[:SUBJECT_MAX]
    addresses = list(dict.fromkeys(a for a in to if a))
    with transaction.atomic():
        rows = OutboxMessage.objects.bulk_create(
            OutboxMessage(
                channel=OutboxMessage.Channel.MAIL, recipient=a, subject=subject, body=body, topic=topic
            )
            for a in addresses
        )
        _enqueue_on_commit(rows)
    return rows


def sms_code_queue(*, phone: str, code: str, minutes: int) -> OutboxMessage:
    """Queue a verification code for `phone`. The code is stored hashed in `VerificationCode`;
    its plain text waits only in this row, blanked once sent or given up. Side effects: one
    INSERT; one send task enqueued once the caller's transaction commits."""
    with transaction.atomic():
        row = OutboxMessage.objects.create(
            channel=OutboxMessage.Channel.SMS, recipient=phone, body=code, minutes=minutes, topic="code"
        )
        _enqueue_on_commit([row])
    return row


def message_queue(
    *,
    user: User | None,
    title: str,
    body: str = "",
    link: str = "",
    mail_subject: str = "",
    mail_body: str = "",
    topic: str = "",
) -> bool:
    """Notify one user: an in-app message (stored at once, e-mail address or not) and, when a
    mail text is given and the user has an address, a queued mail. Inactive and deleted users get
    nothing. Returns whether the in-app message was stored. Side effects: INSERTs; one send task
    enqueued on commit when a mail was queued."""
    with transaction.atomic():
        stored = messages_send(users=[user], title=title, body=body, link=link) == 1
        if stored and mail_body and user.email:
            mail_queue(to=[user.email], subject=mail_subject or title, body=mail_body, topic=topic)
    return stored
