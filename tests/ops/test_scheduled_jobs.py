"""Scheduled jobs run from cron on every app server: two runs at once do the work once.

The workflow's own tests race `publish_due` in threads (tests/announcements/test_workflow_concurrency.py);
here the real commands run as two separate processes against one database, as two servers
would, and the reminder run is raced in threads on PostgreSQL."""

import os
import re
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.enums import InstitutionKind, Position
from oversight import services
from oversight.enums import ReminderKind
from oversight.models import CampaignUnit, FilingCampaign, Reminder
from tests import factories
from tests.concurrency import run_together

ROOT = Path(settings.BASE_DIR)

SETUP = """
from datetime import timedelta
from django.contrib.auth.models import Group
from django.utils import timezone
from accounts.enums import POSITION_GROUP_NAMES, InstitutionKind, Position
from accounts.models import District, Institution, User
from announcements.enums import PublishMode, State
from announcements.models import Announcement
from oversight.models import CampaignUnit, FilingCampaign
now = timezone.now()
district = District.objects.get(code="310107")
group = Group.objects.get(name=POSITION_GROUP_NAMES[Position.HANDLER])
campaign = FilingCampaign.objects.create(district=district, year=2018, deadline=now - timedelta(days=1))
for i in range(4):
    unit = Institution.objects.create(
        name=f"并发测试单位{i}", district=district, kind=InstitutionKind.BUDGET_UNIT
    )
    handler = User.objects.create(username=f"cron-handler-{i}", full_name=f"经办{i}", institution=unit,
                                  email=f"cron{i}@example.cn")
    handler.groups.add(group)
    CampaignUnit.objects.create(campaign=campaign, institution=unit)
    Announcement.objects.create(
        institution=unit, district=district, year=2019, title=f"定时发布测试{i}", state=State.FINANCE_REVIEW,
        publish_mode=PublishMode.SCHEDULED, scheduled_at=now - timedelta(minutes=5),
        approved_at=now - timedelta(hours=1), published_html="<p>定时发布</p>",
    )
print("CAMPAIGN", campaign.pk)
"""
RESULT = """
from announcements.models import Announcement, FlowLogEntry
from oversight.models import Reminder
mine = Announcement.objects.filter(title__startswith="定时发布测试")
print("RESULT", mine.filter(state="published").count(),
      FlowLogEntry.objects.filter(action="scheduled_publish", announcement__in=mine).count(),
      Reminder.objects.filter(campaign_id={campaign}).count())
"""


def _database_url(tmp_path):
    if connection.vendor != "postgresql":
        return f"sqlite:///{tmp_path / 'cron.sqlite3'}", None
    import psycopg2

    name = f"sme_ops_cron_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1", port=5432)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return f"postgres://postgres@127.0.0.1:5432/{name}", name


def _env(url, tmp_path, mail_dir):
    # filemail:// + "/" + an absolute path: with one slash fewer django-environ makes it relative.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="1",
        LOG_LEVEL="WARNING",
        CACHE_URL="locmemcache://cron",
        MEDIA_ROOT=str(tmp_path / "media"),
        EMAIL_URL=f"filemail:///{mail_dir}",
    )
    return env


def _manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _at_once(env, *args):
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], [err[-2000:] for _, err in outputs]
    return [out for out, _ in outputs]


def _mails_in(directory: Path) -> int:
    return sum(
        len(re.findall(r"^Subject: ", f.read_text(), re.M)) for f in directory.glob("*") if f.is_file()
    )


@pytest.mark.django_db
def test_two_servers_running_the_cron_commands_at_once_do_the_work_once(tmp_path):
    url, pg_name = _database_url(tmp_path)
    publish_mail, remind_mail = tmp_path / "mail-publish", tmp_path / "mail-remind"
    publish_mail.mkdir()
    remind_mail.mkdir()
    try:
        env = _env(url, tmp_path, publish_mail)
        _manage(env, "migrate", "--noinput", "-v", "0")
        campaign = re.search(r"CAMPAIGN (\d+)", _manage(env, "shell", "-v", "0", "-c", SETUP)).group(1)

        published_by = _at_once(env, "publish_scheduled", "--now")
        _manage(env, "db_worker", "--batch", "--no-reload", "--no-startup-delay")  # their mail
        remind_env = _env(url, tmp_path, remind_mail)
        reminded_by = _at_once(remind_env, "send_filing_reminders", "--now", "--campaign", campaign)
        again = _at_once(remind_env, "send_filing_reminders", "--now", "--campaign", campaign)
        # The reminders' e-mails leave through the queue: a worker sends them.
        _manage(remind_env, "db_worker", "--batch", "--no-reload", "--no-startup-delay")
        result = _manage(env, "shell", "-v", "0", "-c", RESULT.replace("{campaign}", campaign))
    finally:
        if pg_name:
            import psycopg2

            admin = psycopg2.connect(dbname="postgres", user="postgres", host="127.0.0.1", port=5432)
            admin.autocommit = True
            with admin.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            admin.close()

    published, logged, reminders = map(int, re.search(r"RESULT (\d+) (\d+) (\d+)", result).groups())
    assert (published, logged, reminders) == (4, 4, 4)
    # Between them the two runs published each notice once and reported it once.
    assert sum(len(re.findall(r"^published ", out, re.M)) for out in published_by) == 4
    assert sum(int(m) for out in reminded_by for m in re.findall(r"sent (\d+),", out)) == 4
    assert all(re.findall(r"sent (\d+),", out) == ["0"] for out in again)
    assert _mails_in(remind_mail) == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL for real concurrent transactions"
)
def test_two_reminder_runs_racing_in_threads_mail_each_unit_once(world):
    campaign = FilingCampaign.objects.create(
        district=world.unit.district, year=2018, deadline=timezone.now() - timedelta(days=1)
    )
    for i in range(3):
        unit = factories.institution(name=f"竞争单位{i}", kind=InstitutionKind.BUDGET_UNIT)
        factories.user(institution=unit, positions=[Position.HANDLER], email=f"race{i}@example.cn")
        CampaignUnit.objects.create(campaign=campaign, institution=unit)
    outcomes = run_together(
        lambda: services.reminders_send(campaign=campaign, kind=ReminderKind.AFTER),
        lambda: services.reminders_send(campaign=campaign, kind=ReminderKind.AFTER),
    )

    assert [type(o).__name__ for o in outcomes] == ["ReminderOutcome"] * 2
    assert sum(o.sent for o in outcomes) == 3 and sum(o.already_sent for o in outcomes) == 3
    assert Reminder.objects.filter(campaign=campaign).count() == 3
    assert sorted(addr for m in mail.outbox for addr in m.to) == [
        "race0@example.cn",
        "race1@example.cn",
        "race2@example.cn",
    ]
