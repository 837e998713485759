from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from .. import workflow
from ..links import detail_url
from ..selectors import announcements_for_user


@require_POST
def take_action(request, public_id, action):
    """POST-only: one workflow action through `workflow.apply_action`, then back with a message.

    The form carries the version the user saw; a click on a page that someone else has since
    moved on is a conflict ("已被他人处理"), so a double POST writes one log row.
    """
    visible = announcements_for_user(user=request.user)
    announcement = get_object_or_404(visible, public_id=public_id)
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
    messages.success(request, workflow.LOG_LABELS[entry.action])
    # After a return, finance no longer sees the draft: back to the list then.
    if visible.filter(pk=announcement.pk).exists():
        return redirect("announcements:detail", public_id=announcement.public_id)
    return redirect("announcements:list")
