"""The outbox: every mail and text message waits in one row per address, is sent by one task
with one retry policy, and only the row's id ever sits in the task table."""

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from accounts.invitations import invitation_issue
from accounts.models import OutboxMessage
from accounts.outbox import mail_queue, sms_code_queue
from accounts.tasks import OUTBOX_ATTEMPTS
from announcements.enums import State
from announcements.workflow import apply_action
from tests import factories
from tests.announcements import workflow_factories as wf

DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def refused_once(monkeypatch, settings):
    settings.MAIL_RETRY_SECONDS = 0
    real_send = EmailBackend.send_messages
    calls = []

    def refusing_first(self, messages):
        calls.append(messages)
        if len(calls) == 1:
            raise ConnectionRefusedError("mail server down")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refusing_first)
    return calls


def test_invitation_mail_refused_once_is_sent_by_the_retry(
    world, refused_once, django_capture_on_commit_callbacks
):
    staff = factories.user(institution=world.unit, email="newbie@example.cn")

    with django_capture_on_commit_callbacks(execute=True):
        token = invitation_issue(actor=world.admin, staff=staff)

    row = OutboxMessage.objects.get()
    assert (row.recipient, row.state, row.attempts) == ("newbie@example.cn", "sent", 2)
    assert row.last_error == "ConnectionRefusedError: mail server down"
    assert [m.to for m in mail.outbox] == [["newbie@example.cn"]] and token in mail.outbox[0].body


def test_sms_refused_every_time_is_marked_failed_and_its_code_forgotten(
    db, settings, django_capture_on_commit_callbacks
):
    settings.MAIL_RETRY_SECONDS = 0
    settings.SMS_BACKEND = "tests.accounts.test_outbox.RefusingSms"

    with django_capture_on_commit_callbacks(execute=True):
        row = sms_code_queue(phone="13812345678", code="135790", minutes=10)

    row.refresh_from_db()
    assert (row.state, row.attempts, row.body) == ("failed", OUTBOX_ATTEMPTS, "")
    assert row.last_error == "SmsError: provider refused"


class RefusingSms:
    def send_code(self, *, phone, code, minutes):
        from accounts.sms import SmsError

        raise SmsError("provider refused")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_message_body_or_code_is_ever_in_a_task_row(world, settings):
    settings.TASKS = DB_QUEUE
    staff = factories.user(institution=world.unit, email="newbie@example.cn")
    notice = wf.notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)

    token = invitation_issue(actor=world.admin, staff=staff)
    mail_queue(to=["a@example.cn"], subject="重置密码", body="secret-link-4711")
    sms_code_queue(phone="13812345678", code="864209", minutes=10)
    apply_action(announcement=notice, action="purchaser_return", actor=world.reviewer, comment="退回原因甲")

    tasks = list(DBTaskResult.objects.filter(task_path__endswith="outbox_send_task"))
    rows = set(OutboxMessage.objects.values_list("pk", flat=True))
    assert len(tasks) == len(rows) == 4
    assert {t.args_kwargs["kwargs"]["message_id"] for t in tasks} == rows
    shapes = [(t.args_kwargs["args"], list(t.args_kwargs["kwargs"])) for t in tasks]
    assert shapes == [([], ["message_id"])] * 4
    stored = " ".join(str(t.args_kwargs) for t in DBTaskResult.objects.all())
    for secret in (token, "secret-link-4711", "864209", "退回原因甲", notice.title):
        assert secret not in stored

    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["newbie@example.cn", "a@example.cn", world.handler.email]
    )
    assert list(OutboxMessage.objects.filter(channel="sms").values_list("state", "body")) == [("sent", "")]
