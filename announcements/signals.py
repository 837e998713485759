"""What the workflow announces. Listeners connect in their AppConfig.ready(); the workflow does
not know them (pretalx's submission_state_change).

notice_transitioned(sender=Announcement, announcement, action, actor, from_state, to_state, entry)
is sent once per transition, after the transaction that made it has committed. A listener that
raises is logged and skipped: the transition stands.
"""

import logging

from django.dispatch import Signal

logger = logging.getLogger(__name__)

notice_transitioned = Signal()


def announce_transition(*, announcement, entry) -> None:
    """Send notice_transitioned for one flow-log entry to every listener, robustly."""
    results = notice_transitioned.send_robust(
        sender=type(announcement),
        announcement=announcement,
        action=entry.action,
        actor=entry.actor,
        from_state=entry.from_state,
        to_state=entry.to_state,
        entry=entry,
    )
    for receiver, result in results:
        if isinstance(result, Exception):
            logger.error(
                "Listener %r failed after %s of notice %s",
                receiver,
                entry.action,
                announcement.public_id,
                exc_info=(type(result), result, result.__traceback__),
            )
