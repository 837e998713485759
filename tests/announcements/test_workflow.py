"""The gateway: submit checks, reasons, separation of duties, frozen publication, scheduled
publication, conflicts and the append-only flow log."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Position
from announcements import workflow
from announcements.enums import PublishMode, State
from announcements.models import FlowLogEntry
from announcements.rendering import render_announcement
from announcements.selectors import current_reviewers
from public.cache import public_cache_version
from tests import factories

from .workflow_factories import add_row, notice


def act(announcement, action, user, comment=""):
    return workflow.apply_action(announcement=announcement, action=action, actor=user, comment=comment)


def test_submit_without_rows_is_refused_with_the_reason(world):
    announcement = notice(institution=world.unit, rows=0)
    with pytest.raises(workflow.ActionRefused) as refused:
        act(announcement, "submit", world.handler)
    announcement.refresh_from_db()
    assert announcement.state == State.DRAFT
    assert "reserved project" in str(refused.value.message) or "预留项目" in str(refused.value.message)
    assert FlowLogEntry.objects.count() == 0


def test_submit_records_submitter_and_snapshot_with_rows(world):
    announcement = notice(institution=world.unit, rows=2)
    entry = act(announcement, "submit", world.handler)
    announcement.refresh_from_db()
    assert (announcement.state, announcement.submitted_by, announcement.version) == (
        State.PURCHASER_REVIEW,
        world.handler,
        2,
    )
    assert entry.snapshot["institution"] == world.unit.name
    assert entry.snapshot["sme_total"] == "241.000000"
    assert [r["name"] for r in entry.snapshot["rows"]] == ["项目1", "项目2"]


def test_return_requires_a_reason_and_nothing_changes_without_one(world):
    announcement = notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    with pytest.raises(workflow.ActionRefused):
        act(announcement, "purchaser_return", world.reviewer, comment="   ")
    announcement.refresh_from_db()
    assert announcement.state == State.PURCHASER_REVIEW
    assert FlowLogEntry.objects.count() == 0


def test_return_keeps_the_reason_for_the_submitter_and_resubmit_clears_it(world):
    announcement = notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    act(announcement, "purchaser_return", world.reviewer, comment="金额有误")
    announcement.refresh_from_db()
    assert (announcement.state, announcement.return_reason) == (State.DRAFT, "金额有误")
    act(announcement, "submit", world.handler)
    announcement.refresh_from_db()
    assert announcement.return_reason == ""
    assert list(FlowLogEntry.objects.values_list("reason", flat=True)) == ["金额有误", ""]


def test_submitter_holding_the_reviewer_position_cannot_approve_own_notice(world):
    both = factories.user(institution=world.unit, positions=[Position.HANDLER, Position.PURCHASER_REVIEWER])
    announcement = notice(institution=world.unit)
    act(announcement, "submit", both)
    announcement.refresh_from_db()
    assert [t.action for t in workflow.available_actions(announcement, both)] == [
        "withdraw",
        "purchaser_return",
    ]
    with pytest.raises(workflow.ActionRefused):
        act(announcement, "purchaser_approve", both)
    assert current_reviewers(announcement) == [world.reviewer]


def test_superuser_without_a_position_has_no_action(world):
    root = factories.user(institution=world.unit, is_superuser=True, is_staff=True)
    announcement = notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    assert workflow.available_actions(announcement, root) == []
    with pytest.raises(workflow.ActionRefused):
        act(announcement, "purchaser_approve", root)


def test_withdraw_returns_to_draft_only_before_review(world):
    announcement = notice(institution=world.unit)
    act(announcement, "submit", world.handler)
    announcement.refresh_from_db()
    act(announcement, "withdraw", world.handler)
    announcement.refresh_from_db()
    assert announcement.state == State.DRAFT
    act(announcement, "submit", world.handler)
    announcement.refresh_from_db()
    act(announcement, "purchaser_approve", world.reviewer)
    announcement.refresh_from_db()
    with pytest.raises(workflow.ActionRefused):
        act(announcement, "withdraw", world.handler)
    assert announcement.state == State.FINANCE_REVIEW


def test_finance_approval_publishes_the_text_the_reviewer_saw_frozen(
    world, django_capture_on_commit_callbacks
):
    announcement = notice(institution=world.unit, state=State.FINANCE_REVIEW, submitted_by=world.handler)
    seen = str(render_announcement(announcement))
    version = public_cache_version()
    with django_capture_on_commit_callbacks(execute=True):
        act(announcement, "finance_approve", world.finance)
    announcement.refresh_from_db()
    assert announcement.state == State.PUBLISHED
    assert announcement.published_at is not None
    assert announcement.published_html == seen
    # Whatever happens to the rows later, the publication stays as approved.
    add_row(announcement.report, name="后来的项目", sme_amount=Decimal("9"), small_micro_amount=Decimal("1"))
    announcement.refresh_from_db()
    assert announcement.published_html == seen
    assert public_cache_version() == version + 1


def test_stale_object_gets_a_conflict_and_writes_nothing(world):
    announcement = notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    other_reviewer = factories.user(institution=world.unit, positions=[Position.PURCHASER_REVIEWER])
    stale = type(announcement).objects.get(pk=announcement.pk)
    act(announcement, "purchaser_approve", world.reviewer)
    with pytest.raises(workflow.ActionConflict) as conflict:
        act(stale, "purchaser_return", other_reviewer, comment="晚了")
    assert "已被他人处理" in str(conflict.value.message)
    stale.refresh_from_db()
    assert stale.state == State.FINANCE_REVIEW
    assert FlowLogEntry.objects.count() == 1


def test_scheduled_approval_waits_then_the_command_publishes_once(world):
    later = timezone.now() + timedelta(hours=2)
    announcement = notice(
        institution=world.unit,
        state=State.FINANCE_REVIEW,
        submitted_by=world.handler,
        publish_mode=PublishMode.SCHEDULED,
        scheduled_at=later,
    )
    act(announcement, "finance_approve", world.finance)
    announcement.refresh_from_db()
    assert (announcement.state, announcement.published_at) == (State.FINANCE_REVIEW, None)
    assert announcement.approved_at is not None and announcement.published_html
    assert workflow.available_actions(announcement, world.finance)[0].action == "finance_return"
    assert workflow.publish_due() == []

    first = workflow.publish_due(now=later + timedelta(minutes=1))
    second = workflow.publish_due(now=later + timedelta(minutes=2))
    announcement.refresh_from_db()
    assert [a.pk for a in first] == [announcement.pk] and second == []
    assert announcement.state == State.PUBLISHED
    assert list(FlowLogEntry.objects.values_list("action", flat=True)) == [
        "finance_approve",
        "scheduled_publish",
    ]


def test_scheduled_time_already_passed_publishes_at_approval(world):
    announcement = notice(
        institution=world.unit,
        state=State.FINANCE_REVIEW,
        submitted_by=world.handler,
        publish_mode=PublishMode.SCHEDULED,
        scheduled_at=timezone.now() - timedelta(minutes=5),
    )
    act(announcement, "finance_approve", world.finance)
    announcement.refresh_from_db()
    assert announcement.state == State.PUBLISHED


def test_publish_scheduled_command_reports_what_it_published(world):
    announcement = notice(
        institution=world.unit,
        state=State.FINANCE_REVIEW,
        submitted_by=world.handler,
        publish_mode=PublishMode.SCHEDULED,
        scheduled_at=timezone.now() + timedelta(seconds=30),
    )
    act(announcement, "finance_approve", world.finance)
    type(announcement).objects.filter(pk=announcement.pk).update(
        scheduled_at=timezone.now() - timedelta(seconds=1)
    )
    out = StringIO()
    call_command("publish_scheduled", stdout=out)
    call_command("publish_scheduled", stdout=out)
    announcement.refresh_from_db()
    assert announcement.state == State.PUBLISHED
    assert out.getvalue().splitlines()[-1] == "0 published"
    assert f"published {announcement.public_id}" in out.getvalue()
    assert FlowLogEntry.objects.filter(action="scheduled_publish").count() == 1


def test_finance_return_cancels_a_scheduled_publication(world):
    announcement = notice(
        institution=world.unit,
        state=State.FINANCE_REVIEW,
        submitted_by=world.handler,
        publish_mode=PublishMode.SCHEDULED,
        scheduled_at=timezone.now() + timedelta(hours=1),
    )
    act(announcement, "finance_approve", world.finance)
    announcement.refresh_from_db()
    act(announcement, "finance_return", world.finance, comment="时间不对")
    announcement.refresh_from_db()
    assert (announcement.state, announcement.approved_at, announcement.published_html) == (
        State.DRAFT,
        None,
        "",
    )
    assert workflow.publish_due(now=timezone.now() + timedelta(hours=2)) == []


def test_revoke_records_reason_and_time(world):
    announcement = notice(institution=world.unit, state=State.PUBLISHED, submitted_by=world.handler)
    act(announcement, "revoke", world.finance, comment="数据错误")
    announcement.refresh_from_db()
    assert (announcement.state, announcement.revoke_reason) == (State.REVOKED, "数据错误")
    assert announcement.revoked_at is not None


def test_flow_log_cannot_be_changed_or_deleted(world):
    announcement = notice(institution=world.unit)
    entry = act(announcement, "submit", world.handler)
    entry.reason = "改写"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    assert FlowLogEntry.objects.get().reason == ""


def test_flow_log_admin_offers_no_change_or_delete(world, client):
    root = factories.user(is_superuser=True, is_staff=True)
    announcement = notice(institution=world.unit)
    entry = act(announcement, "submit", world.handler)
    client.force_login(root, backend="accounts.backends.ActiveStaffBackend")
    url = reverse("admin:announcements_flowlogentry_change", args=[entry.pk])
    response = client.post(url, {"reason": "改写"})
    delete = client.post(reverse("admin:announcements_flowlogentry_delete", args=[entry.pk]), {"post": "yes"})
    assert response.status_code in (200, 403) and delete.status_code == 403
    assert FlowLogEntry.objects.get().reason == ""


def test_edit_opened_before_submit_and_saved_after_is_refused(world):
    from announcements.services import StaleEdit, announcement_content_save

    announcement = notice(institution=world.unit)
    opened_version = announcement.version  # the edit form's hidden version
    act(announcement, "submit", world.handler2)
    with pytest.raises(StaleEdit):
        announcement_content_save(
            announcement=announcement,
            user=world.handler,
            version=opened_version,
            title="改过的标题",
            publish_mode=PublishMode.ON_APPROVAL,
        )
    announcement.refresh_from_db()
    assert (announcement.state, announcement.title) == (State.PURCHASER_REVIEW, notice_title(world))


def notice_title(world):
    return f"{world.unit.name}2024年面向中小企业预留项目执行情况公告"
