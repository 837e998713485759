from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import workflow
from ..enums import State
from ..links import detail_url
from ..selectors import announcement_for_user, announcements_for_user


def _done_message(entry, announcement) -> str:
    """What happened, in a sentence ("已提交，等待采购人初审。"), not the button's word."""
    following = (entry.snapshot or {}).get("next_step")
    if entry.action == "submit":
        return _("Submitted: the notice now awaits %(step)s.") % {"step": following}
    if workflow.is_approval(entry.action):
        if following:
            return _("Approved %(done)s: the notice now awaits %(step)s.") % {
                "done": entry.snapshot.get("step", ""),
                "step": following,
            }
        if announcement.state == State.PUBLISHED:
            return _("Approved and published: the notice is on the public site.")
        if announcement.approved_at:
            return _("Approved: the notice will be published at its scheduled time.")
        return _("Approved: this step is a 会签 and still waits for its other members.")
    if workflow.is_return(entry.action):
        return _("Returned: the handler has been told your reason.")
    done = {
        "withdraw": _("Withdrawn: the notice is a draft again and can be edited."),
        "revoke": _("Publication revoked: the notice is off the public site and shows your reason."),
    }
    return done.get(entry.action, workflow.log_label(entry))


@require_POST
def take_action(request, public_id, action):
    """POST-only: one workflow action through `workflow.apply_action`, then back with a message.

    The form carries the version the user saw; a click on a page that someone else has since
    moved on is a conflict ("已被他人处理"), so a double POST writes one log row.
    """
    announcement = announcement_for_user(user=request.user, public_id=public_id)
    seen = request.POST.get("version", "")
    try:
        if seen.isdigit() and int(seen) != announcement.version:
            raise workflow.ActionConflict()
        entry = workflow.apply_action(
            announcement=announcement,
            action=action,
            actor=request.user,
            comment=request.POST.get("comment", ""),
        )
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
        reason_needed = action in workflow.TRANSITIONS and workflow.TRANSITIONS[action].reason_required
        anchor = (
            f"#action-{action}" if reason_needed and not isinstance(error, workflow.ActionConflict) else ""
        )
        return redirect(detail_url(announcement) + anchor)
    messages.success(request, _done_message(entry, announcement))
    # After a return, finance no longer sees the draft: back to the list then.
    if announcements_for_user(user=request.user).filter(pk=announcement.pk).exists():
        return redirect("announcements:detail", public_id=announcement.public_id)
    return redirect("announcements:list")
