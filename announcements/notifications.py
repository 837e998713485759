"""E-mails about the workflow: a listener of announcements.signals.notice_transitioned (connected
in AnnouncementsConfig.ready), so it runs only after the transition has committed.

- a notice reaches 采购人初审 → the purchaser reviewers of its institution (not the submitter);
- a notice reaches 财政审核 → the finance reviewers of its district;
- returned, published or revoked → the submitter.
Each mail is rendered in the recipient's language (everyone uses settings.LANGUAGE_CODE
until users get a language preference), outside any request.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .enums import Action, State
from .selectors import current_reviewers

logger = logging.getLogger(__name__)


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


def notify(*, announcement, entry) -> int:
    """Send the mails for one flow-log entry; returns how many were sent. Never raises:
    the transition has committed, and a mail server outage must not turn it into an error page."""
    template, users = recipients_for(announcement=announcement, entry=entry)
    users = [u for u in users if u is not None and u.email and u.is_active]
    if not template or not users:
        return 0
    link = settings.SITE_URL + reverse("announcements:detail", args=[announcement.public_id])
    messages = []
    for user in users:
        with translation.override(recipient_language(user)):
            context = {"announcement": announcement, "entry": entry, "recipient": user, "link": link}
            subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
            body = render_to_string(f"emails/{template}_body.txt", context)
        messages.append(
            EmailMessage(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [user.email])
        )
    try:
        return mailers.default.send_messages(messages) or 0
    except Exception:  # noqa: BLE001 - see docstring
        logger.exception("Workflow mail for %s failed", announcement.public_id)
        return 0


def on_notice_transitioned(sender, *, announcement, entry, **kwargs) -> None:
    notify(announcement=announcement, entry=entry)
