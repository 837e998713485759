import re

import pytest
from django.core import mail
from django.db import connection

from accounts.menu import items_for
from oversight import services
from oversight.models import CampaignUnit, FilingCampaign, Reminder
from oversight.rules import SHANGHAI
from tests import factories as F
from tests.concurrency import run_together

pytestmark = pytest.mark.django_db


def test_menu_shows_oversight_entries_by_position(world):
    labels = lambda user: [i["label"] for i in items_for(user)]  # noqa: E731
    assert {"填报任务", "各区对比"} <= set(labels(world.finance)) and "抽查" not in labels(world.finance)
    assert {"填报任务", "各区对比", "抽查"} <= set(labels(world.supervisor))
    assert not {"填报任务", "各区对比", "抽查"} & set(labels(world.handler))


def test_campaign_edit_moves_the_deadline_to_the_end_of_the_new_day(world, putuo, login):
    campaign = putuo["campaign"]
    login(world.finance).post(
        f"/console/oversight/campaigns/{campaign.pk}/edit/",
        {"deadline": "2026-07-31", "remind_days_before": "3"},
    )
    campaign.refresh_from_db()
    assert campaign.deadline.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") == "2026-07-31 23:59:59"
    assert (campaign.year, campaign.remind_days_before) == (2025, 3)


def test_campaign_form_refuses_a_future_reporting_year(world, login):
    response = login(world.finance).post(
        "/console/oversight/campaigns/new/",
        {"year": "2999", "deadline": "2026-07-15", "remind_days_before": "7"},
    )
    assert "year" in response.context["form"].errors
    assert not FilingCampaign.objects.exists()


def test_adding_a_unit_lists_only_the_districts_budget_units(world, putuo, login):
    campaign = putuo["campaign"]
    new_unit = F.institution(name="普陀区新成立单位")
    client = login(world.finance)
    url = f"/console/oversight/campaigns/{campaign.pk}/units/"
    choices = client.get(url).context["form"].fields["institution"].queryset
    assert list(choices) == [new_unit]  # not listed yet; no finance bureau, no 青浦区 unit
    client.post(url, {"institution": new_unit.pk})
    assert CampaignUnit.objects.filter(
        campaign=campaign, institution=new_unit, added_by=world.finance
    ).exists()
    response = client.post(url, {"institution": world.outsider.pk})
    assert response.context["form"].errors["institution"]
    assert not CampaignUnit.objects.filter(campaign=campaign, institution=world.outsider).exists()


def test_compare_sorts_districts_by_small_micro_share(world, putuo, login):
    html = login(world.supervisor).get("/console/oversight/districts/?year=2025&sort=-share").content.decode()
    # 青浦区 90% before 普陀区 66.67%.
    assert re.findall(r'data-district="(\d+)"', html) == ["310118", "310107"]


def test_reminder_email_names_the_deadline_in_shanghai_time(world, putuo, django_capture_on_commit_callbacks):
    from datetime import datetime

    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(campaign=putuo["campaign"], now=datetime(2026, 7, 10, 9, tzinfo=SHANGHAI))
    [message] = [m for m in mail.outbox if world.other_handler.email in m.to]
    assert "2026-07-15 23:59" in message.body
    assert world.other_unit.name in message.subject


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL concurrent transactions")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_reminder_runs_at_once_send_each_reminder_once(world, putuo):
    # Skipped by a mark, not in the body: a transactional database set up for nothing would be
    # flushed afterwards and break the serialized rollback of the browser tests that follow.
    from datetime import datetime

    now = datetime(2026, 7, 16, 9, tzinfo=SHANGHAI)
    for i in range(5):
        unit = F.institution(name=f"并发单位{i}")
        F.user(institution=unit, positions=["handler"])
        CampaignUnit.objects.create(campaign=putuo["campaign"], institution=unit)
    outcomes = run_together(
        lambda: services.reminders_send(campaign=putuo["campaign"], now=now),
        lambda: services.reminders_send(campaign=putuo["campaign"], now=now),
    )
    assert [type(o).__name__ for o in outcomes] == ["ReminderOutcome"] * 2
    assert sum(o.sent for o in outcomes) == 6  # other_unit and the five new units
    assert Reminder.objects.count() == 6
    assert len(mail.outbox) == 6
