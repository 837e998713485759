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
