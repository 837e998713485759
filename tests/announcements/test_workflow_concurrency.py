"""Real concurrency on PostgreSQL: two reviewers at once, two cron runs at once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.enums import Position
from announcements import workflow
from announcements.enums import PublishMode, State
from announcements.models import Announcement, FlowLogEntry
from tests import factories
from tests.concurrency import run_together

from .workflow_factories import notice

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking"),
]


def test_two_reviewers_approving_at_once_make_one_transition(world):
    announcement = notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    second = factories.user(institution=world.unit, positions=[Position.PURCHASER_REVIEWER])

    def approve(user):
        # Each reviewer loaded the page before either clicked.
        seen = Announcement.objects.select_related("institution", "district", "report").get(
            pk=announcement.pk
        )
        return lambda: workflow.apply_action(announcement=seen, action="purchaser_approve", actor=user)

    results = run_together(approve(world.reviewer), approve(second))

    announcement.refresh_from_db()
    assert announcement.state == State.FINANCE_REVIEW
    assert FlowLogEntry.objects.count() == 1
    assert sorted(type(r).__name__ for r in results) == ["ActionConflict", "FlowLogEntry"]


def test_approve_and_return_at_once_leave_one_outcome(world):
    announcement = notice(institution=world.unit, state=State.FINANCE_REVIEW, submitted_by=world.handler)
    second = factories.user(institution=world.putuo_finance, positions=[Position.FINANCE_REVIEWER])
    seen_a = Announcement.objects.select_related("institution", "district", "report").get(pk=announcement.pk)
    seen_b = Announcement.objects.select_related("institution", "district", "report").get(pk=announcement.pk)

    results = run_together(
        lambda: workflow.apply_action(announcement=seen_a, action="finance_approve", actor=world.finance),
        lambda: workflow.apply_action(
            announcement=seen_b, action="finance_return", actor=second, comment="退"
        ),
    )

    announcement.refresh_from_db()
    assert [isinstance(r, FlowLogEntry) for r in results].count(True) == 1
    assert FlowLogEntry.objects.count() == 1
    assert announcement.state == FlowLogEntry.objects.get().to_state


def test_two_cron_runs_at_once_publish_each_notice_once(world):
    due = timezone.now() - timedelta(minutes=1)
    notices = []
    for year, unit in ((2021, world.unit), (2022, world.unit), (2023, world.other_unit)):
        n = notice(
            institution=unit,
            year=year,
            state=State.FINANCE_REVIEW,
            submitted_by=world.handler,
            publish_mode=PublishMode.SCHEDULED,
            scheduled_at=timezone.now() + timedelta(hours=1),
        )
        workflow.apply_action(announcement=n, action="finance_approve", actor=world.finance)
        notices.append(n)
    Announcement.objects.update(scheduled_at=due)

    results = run_together(workflow.publish_due, workflow.publish_due)

    assert sum(len(r) for r in results) == 3
    assert Announcement.objects.filter(state=State.PUBLISHED).count() == 3
    assert FlowLogEntry.objects.filter(action="scheduled_publish").count() == 3


def _countersign_at_finance(world):
    """A notice waiting at a finance 会签 of world.finance and a second finance reviewer."""
    from announcements import workflow_flows as flows
    from announcements.enums import StepActor, StepMode

    second = factories.user(
        institution=world.putuo_finance, positions=[Position.FINANCE_REVIEWER], full_name="财政乙"
    )
    flows.flow_save(
        district=world.unit.district,
        steps=[
            flows.StepSpec(
                name="财政会签", actor=StepActor.NAMED, users=[world.finance, second], mode=StepMode.ALL
            )
        ],
        user=world.finance,
    )
    announcement = notice(institution=world.unit)
    workflow.apply_action(announcement=announcement, action="submit", actor=world.handler)
    announcement.refresh_from_db()
    workflow.apply_action(announcement=announcement, action="purchaser_approve", actor=world.reviewer)
    return announcement, second


def _seen(announcement):
    return Announcement.objects.select_related("institution", "district", "report").get(pk=announcement.pk)


def test_two_countersign_members_approving_at_once_both_count_and_publish_once(world):
    announcement, second = _countersign_at_finance(world)
    seen_a, seen_b = _seen(announcement), _seen(announcement)

    results = run_together(
        lambda: workflow.apply_action(announcement=seen_a, action="finance_approve", actor=world.finance),
        lambda: workflow.apply_action(announcement=seen_b, action="finance_approve", actor=second),
    )

    announcement.refresh_from_db()
    assert [type(r).__name__ for r in results] == ["FlowLogEntry", "FlowLogEntry"]
    assert announcement.state == State.PUBLISHED
    approvals = FlowLogEntry.objects.filter(announcement=announcement, action="finance_approve")
    assert sorted(e.actor.full_name for e in approvals) == ["财政乙", "财政甲"]
    # The step completed once: one of the two rows moved the notice on, the other only counted.
    assert sorted(e.to_state for e in approvals) == [State.FINANCE_REVIEW, State.PUBLISHED]


def test_countersign_return_racing_an_approval_leaves_one_outcome_and_tells_the_other(world):
    announcement, second = _countersign_at_finance(world)
    workflow.apply_action(announcement=_seen(announcement), action="finance_approve", actor=world.finance)
    seen_a, seen_b = _seen(announcement), _seen(announcement)

    results = run_together(
        lambda: workflow.apply_action(announcement=seen_a, action="finance_approve", actor=second),
        lambda: workflow.apply_action(
            announcement=seen_b, action="finance_return", actor=world.finance, comment="退"
        ),
    )

    announcement.refresh_from_db()
    outcomes = sorted(type(r).__name__ for r in results)
    assert outcomes == ["ActionConflict", "FlowLogEntry"]
    conflict = next(r for r in results if isinstance(r, workflow.ActionConflict))
    assert str(conflict.message) == "该公告已被他人处理，请刷新后查看。"
    assert announcement.state in (State.PUBLISHED, State.DRAFT)
    last = FlowLogEntry.objects.filter(announcement=announcement).order_by("-id").first()
    assert announcement.state == last.to_state
