"""The messages of a filing reminder: the in-app message and the e-mail to each handler.

`services.reminders_send` stores the Reminder and its recipients and calls
`reminder_messages_queue` in the same transaction: the in-app messages are stored with it and
the mails wait in the outbox (`accounts.outbox`), sent and retried by its one send task after
the commit. No request talks to the mail server."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.outbox import message_queue

from . import rules
from .enums import ReminderKind


def reminder_subject(campaign, institution_name, kind) -> str:
    if kind == ReminderKind.AFTER:
        subject = _("Overdue: the %(year)s SME reserved-project notice of %(unit)s")
    else:
        subject = _("Reminder: file the %(year)s SME reserved-project notice of %(unit)s")
    return subject % {"year": campaign.year, "unit": institution_name}


def reminder_messages_queue(*, reminder, institution_name: str, recipients) -> int:
    """Notify each recipient of one reminder: an in-app message with the deadline, and the
    reminder mail when they have an address. Returns how many in-app messages were stored. Side
    effects: Message and OutboxMessage rows; one send task per mail, enqueued on commit."""
    campaign, kind = reminder.campaign, reminder.kind
    deadline = timezone.localtime(campaign.deadline, rules.SHANGHAI)
    with translation.override(settings.LANGUAGE_CODE):
        title = reminder_subject(campaign, institution_name, kind)
        body = _("The deadline is %(deadline)s.") % {"deadline": f"{deadline:%Y-%m-%d %H:%M}"}
        mail_body = render_to_string(
            "oversight/emails/reminder.txt",
            {
                "campaign": campaign,
                "institution_name": institution_name,
                "overdue": kind == ReminderKind.AFTER,
                "deadline": deadline,
                "site_url": settings.SITE_URL,
            },
        )
    link = reverse("announcements:list")
    return sum(
        message_queue(
            user=user,
            title=title,
            body=body,
            link=link,
            mail_subject=title,
            mail_body=mail_body,
            topic=f"reminder:{reminder.pk}",
        )
        for user in recipients
    )
