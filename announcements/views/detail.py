from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from reservations.preview import report_review

from .. import links, workflow
from ..department import departments_including, unit_notices_compiled
from ..diff import changes_since_last_submission
from ..enums import Kind
from ..models import FlowLogEntry
from ..plausibility import published_links_elsewhere
from ..rendering import notice_html
from ..selectors import announcement_for_user, announcements_for_user, refiled_revocation, revocation

RECENT_LOG = 5
# 通过 takes an optional 审核意见, kept in the flow log; 退回 and 撤回发布 require their reason.
COMMENT_ACTIONS = [a for a in workflow.TRANSITIONS if workflow.is_approval(a)]


def _labelled(entries):
    entries = list(entries)
    for entry in entries:
        entry.label = workflow.log_label(entry)
    return entries


def _department_links(announcement, user) -> dict:
    """部门汇总, both ways: a department notice links to its units page and to each unit's own
    notice; a unit's notice to the department notices that include it. Each link opens the
    console page where this user may see that notice, else its public page while published."""
    if announcement.kind == Kind.DEPARTMENT:
        units = unit_notices_compiled(report=announcement.report) if announcement.report_id else []
        notices = [notice for _unit, notice in units if notice is not None]
    elif announcement.report_id:
        notices = departments_including(report=announcement.report)
        units = []
    else:
        return {}
    visible = set(
        announcements_for_user(user=user).filter(pk__in=[n.pk for n in notices]).values_list("pk", flat=True)
    )

    def url(notice):
        return links.detail_url(notice) if notice.pk in visible else links.public_url(notice)

    if announcement.kind == Kind.DEPARTMENT:
        return {
            "department_url": reverse("announcements:department", args=[announcement.public_id]),
            "unit_notices": [
                {"unit": unit, "notice": notice, "url": url(notice) if notice else None}
                for unit, notice in units
            ],
        }
    return {"included_in": [{"notice": notice, "url": url(notice)} for notice in notices]}


def console_notice_detail(request, public_id):
    """公告详情: steps, 公告信息, 流转日志, the rendered notice, attachments and the user's actions."""
    announcement = announcement_for_user(user=request.user, public_id=public_id)
    log = _labelled(FlowLogEntry.objects.filter(announcement=announcement).select_related("actor"))
    in_review = announcement.state in workflow.REVIEW_STATES
    context = {
        "announcement": announcement,
        "steps": workflow.path_for_display(announcement, log),
        "reviewers": workflow.current_reviewers_line(announcement),
        "ahead": workflow.steps_ahead(announcement),
        "recent_log": list(reversed(log))[:RECENT_LOG],
        "log_count": len(log),
        "actions": workflow.available_actions(announcement, request.user),
        "notice_html": notice_html(announcement),
        "attachments": [(a, links.attachment_url(announcement, a)) for a in announcement.attachments.all()],
        "diff": changes_since_last_submission(announcement) if in_review else None,
        # Reviewers decide with the rows, budgets, warnings and 说明 in view (before the buttons).
        "review": report_review(
            report=announcement.report,
            published_links=published_links_elsewhere(report=announcement.report),
        )
        if announcement.report_id
        else None,
        "in_review": in_review,
        "comment_actions": COMMENT_ACTIONS,
        "public_url": links.public_url(announcement),
        "edit_url": links.edit_url(announcement, request.user) if request.user.is_authenticated else None,
        "created_by": announcement.created_by,
        "refile_url": links.refile_url(announcement, request.user) if request.user.is_authenticated else None,
        "revocation": revocation(user=request.user, announcement=announcement),
        "refiled_from": refiled_revocation(user=request.user, announcement=announcement),
        **_department_links(announcement, request.user),
    }
    return render(request, "announcements/detail.html", context)


@login_required
def flow_log(request, public_id):
    """查看全部: the whole 流转日志, oldest first."""
    announcement = announcement_for_user(user=request.user, public_id=public_id)
    log = _labelled(FlowLogEntry.objects.filter(announcement=announcement).select_related("actor"))
    return render(request, "announcements/flow_log.html", {"announcement": announcement, "log": log})
