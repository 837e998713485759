"""In-app messages (消息通知) about the workflow: a listener of notice_transitioned beside the
mail listener (connected in AnnouncementsConfig.ready). It reuses the mail's recipients
(`notifications.recipients_for`), but a message is stored for every recipient, with or without
an e-mail address; the text is rendered in each recipient's language.
"""

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.inbox import messages_send

from .notifications import recipient_language, recipients_for


def _texts(template: str, announcement, entry) -> tuple[str, str]:
    actor = entry.actor.get_full_name() if entry.actor else _("the system")
    title = announcement.title
    reason = entry.reason or "-"
    if template == "to_review":
        return _("To review: %(title)s") % {"title": title}, _(
            "%(actor)s passed this notice on; it waits for your review."
        ) % {"actor": actor}
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


def messages_for_transition(*, announcement, entry) -> int:
    """Store the messages for one flow-log entry; returns how many were stored."""
    template, users = recipients_for(announcement=announcement, entry=entry)
    if not template:
        return 0
    link = reverse("announcements:detail", args=[announcement.public_id])
    stored = 0
    for user in users:
        if user is None:
            continue
        with translation.override(recipient_language(user)):
            title, body = _texts(template, announcement, entry)
        stored += messages_send(users=[user], title=title, body=body, link=link)
    return stored


def on_notice_transitioned(sender, *, announcement, entry, **kwargs) -> None:
    messages_for_transition(announcement=announcement, entry=entry)
