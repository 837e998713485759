"""Reset and invitation mails and SMS codes are retried by the outbox's one policy, and the one-time
secret they carry is not kept: blanked once sent or given up, and by the daily purge for rows
written before or left waiting."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from accounts.invitations import invitation_issue
from accounts.models import OutboxMessage
from accounts.outbox import mail_queue
from accounts.passwords import reset_by_email_request
from accounts.tasks import OUTBOX_ATTEMPTS, messages_purge_task
from tests import factories as F

pytestmark = pytest.mark.django_db


@pytest.fixture
def refused(monkeypatch, settings):
    """A mail server refusing the first `times` sends."""
    settings.MAIL_RETRY_SECONDS = 0
    real_send = EmailBackend.send_messages
    calls = []

    def refusing(times):
        def send(self, messages):
            calls.append(messages)
            if len(calls) <= times:
                raise ConnectionRefusedError("mail server down")
            return real_send(self, messages)

        monkeypatch.setattr(EmailBackend, "send_messages", send)

    return refusing


def test_a_reset_mail_refused_twice_arrives_and_its_link_is_not_kept(
    world, refused, django_capture_on_commit_callbacks
):
    world.handler.email = "handler@example.cn"
    world.handler.save()
    refused(2)

    with django_capture_on_commit_callbacks(execute=True):
        reset_by_email_request(email="handler@example.cn", ip="192.0.2.1")

    row = OutboxMessage.objects.get()
    assert (row.topic, row.state, row.attempts, row.body) == ("password-reset", "sent", 3, "")
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_an_invitation_given_up_keeps_no_link(world, refused, django_capture_on_commit_callbacks):
    refused(OUTBOX_ATTEMPTS)
    staff = F.user(institution=world.unit, email="newbie@example.cn")

    with django_capture_on_commit_callbacks(execute=True):
        invitation_issue(actor=world.admin, staff=staff)

    row = OutboxMessage.objects.get()
    assert (row.state, row.attempts, row.body) == ("failed", OUTBOX_ATTEMPTS, "")


def test_the_daily_purge_blanks_old_secrets_and_keeps_workflow_mail(db):
    spent = OutboxMessage.objects.create(
        channel="mail",
        recipient="a@example.cn",
        body="链接 https://x/reset/abc/",
        topic="password-reset",
        state="sent",
    )
    stale = OutboxMessage.objects.create(
        channel="sms",
        recipient="13812345678",
        body="135790",
        topic="code",
        created_at=timezone.now() - timedelta(days=2),
    )
    (workflow,) = mail_queue(to=["b@example.cn"], subject="待审核", body="请审核", topic="flow-log:1")
    OutboxMessage.objects.filter(pk=workflow.pk).update(state="sent")

    messages_purge_task.call()

    assert OutboxMessage.objects.get(pk=spent.pk).body == ""
    assert OutboxMessage.objects.filter(pk=stale.pk).values_list("state", "body").get() == ("failed", "")
    assert OutboxMessage.objects.get(pk=workflow.pk).body == "请审核"
