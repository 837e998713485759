"""Mail at most once per notification and recipient, as far as the sender can know.

A mail task sends one message per recipient and records each accepted message at once
(`MailDelivery`); a run of the same notification again (a killed worker's task requeued, a
retry) leaves out the recipients already recorded. What remains is the moment between the mail
server's acceptance and the record: a worker killed exactly then sends that one message again
on the next run (at least once, never lost; docs/production.md)."""

from collections.abc import Iterable

from .models import MailDelivery


def mail_recipients_reached(*, key: str, recipients: Iterable[str]) -> set[str]:
    """Which of these addresses already got the mail of this notification. No side effects."""
    return set(
        MailDelivery.objects.filter(key=key, recipient__in=list(recipients)).values_list(
            "recipient", flat=True
        )
    )


def mail_delivery_record(*, key: str, recipient: str) -> None:
    """Record that the mail server accepted this notification's mail for this address (once:
    a second record of the same pair is ignored). Side effect: one INSERT, autocommitted when
    called outside a transaction, as the tasks do."""
    MailDelivery.objects.bulk_create([MailDelivery(key=key, recipient=recipient)], ignore_conflicts=True)
