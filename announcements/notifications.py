"""E-mails about the workflow: a listener of announcements.signals.notice_transitioned (connected
in AnnouncementsConfig.ready), so it runs only after the transition has committed.

- a notice reaches 采购人初审 → the purchaser reviewers of its institution (not the submitter);
- a notice reaches 财政审核 → the finance reviewers of its district;
- returned, published or revoked → the submitter.
The listener only enqueues `send_transition_mail` (Django's task queue, settings.TASKS); a
worker sends, and retries what the mail server refused. `recipients_for` is the one rule of who
hears about a transition (in-app messages reuse it).
Each mail is rendered in the recipient's language (everyone uses settings.LANGUAGE_CODE
until users get a language preference), outside any request.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.mail import mail_delivery_record, mail_recipients_reached
from accounts.models import User

from .enums import Action, State
from .models import FlowLogEntry
from .selectors import current_reviewers

logger = logging.getLogger(__name__)

MAIL_ATTEMPTS = 5


class MailNotDelivered(Exception):
    """The mail server refused a workflow mail on every attempt."""


def recipient_language(user) -> str:
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def recipients_for(*, announcement, entry) -> tuple[str, list]:
    """(template name, users) for the mail this log entry calls for; no users when none."""
    action = entry.action
    submitter = announcement.submitted_by
    if entry.to_state in (State.PURCHASER_REVIEW, State.FINANCE_REVIEW) and action != Action.FINANCE_APPROVE:
        users = [u for u in current_reviewers(announcement) if u.pk != entry.actor_id]
        return "to_review", users
    if action in (Action.PURCHASER_RETURN, Action.FINANCE_RETURN):
        return "returned", [submitter] if submitter else []
    if entry.to_state == State.PUBLISHED:
        return "published", [submitter] if submitter else []
    if entry.to_state == State.REVOKED:
        return "revoked", [submitter] if submitter else []
    return "", []


def transition_mail_messages(*, announcement, entry, template: str, users) -> list[tuple[int, EmailMessage]]:
    """(user id, message) for each recipient, each in the recipient's language."""
    link = settings.SITE_URL + reverse("announcements:detail", args=[announcement.public_id])
    messages = []
    for user in users:
        with translation.override(recipient_language(user)):
            context = {"announcement": announcement, "entry": entry, "recipient": user, "link": link}
            subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
            body = render_to_string(f"emails/{template}_body.txt", context)
        messages.append(
            (
                user.pk,
                EmailMessage(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email]),
            )
        )
    return messages


def mail_retry_delay(attempt: int) -> timedelta:
    """1, 2, 4, 8 … minutes by default (settings.MAIL_RETRY_SECONDS is the first delay)."""
    return timedelta(seconds=getattr(settings, "MAIL_RETRY_SECONDS", 60) * 2 ** (attempt - 1))


@task
def send_transition_mail(*, entry_id: int, template: str, user_ids: list[int], attempt: int = 1) -> int:
    """Send the mails of one flow-log entry to the given users; returns how many left.

    A recipient whose mail the server refused (or an unreachable server) is retried by a new
    task after `mail_retry_delay`, up to MAIL_ATTEMPTS attempts. Each accepted mail is recorded
    at once (accounts.mail), so recipients already served are never mailed again, not even by a
    run of a killed worker's task (except the one mail in flight when it died: at least once).
    The last failed attempt raises, so the admin lists the task as failed. The transition itself
    committed long before: no mail outcome changes it."""
    entry = (
        FlowLogEntry.objects.select_related(
            "announcement__institution", "announcement__submitted_by", "actor"
        )
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        return 0
    key = f"flow-log:{entry_id}"
    users = list(User.objects.filter(pk__in=user_ids, is_active=True).exclude(email="").order_by("pk"))
    reached = mail_recipients_reached(key=key, recipients=[u.email for u in users])
    messages = transition_mail_messages(
        announcement=entry.announcement,
        entry=entry,
        template=template,
        users=[u for u in users if u.email not in reached],
    )
    sent, failed, error = 0, [], None
    backend = mailers.default
    try:
        backend.open()
    except Exception as exc:  # noqa: BLE001 - an unreachable server: every recipient waits
        failed, error = [pk for pk, _ in messages], exc
    else:
        try:
            for pk, message in messages:
                try:
                    accepted = backend.send_messages([message]) or 0
                except Exception as exc:  # noqa: BLE001 - this recipient is retried
                    failed.append(pk)
                    error = exc
                    continue
                if accepted:
                    # At once, not at the end: a run killed after this point skips them.
                    mail_delivery_record(key=key, recipient=message.to[0])
                sent += accepted
        finally:
            try:
                backend.close()
            except Exception:  # noqa: BLE001
                pass
    if failed:
        if attempt >= MAIL_ATTEMPTS:
            logger.error("Workflow mail for entry %s gave up after %s attempts: %s", entry_id, attempt, error)
            raise MailNotDelivered(
                f"{len(failed)} recipient(s) not reached after {attempt} attempts: {error}"
            )
        logger.warning(
            "Workflow mail for entry %s: %s recipient(s) failed (%s); retry %s",
            entry_id,
            len(failed),
            error,
            attempt + 1,
        )
        retry = send_transition_mail
        if retry.get_backend().supports_defer:
            retry = retry.using(run_after=timezone.now() + mail_retry_delay(attempt))
        retry.enqueue(entry_id=entry_id, template=template, user_ids=failed, attempt=attempt + 1)
    return sent


def notify(*, announcement, entry) -> bool:
    """Queue the mails for one flow-log entry (the request never talks to the mail server);
    True when a task was enqueued."""
    template, users = recipients_for(announcement=announcement, entry=entry)
    user_ids = [u.pk for u in users if u is not None and u.email and u.is_active]
    if not template or not user_ids:
        return False
    send_transition_mail.enqueue(entry_id=entry.pk, template=template, user_ids=user_ids)
    return True


def on_notice_transitioned(sender, *, announcement, entry, **kwargs) -> None:
    notify(announcement=announcement, entry=entry)
