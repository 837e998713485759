"""Warnings (预警) about notices, a provider of accounts.alerts (registered in
AnnouncementsConfig.ready). At most three queries per user, whatever the number of notices:

- a notice returned to its handler (a draft with a return reason, in the handler's 我的待办);
- a notice waiting at a step this reviewer may approve for longer than WARNING_REVIEW_WAIT_DAYS;
- for a unit's 机构管理员: a step of its review flow that no active staff member can act on (also a
  banner on 员工管理 per step, naming what to do: staff_list_banners);
- for 财政审核岗: an approved notice whose scheduled publication is due within
  WARNING_SCHEDULE_HOURS.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.alerts import Alert, Banner
from accounts.enums import InstitutionKind, Perm
from accounts.rules import user_holds

from .enums import State, StepActor
from .selectors import announcements_for_user, review_queue
from .workflow import REVIEW_STATES
from .workflow_flows import step_people_label, unheld_flow_steps

LIMIT = 20


def _link(announcement) -> str:
    return reverse("announcements:detail", args=[announcement.public_id])


def _unheld(user) -> list:
    """For a unit's 机构管理员, the steps of its flow nobody active can act on: its notices cannot be
    submitted until the admin acts (remembered on the user: the 预警 count and the banner ask)."""
    if not hasattr(user, "_unheld_flow_steps"):
        institution = getattr(user, "institution", None)
        admin = user_holds(user, Perm.MANAGE_STAFF) and institution is not None
        user._unheld_flow_steps = (
            unheld_flow_steps(institution=institution)
            if admin and institution.kind == InstitutionKind.BUDGET_UNIT
            else []
        )
    return user._unheld_flow_steps


def staff_list_banners(user) -> list[Banner]:
    """员工管理: one banner per review step nobody holds, saying what to do, linking to 流程管理."""
    banners = []
    for step in _unheld(user):
        if step.actor == StepActor.POSITION:
            text = _(
                "Nobody active holds %(position)s, so the step %(step)s of your review flow has no one "
                "to act on it and notices cannot be submitted. Give a staff member the position "
                "(More › Set positions in the list below), or change the step on 流程管理."
            ) % {"position": step_people_label(step), "step": step.name}
        else:
            text = _(
                "The people named for the step %(step)s of your review flow are all disabled or "
                "deleted, so notices cannot be submitted. Enable one of them, or change the step's "
                "people on 流程管理."
            ) % {"step": step.name}
        banners.append(Banner(text, reverse("announcements:flows"), _("Go to flow management"), "danger"))
    return banners


def notice_alerts(user) -> list[Alert]:
    now = timezone.now()
    alerts = []
    unheld = [step.name for step in _unheld(user)]
    if unheld:
        alerts.append(
            Alert(
                "flow_unheld",
                _(
                    "No active staff member can act on these steps of your review flow, so notices "
                    "cannot be submitted: %(steps)s. Give someone the position, or change the flow on "
                    "流程管理."
                )
                % {"steps": "、".join(unheld)},
                reverse("accounts:staff_list"),
                now,
                "danger",
            )
        )
    queue = review_queue(user=user)
    if not queue.query.is_empty():
        for notice in queue.filter(state=State.DRAFT).exclude(return_reason="")[:LIMIT]:
            alerts.append(
                Alert(
                    "returned",
                    _("Returned to you: %(title)s") % {"title": notice.title},
                    _link(notice),
                    notice.updated_at,
                    "danger",
                )
            )
        days = settings.WARNING_REVIEW_WAIT_DAYS
        waiting = (
            queue.filter(state__in=REVIEW_STATES)
            # Since the notice reached its step; for data older than flows, its last log row.
            .annotate(entered_at=Coalesce("step_entered_at", Max("flow_log__created_at")))
            .filter(entered_at__lt=now - timedelta(days=days))
            .order_by("entered_at")[:LIMIT]
        )
        for notice in waiting:
            alerts.append(
                Alert(
                    "review_wait",
                    _("Waiting for your review for more than %(days)s days: %(title)s")
                    % {"days": days, "title": notice.title},
                    _link(notice),
                    notice.entered_at,
                )
            )
    if user_holds(user, Perm.FINANCE_REVIEW):
        due = announcements_for_user(user=user).filter(
            state=State.FINANCE_REVIEW,
            approved_at__isnull=False,
            scheduled_at__gt=now,
            scheduled_at__lte=now + timedelta(hours=settings.WARNING_SCHEDULE_HOURS),
        )
        for notice in due.order_by("scheduled_at")[:LIMIT]:
            local = timezone.localtime(notice.scheduled_at)
            alerts.append(
                Alert(
                    "scheduled",
                    _("Scheduled publication at %(time)s: %(title)s")
                    % {"time": f"{local:%Y-%m-%d %H:%M}", "title": notice.title},
                    _link(notice),
                    notice.scheduled_at,
                )
            )
    return alerts
