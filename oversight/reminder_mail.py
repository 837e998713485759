"""The e-mail of a filing reminder, sent by a task: no request talks to the mail server.

`services.reminders_send` stores the Reminder, its recipients and their in-app messages and
enqueues `reminder_mail_send` in one transaction (with the database queue the task exists
exactly when the reminder does). The task sends the unit's one e-mail to its handlers with an
address, records each accepted address at once (accounts.mail: a run again, e.g. of a killed
worker's task, does not mail them twice) and retries a refused mail like the workflow mail."""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.mail import mail_delivery_record, mail_recipients_reached
from announcements.notifications import MAIL_ATTEMPTS, MailNotDelivered, mail_retry_delay

from . import rules
from .enums import ReminderKind
from .models import Reminder

log = logging.getLogger(__name__)


def reminder_subject(campaign, institution_name, kind) -> str:
    if kind == ReminderKind.AFTER:
        subject = _("Overdue: the %(year)s SME reserved-project notice of %(unit)s")
    else:
        subject = _("Reminder: file the %(year)s SME reserved-project notice of %(unit)s")
    return subject % {"year": campaign.year, "unit": institution_name}


def reminder_email(campaign, institution_name, addresses, kind) -> EmailMessage:
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "campaign": campaign,
            "institution_name": institution_name,
            "overdue": kind == ReminderKind.AFTER,
            "deadline": timezone.localtime(campaign.deadline, rules.SHANGHAI),
            "site_url": settings.SITE_URL,
        }
        subject = reminder_subject(campaign, institution_name, kind)
        body = render_to_string("oversight/emails/reminder.txt", context)
    return EmailMessage(subject=subject, body=body, to=list(addresses))


@task
def reminder_mail_send(*, reminder_id: int, attempt: int = 1) -> int:
    """Mail one reminder to its recipients with an address not reached yet; returns how many
    addresses the mail server accepted. A refusal is retried by a new task after
    `mail_retry_delay`, up to MAIL_ATTEMPTS attempts; the last raises (a failed task in the
    admin). The reminder and its in-app messages stand whatever the mail does."""
    reminder = Reminder.objects.select_related("campaign", "institution").filter(pk=reminder_id).first()
    if reminder is None:
        return 0
    key = f"reminder:{reminder_id}"
    addresses = [u.email for u in reminder.recipients.filter(is_active=True).exclude(email="").order_by("pk")]
    reached = mail_recipients_reached(key=key, recipients=addresses)
    addresses = [a for a in addresses if a not in reached]
    if not addresses:
        return 0
    message = reminder_email(reminder.campaign, reminder.institution.name, addresses, reminder.kind)
    try:
        accepted = message.send(fail_silently=False)
    except Exception as exc:  # noqa: BLE001 - a refusing or unreachable server: retry later
        if attempt >= MAIL_ATTEMPTS:
            log.error("Reminder mail %s gave up after %s attempts: %s", reminder_id, attempt, exc)
            raise MailNotDelivered(
                f"reminder {reminder_id} not delivered after {attempt} attempts: {exc}"
            ) from exc
        log.warning("Reminder mail %s refused (%s); retry %s", reminder_id, exc, attempt + 1)
        retry = reminder_mail_send
        if retry.get_backend().supports_defer:
            retry = retry.using(run_after=timezone.now() + mail_retry_delay(attempt))
        retry.enqueue(reminder_id=reminder_id, attempt=attempt + 1)
        return 0
    if accepted:
        for address in addresses:
            mail_delivery_record(key=key, recipient=address)
    return len(addresses) if accepted else 0
