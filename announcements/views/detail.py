from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from reservations.preview import report_review

from .. import links, workflow
from ..department import departments_including, unit_notices_compiled
from ..diff import changes_since_last_submission
from ..enums import Kind, State
from ..models import FlowLogEntry
from ..rendering import notice_html
from ..selectors import announcement_for_user, announcements_for_user, current_reviewers

RECENT_LOG = 5
# 通过 takes an optional 审核意见, kept in the flow log; 退回 and 撤回发布 require their reason.
COMMENT_ACTIONS = (workflow.Action.PURCHASER_APPROVE, workflow.Action.FINANCE_APPROVE)


def _labelled(entries):
    entries = list(entries)
    for entry in entries:
        entry.label = workflow.LOG_LABELS.get(entry.action, entry.action)
    return entries


def _steps(announcement, log):
    """开始 → 采购人初审 → 财政审核 → 结束, with the time each was done in the current round."""
    since_submit = []
    for entry in log:
        since_submit = [entry] if entry.action == workflow.Action.SUBMIT else since_submit + [entry]
    done_at = {e.action: e.created_at for e in since_submit}
    state = announcement.state
    order = [State.DRAFT, State.PURCHASER_REVIEW, State.FINANCE_REVIEW, State.PUBLISHED]
    position = order.index(State.PUBLISHED if state == State.REVOKED else state)
    times = [
        announcement.submitted_at if position > 0 else None,
        done_at.get(workflow.Action.PURCHASER_APPROVE),
        announcement.approved_at if position > 2 or announcement.approved_at else None,
        announcement.published_at,
    ]
    names = ("start", "purchaser", "finance", "end")
    return [
        {
            "key": name,
            "time": times[i],
            "done": i < position or (i == 3 and position == 3),
            "current": i == position != 3,
        }
        for i, name in enumerate(names)
    ]


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
    in_review = announcement.state in (State.PURCHASER_REVIEW, State.FINANCE_REVIEW)
    context = {
        "announcement": announcement,
        "steps": _steps(announcement, log),
        "reviewers": current_reviewers(announcement),
        "recent_log": list(reversed(log))[:RECENT_LOG],
        "log_count": len(log),
        "actions": workflow.available_actions(announcement, request.user),
        "notice_html": notice_html(announcement),
        "attachments": [(a, links.attachment_url(announcement, a)) for a in announcement.attachments.all()],
        "diff": changes_since_last_submission(announcement) if in_review else None,
        # Reviewers decide with the rows, budgets, warnings and 说明 in view (before the buttons).
        "review": report_review(report=announcement.report) if announcement.report_id else None,
        "in_review": in_review,
        "comment_actions": [a.value for a in COMMENT_ACTIONS],
        "public_url": links.public_url(announcement),
        "edit_url": links.edit_url(announcement, request.user) if request.user.is_authenticated else None,
        "created_by": announcement.created_by,
        "refile_url": links.refile_url(announcement, request.user) if request.user.is_authenticated else None,
        **_department_links(announcement, request.user),
    }
    return render(request, "announcements/detail.html", context)


@login_required
def flow_log(request, public_id):
    """查看全部: the whole 流转日志, oldest first."""
    announcement = announcement_for_user(user=request.user, public_id=public_id)
    log = _labelled(FlowLogEntry.objects.filter(announcement=announcement).select_related("actor"))
    return render(request, "announcements/flow_log.html", {"announcement": announcement, "log": log})
