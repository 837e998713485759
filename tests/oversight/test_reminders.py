from datetime import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from freezegun import freeze_time

from accounts.enums import Position
from oversight import selectors, services
from oversight.enums import ReminderKind
from oversight.models import Reminder
from oversight.rules import SHANGHAI
from tests import factories as F

pytestmark = pytest.mark.django_db


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_days_left_counts_dates_in_shanghai(world, putuo):
    campaign = putuo["campaign"]
    # 23:59:58 in Shanghai is 15:59:58 UTC: still the deadline's own day.
    with freeze_time("2026-07-15 15:59:58"):
        assert selectors.days_left(campaign) == 0
    with freeze_time("2026-07-15 16:00:00"):  # 00:00 on the 16th in Shanghai
        assert selectors.days_left(campaign) == -1
    # 2026-07-14 20:00 UTC is already the 15th in Shanghai: 0 days left, not 1.
    with freeze_time("2026-07-14 20:00:00"):
        assert selectors.days_left(campaign) == 0


def test_dashboard_marks_unpublished_units_overdue_only_after_the_deadline(world, putuo, login):
    url = f"/console/oversight/campaigns/{putuo['campaign'].pk}/?listing=overdue"
    # Signed in inside each frozen moment: sessions expire two hours after the last request.
    with freeze_time("2026-07-15 15:00:00"):
        html = login(world.finance).get(url).content.decode()
        assert "普陀区第三单位" not in html
    with freeze_time("2026-07-16 01:00:00"):
        html = login(world.finance).get(url).content.decode()
        assert "普陀区第三单位" in html and world.unit.name not in html
        assert 'class="overdue"' in html


def test_reminder_kind_due_follows_the_window(world, putuo):
    campaign = putuo["campaign"]  # 7 days' window
    assert services.reminder_kind_due(campaign, sh(2026, 7, 7, 9)) is None
    assert services.reminder_kind_due(campaign, sh(2026, 7, 8, 9)) == ReminderKind.BEFORE
    assert services.reminder_kind_due(campaign, sh(2026, 7, 15, 23, 59)) == ReminderKind.BEFORE
    assert services.reminder_kind_due(campaign, sh(2026, 7, 16, 0, 1)) == ReminderKind.AFTER


def test_command_mails_the_handlers_of_unpublished_units_once_a_day(
    world, putuo, django_capture_on_commit_callbacks
):
    third_handler = F.user(institution=putuo["third"], positions=[Position.HANDLER], email="third@example.cn")
    F.user(institution=putuo["third"], positions=[Position.PURCHASER_REVIEWER], email="rev@example.cn")
    with freeze_time("2026-07-10 01:00:00"), django_capture_on_commit_callbacks(execute=True):
        call_command("send_filing_reminders")
        call_command("send_filing_reminders")  # the same day: nothing new
    recipients = {tuple(sorted(m.to)) for m in mail.outbox}
    # world.unit published; other_unit (draft) and the third unit are reminded; the fourth has no handler.
    assert len(mail.outbox) == 2
    assert recipients == {(world.other_handler.email,), (third_handler.email,)}
    assert all("2025" in m.subject for m in mail.outbox)
    reminders = Reminder.objects.filter(campaign=putuo["campaign"])
    assert reminders.count() == 2
    assert {r.kind for r in reminders} == {ReminderKind.BEFORE}
    assert list(reminders.get(institution=putuo["third"]).recipients.all()) == [third_handler]
    # 青浦区: its only unit published, nobody to remind.
    assert not Reminder.objects.filter(campaign=putuo["qingpu"]).exists()
    with freeze_time("2026-07-11 01:00:00"), django_capture_on_commit_callbacks(execute=True):
        call_command("send_filing_reminders")
    assert len(mail.outbox) == 4


def test_reminder_already_recorded_by_a_parallel_run_is_not_sent_again(world, putuo):
    campaign = putuo["campaign"]
    now = sh(2026, 7, 16, 9)
    # Another run inserted today's row first: the unique key makes this one skip it.
    Reminder.objects.create(
        campaign=campaign, institution=world.other_unit, kind=ReminderKind.AFTER, date=now.date(), sent_at=now
    )
    outcome = services.reminders_send(campaign=campaign, now=now)
    assert (outcome.sent, outcome.already_sent) == (0, 1)
    assert mail.outbox == []


def test_reminder_button_records_who_sent_and_shows_it(
    world, putuo, login, django_capture_on_commit_callbacks
):
    client = login(world.finance)
    url = f"/console/oversight/campaigns/{putuo['campaign'].pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url + "remind/")
        client.post(url + "remind/")  # a double click
    assert len(mail.outbox) == 1
    reminder = Reminder.objects.get()
    assert reminder.sent_by == world.finance
    html = client.get(url).content.decode()
    assert world.other_handler.email in html
