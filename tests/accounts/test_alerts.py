"""预警: each warning appears and disappears with its condition, around Asia/Shanghai midnights."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from accounts.alerts import alert_count, alerts_for
from announcements.enums import PublishMode, State
from announcements.models import FlowLogEntry
from oversight import services
from oversight.rules import end_of_day
from tests.announcements.workflow_factories import notice

pytestmark = pytest.mark.django_db
DEADLINE = end_of_day(date(2026, 7, 15))  # 23:59:59 Shanghai = 15:59:59 UTC


def kinds(user):
    user.__dict__.pop("_alerts", None)
    return [a.kind for a in alerts_for(user)]


@pytest.fixture
def campaign(world):
    return services.campaign_create(actor=world.finance, year=2025, deadline=DEADLINE)


def test_deadline_warning_starts_seven_shanghai_days_before(world, campaign):
    # 2026-07-07 23:59 Shanghai is 8 days before; 2026-07-08 00:00 Shanghai (07-07 16:00 UTC) is 7.
    with freeze_time("2026-07-07 15:59:00"):
        assert kinds(world.handler) == []
    with freeze_time("2026-07-07 16:00:00"):
        assert kinds(world.handler) == ["deadline"]
        assert "2026-07-15" in alerts_for(world.handler)[0].text
    # Not a handler of the unit: nothing.
    with freeze_time("2026-07-10 01:00:00"):
        assert kinds(world.reviewer) == []
        assert kinds(world.outsider_handler) == []


def test_deadline_warning_goes_once_the_notice_is_submitted(world, campaign):
    submitted = notice(institution=world.unit, year=2025, state=State.DRAFT)
    with freeze_time("2026-07-10 01:00:00"):
        assert kinds(world.handler) == ["deadline"]
        submitted.state = State.PURCHASER_REVIEW
        submitted.save()
        assert kinds(world.handler) == []


def test_overdue_warning_after_the_deadline_until_published(world, campaign):
    draft = notice(
        institution=world.unit, year=2025, state=State.PURCHASER_REVIEW, submitted_by=world.handler
    )
    with freeze_time("2026-07-15 15:59:58"):
        assert kinds(world.handler) == []  # in review, on time
    with freeze_time("2026-07-15 16:00:00"):  # 00:00 on the 16th in Shanghai
        assert kinds(world.handler) == ["overdue"]
        assert alerts_for(world.handler)[0].level == "danger"
        assert kinds(world.finance) == ["overdue_units"]
        # world.unit (in review) and world.other_unit (not started) of 普陀区's campaign.
        assert alerts_for(world.finance)[0].text == "已过截止时间，仍有2个单位未发布2025年度公告"
        assert kinds(world.qp_finance) == []
        draft.state = State.PUBLISHED
        draft.save()
        assert kinds(world.handler) == []


def test_returned_notice_warns_its_handler(world):
    returned = notice(institution=world.unit, year=2024, return_reason="请补充")
    assert kinds(world.handler) == ["returned"]
    assert returned.title in alerts_for(world.handler)[0].text
    returned.return_reason = ""
    returned.save()
    assert kinds(world.handler) == []


def test_review_waiting_longer_than_the_setting_warns_the_reviewer(world, settings):
    settings.WARNING_REVIEW_WAIT_DAYS = 3
    submitted_at = timezone.now()
    waiting = notice(
        institution=world.unit, year=2024, state=State.PURCHASER_REVIEW, submitted_by=world.handler
    )
    # The flow log is append-only: the submission is logged at its (frozen) time.
    with freeze_time(submitted_at):
        FlowLogEntry.objects.create(
            announcement=waiting, actor=world.handler, action="submit", from_state=State.DRAFT,
            to_state=State.PURCHASER_REVIEW,
        )  # fmt: skip
    with freeze_time(submitted_at + timedelta(days=2)):
        assert kinds(world.reviewer) == []
    with freeze_time(submitted_at + timedelta(days=3, seconds=1)):
        assert kinds(world.reviewer) == ["review_wait"]
        assert kinds(world.handler) == []  # the submitter is not the reviewer


def test_scheduled_publication_within_a_day_warns_finance(world):
    now = timezone.now()
    soon = notice(
        institution=world.unit, year=2024, state=State.FINANCE_REVIEW, submitted_by=world.handler,
        publish_mode=PublishMode.SCHEDULED, scheduled_at=now + timedelta(hours=5), approved_at=now,
    )  # fmt: skip
    notice(
        institution=world.unit, year=2023, state=State.FINANCE_REVIEW, submitted_by=world.handler,
        publish_mode=PublishMode.SCHEDULED, scheduled_at=now + timedelta(days=3), approved_at=now,
    )  # fmt: skip
    assert kinds(world.finance) == ["scheduled"]
    assert soon.title in alerts_for(world.finance)[0].text
    assert kinds(world.qp_finance) == []


def test_header_count_and_warnings_page_agree(world, campaign, login):
    notice(institution=world.unit, year=2024, return_reason="请补充")
    with freeze_time("2026-07-10 01:00:00"):
        client = login(world.handler)
        html = client.get(reverse("accounts:alerts")).content.decode()
        world.handler.__dict__.pop("_alerts", None)
        assert alert_count(world.handler) == 2
        assert html.count('class="alert-') == 2
        assert '<span class="badge" title="预警">2</span>' in html
