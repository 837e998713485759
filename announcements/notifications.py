"""Notifications about the workflow, by e-mail and in the app: a listener of
announcements.signals.notice_transitioned (connected in AnnouncementsConfig.ready), so it runs only
after the transition has committed.

- a notice reaches a step of its flow → the people of that step (not the submitter);
- returned, published or revoked → the submitter.
`recipients_for` is the one rule of who hears about a transition. Each recipient gets an in-app
message (e-mail address or not) and, with an address, a mail, both through the outbox
(`accounts.outbox.message_queue`): the request never talks to the mail server; a worker sends and
retries. Texts are rendered in the recipient's language (everyone uses settings.LANGUAGE_CODE
until users get a language preference).
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.outbox import message_queue

from .enums import State
from .selectors import current_reviewers


def recipient_language(user) -> str:
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def recipients_for(*, announcement, entry) -> tuple[str, list]:
    """(template name, users) for the notification this log entry calls for; no users when none."""
    submitter = announcement.submitted_by
    # The workflow names the step a notice entered in its log row (a 会签 approval that is not
    # the last enters none: nobody new waits).
    if (entry.snapshot or {}).get("next_step"):
        users = [u for u in current_reviewers(announcement) if u.pk != entry.actor_id]
        return "to_review", users
    if (entry.snapshot or {}).get("returned"):
        return "returned", [submitter] if submitter else []
    if entry.to_state == State.PUBLISHED:
        return "published", [submitter] if submitter else []
    if entry.to_state == State.REVOKED:
        return "revoked", [submitter] if submitter else []
    return "", []


def to_review_text(entry, actor: str) -> str:
    """What happened before the notice reached the recipient's step: submitted by the handler,
    or approved at a step (named, so that a finance reviewer reads who passed it on and as what)."""
    snapshot = entry.snapshot or {}
    names = {"actor": actor, "step": snapshot.get("step", ""), "next": snapshot.get("next_step", "")}
    if snapshot.get("step"):
        return _("%(actor)s (%(step)s) approved the notice; it waits at %(next)s for your review.") % names
    return _("%(actor)s submitted the notice; it waits at %(next)s for your review.") % names


def in_app_texts(template: str, announcement, entry) -> tuple[str, str]:
    """(title, text) of the in-app message, shorter than the mail; in the active language."""
    actor = entry.actor.get_full_name() if entry.actor else _("the system")
    title = announcement.title
    reason = entry.reason or "-"
    if template == "to_review":
        return _("To review: %(title)s") % {"title": title}, to_review_text(entry, actor)
    if template == "returned":
        return _("Returned: %(title)s") % {"title": title}, _("Returned by %(actor)s. Reason: %(reason)s") % {
            "actor": actor,
            "reason": reason,
        }
    if template == "published":
        return _("Published: %(title)s") % {"title": title}, _("Your notice is published.")
    return _("Publication revoked: %(title)s") % {"title": title}, _(
        "Revoked by %(actor)s. Reason: %(reason)s"
    ) % {"actor": actor, "reason": reason}


def notify(*, announcement, entry) -> int:
    """Queue the notification of one flow-log entry for each recipient: an in-app message and,
    with an address, a mail. Returns how many users were notified. Side effects: Message and
    OutboxMessage rows; one send task per mail, enqueued on commit."""
    template, users = recipients_for(announcement=announcement, entry=entry)
    if not template:
        return 0
    path = reverse("announcements:detail", args=[announcement.public_id])
    notified = 0
    for user in sorted((u for u in users if u is not None), key=lambda u: u.pk):
        with translation.override(recipient_language(user)):
            context = {
                "announcement": announcement,
                "entry": entry,
                "recipient": user,
                "link": settings.SITE_URL + path,
            }
            title, body = in_app_texts(template, announcement, entry)
            mail_subject = render_to_string(f"emails/{template}_subject.txt", context)
            mail_body = render_to_string(f"emails/{template}_body.txt", context)
        notified += message_queue(
            user=user,
            title=title,
            body=body,
            link=path,
            mail_subject=mail_subject,
            mail_body=mail_body,
            topic=f"flow-log:{entry.pk}",
        )
    return notified


def on_notice_transitioned(sender, *, announcement, entry, **kwargs) -> None:
    notify(announcement=announcement, entry=entry)
