"""In-app messages (消息通知): the one place that writes and reads `Message`.

Every app that notifies (announcements' workflow listener, oversight's reminders) calls
`messages_send`; accounts is the lowest app, so each of them may.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from .models import Message, User

TITLE_MAX = Message._meta.get_field("title").max_length


def messages_send(*, users: Iterable[User | None], title: str, body: str = "", link: str = "") -> int:
    """Store one message per active recipient (duplicates and None skipped), e-mail address or
    not. Side effect: bulk-inserts Message rows. Returns how many were stored."""
    seen, rows = set(), []
    now = timezone.now()
    for user in users:
        if user is None or user.pk in seen or not user.is_active or user.is_deleted:
            continue
        seen.add(user.pk)
        rows.append(
            Message(recipient=user, title=str(title)[:TITLE_MAX], body=str(body), link=link, created_at=now)
        )
    Message.objects.bulk_create(rows)
    return len(rows)


def messages_for_user(*, user) -> QuerySet[Message]:
    """The user's inbox, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Message.objects.none()
    return Message.objects.filter(recipient=user)


def unread_count(user) -> int:
    """The console header's 消息 badge: one query."""
    return messages_for_user(user=user).filter(read_at__isnull=True).count()


def message_mark_read(*, user, pk: int) -> Message:
    """Mark one of the user's messages read (idempotent). Raises Message.DoesNotExist for a
    message of someone else, so the view answers 404."""
    message = messages_for_user(user=user).get(pk=pk)
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
    return message


def messages_mark_all_read(*, user) -> int:
    """Mark every unread message of the user read; returns how many changed."""
    return messages_for_user(user=user).filter(read_at__isnull=True).update(read_at=timezone.now())


def messages_purge(*, now: datetime | None = None, days: int | None = None) -> int:
    """Delete messages older than MESSAGE_RETENTION_DAYS (read or not); returns how many."""
    now = now or timezone.now()
    days = settings.MESSAGE_RETENTION_DAYS if days is None else days
    deleted, _detail = Message.objects.filter(created_at__lt=now - timedelta(days=days)).delete()
    return deleted
