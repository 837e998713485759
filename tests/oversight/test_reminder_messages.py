"""Reminders reach every pending unit's inbox; the e-mail goes only to handlers with an address."""

import pytest
from django.core import mail
from django.core.management import call_command
from freezegun import freeze_time

from accounts.enums import Position
from accounts.models import Message, OutboxMessage
from oversight.models import Reminder
from tests import factories as F

pytestmark = pytest.mark.django_db


def test_reminder_reaches_handlers_without_email_in_their_inbox(
    world, putuo, django_capture_on_commit_callbacks
):
    no_mail = F.user(institution=putuo["third"], positions=[Position.HANDLER], email="")
    fourth = F.user(institution=putuo["fourth"], positions=[Position.HANDLER], email="")
    with freeze_time("2026-07-10 01:00:00"), django_capture_on_commit_callbacks(execute=True):
        call_command("send_filing_reminders")
    # other_unit (draft, handler with e-mail), third (no e-mail), fourth (revoked, no e-mail).
    assert sorted(Message.objects.values_list("recipient_id", flat=True)) == sorted(
        [world.other_handler.pk, no_mail.pk, fourth.pk]
    )
    assert [m.to for m in mail.outbox] == [[world.other_handler.email]]
    assert Reminder.objects.filter(campaign=putuo["campaign"]).count() == 3
    message = Message.objects.get(recipient=no_mail)
    assert "2025" in message.title and message.link == "/console/notices/"
    assert message.body == "截止时间：2026-07-15 23:59。"


def test_reminder_button_says_how_many_units_got_an_email_too(world, putuo, login):
    F.user(institution=putuo["third"], positions=[Position.HANDLER], email="")
    client = login(world.finance)
    url = f"/console/oversight/campaigns/{putuo['campaign'].pk}/remind/"
    with freeze_time("2026-07-10 01:00:00"):
        response = client.post(url, follow=True)
    html = response.content.decode()
    assert "已向2个单位发送站内提醒（其中1个单位同时收到邮件）" in html
    assert "1个单位没有项目采购经办岗" in html  # the fourth unit


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reminder_button_with_the_mail_server_refusing_answers_and_the_queue_retries(
    world, putuo, login, settings
):
    # Mail leaves through the outbox and the queue. The request stores the reminder and the inbox
    # messages; a worker meets the refusing server, retries, then gives up visibly.
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    settings.MAIL_RETRY_SECONDS = 0
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 2599, "timeout": 2},
        }
    }
    client = login(world.finance)
    with freeze_time("2026-07-10 01:00:00"):
        response = client.post(f"/console/oversight/campaigns/{putuo['campaign'].pk}/remind/", follow=True)
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)

    tasks = DBTaskResult.objects.filter(task_path__endswith="outbox_send_task").order_by("enqueued_at")
    assert "已向1个单位发送站内提醒（其中1个单位同时收到邮件）" in response.content.decode()
    assert list(Reminder.objects.values_list("institution_id", flat=True)) == [world.other_unit.pk]
    assert Message.objects.filter(recipient=world.other_handler).count() == 1
    assert [t.status for t in tasks] == [TaskResultStatus.SUCCESSFUL] * 4 + [TaskResultStatus.FAILED]
    assert mail.outbox == []
    failed = OutboxMessage.objects.get()  # the outbox row tells the administrator why
    assert (failed.recipient, failed.state, failed.attempts) == (world.other_handler.email, "failed", 5)
    assert failed.last_error.startswith("ConnectionRefusedError")


def test_reminder_mail_refused_once_is_sent_by_the_retry(
    world, putuo, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.mail.backends.locmem import EmailBackend

    settings.MAIL_RETRY_SECONDS = 0
    real_send, refusals = EmailBackend.send_messages, iter([True])

    def refusing_once(self, messages):
        if next(refusals, False):
            raise ConnectionRefusedError("mail server down")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refusing_once)
    with freeze_time("2026-07-10 01:00:00"), django_capture_on_commit_callbacks(execute=True):
        call_command("send_filing_reminders")

    row = OutboxMessage.objects.get()
    assert (row.recipient, row.state, row.attempts) == (world.other_handler.email, "sent", 2)
    assert [m.to for m in mail.outbox] == [[world.other_handler.email]]
    assert "2025" in mail.outbox[0].subject
