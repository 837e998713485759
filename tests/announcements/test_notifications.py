"""Workflow mails: the right people, only after commit, in the recipient's language."""

import pytest
from django.core import mail
from django.db import transaction
from django.utils import translation

from accounts.enums import Position
from announcements import workflow
from announcements.enums import State
from tests import factories

from .workflow_factories import notice


def act(announcement, action, user, comment=""):
    announcement.refresh_from_db()
    return workflow.apply_action(announcement=announcement, action=action, actor=user, comment=comment)


def test_submit_mails_the_units_purchaser_reviewers_only_after_commit(
    world, django_capture_on_commit_callbacks
):
    second = factories.user(
        institution=world.unit, positions=[Position.PURCHASER_REVIEWER], email="r2@example.cn"
    )
    factories.user(
        institution=world.other_unit, positions=[Position.PURCHASER_REVIEWER], email="no@example.cn"
    )
    announcement = notice(institution=world.unit)
    with django_capture_on_commit_callbacks() as callbacks:
        act(announcement, "submit", world.handler)
        assert mail.outbox == []  # nothing before commit
    with django_capture_on_commit_callbacks(execute=True):  # the mails queued after the commit
        for callback in callbacks:
            callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([world.reviewer.email, second.email])
    assert announcement.title in mail.outbox[0].subject
    assert f"/console/notices/{announcement.public_id}/" in mail.outbox[0].body


def test_purchaser_approval_mails_finance_of_the_district(world, django_capture_on_commit_callbacks):
    announcement = notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    with django_capture_on_commit_callbacks(execute=True):
        act(announcement, "purchaser_approve", world.reviewer)
    assert [m.to for m in mail.outbox] == [[world.finance.email]]


@pytest.mark.parametrize(
    ("state", "action", "user_attr", "comment"),
    [
        (State.PURCHASER_REVIEW, "purchaser_return", "reviewer", "请修改"),
        (State.FINANCE_REVIEW, "finance_return", "finance", "请补充"),
        (State.FINANCE_REVIEW, "finance_approve", "finance", ""),
        (State.PUBLISHED, "revoke", "finance", "撤回原因"),
    ],
)
def test_submitter_is_told_of_return_publication_and_revocation(
    world, django_capture_on_commit_callbacks, state, action, user_attr, comment
):
    announcement = notice(institution=world.unit, state=state, submitted_by=world.handler)
    with django_capture_on_commit_callbacks(execute=True):
        act(announcement, action, getattr(world, user_attr), comment)
    assert [m.to for m in mail.outbox] == [[world.handler.email]]
    if comment:
        assert comment in mail.outbox[0].body


def test_rolled_back_transition_sends_no_mail(world, django_capture_on_commit_callbacks):
    announcement = notice(institution=world.unit)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                act(announcement, "submit", world.handler)
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    announcement.refresh_from_db()
    assert announcement.state == State.DRAFT
    assert mail.outbox == []


def test_withdraw_sends_no_mail(world, django_capture_on_commit_callbacks):
    announcement = notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    with django_capture_on_commit_callbacks(execute=True):
        act(announcement, "withdraw", world.handler)
    assert mail.outbox == []


def test_mail_is_in_the_recipients_language_not_the_request_language(
    world, django_capture_on_commit_callbacks
):
    announcement = notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        act(announcement, "purchaser_return", world.reviewer, "请修改")
    assert mail.outbox[0].subject.startswith("已退回") or mail.outbox[0].subject.startswith("退回")
    assert "原因" in mail.outbox[0].body


class WorkerKilled(BaseException):
    """Stands for SIGKILL: not an Exception, so nothing in the task catches it."""


def test_mail_task_killed_after_the_first_of_three_recipients_mails_each_exactly_once_when_run_again(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.mail.backends.locmem import EmailBackend

    from accounts.models import OutboxMessage
    from accounts.tasks import outbox_send_task

    second = factories.user(
        institution=world.unit, positions=[Position.PURCHASER_REVIEWER], email="r2@example.cn"
    )
    third = factories.user(
        institution=world.unit, positions=[Position.PURCHASER_REVIEWER], email="r3@example.cn"
    )
    announcement = notice(institution=world.unit)
    with django_capture_on_commit_callbacks() as after_commit:
        act(announcement, "submit", world.handler)
    for callback in after_commit:
        callback()  # the listener queues the mails; their send tasks wait for a commit that never comes
    reviewers = [world.reviewer, second, third]
    rows = list(OutboxMessage.objects.order_by("pk"))
    real_send = EmailBackend.send_messages
    sends = iter([real_send, None])

    def dies_after_the_first(self, messages):
        step = next(sends, None)
        if step is None:
            raise WorkerKilled
        return step(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", dies_after_the_first)
    outbox_send_task.call(message_id=rows[0].pk)
    with pytest.raises(WorkerKilled):
        outbox_send_task.call(message_id=rows[1].pk)
    delivered_before_the_kill = [m.to for m in mail.outbox]
    monkeypatch.setattr(EmailBackend, "send_messages", real_send)

    # requeue_stale_tasks runs the killed task again; then every task runs once more.
    sent_again = [outbox_send_task.call(message_id=row.pk) for row in rows[1:]]
    sent_twice = [outbox_send_task.call(message_id=row.pk) for row in rows]

    assert delivered_before_the_kill == [[reviewers[0].email]]
    assert (sent_again, sent_twice) == ([True, True], [False, False, False])
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in reviewers)


def _refusing_mail_server(monkeypatch, refusals: int | None):
    """The locmem mailer refuses the first `refusals` sends (every send when None)."""
    from django.core.mail.backends.locmem import EmailBackend

    real_send = EmailBackend.send_messages
    calls = []

    def refusing(self, messages):
        calls.append(messages)
        if refusals is None or len(calls) <= refusals:
            raise ConnectionRefusedError("mail server down")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refusing)
    return calls


def test_mail_refused_every_time_is_retried_by_the_one_policy_then_marked_failed(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from accounts.models import Message, OutboxMessage
    from accounts.tasks import OUTBOX_ATTEMPTS

    settings.MAIL_RETRY_SECONDS = 0
    tries = _refusing_mail_server(monkeypatch, refusals=None)
    announcement = notice(institution=world.unit, state=State.FINANCE_REVIEW, submitted_by=world.handler)

    with django_capture_on_commit_callbacks(execute=True):
        act(announcement, "finance_approve", world.finance)

    row = OutboxMessage.objects.get()
    assert (row.recipient, row.state, row.attempts) == (world.handler.email, "failed", OUTBOX_ATTEMPTS)
    assert row.last_error == "ConnectionRefusedError: mail server down"
    assert len(tries) == OUTBOX_ATTEMPTS and mail.outbox == []
    announcement.refresh_from_db()
    assert announcement.state == State.PUBLISHED  # the transition stands
    assert Message.objects.filter(recipient=world.handler).count() == 1  # the inbox has it


def test_mail_refused_once_is_sent_by_the_retry(
    world, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from accounts.models import OutboxMessage

    settings.MAIL_RETRY_SECONDS = 0
    _refusing_mail_server(monkeypatch, refusals=1)
    announcement = notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)

    with django_capture_on_commit_callbacks(execute=True):
        act(announcement, "purchaser_approve", world.reviewer)

    row = OutboxMessage.objects.get()
    assert (row.state, row.attempts, row.next_attempt_at) == ("sent", 2, None)
    assert [m.to for m in mail.outbox] == [[world.finance.email]]


def test_in_app_message_reaches_a_submitter_without_email(world, django_capture_on_commit_callbacks):
    from accounts.models import Message, OutboxMessage

    world.handler.email = ""
    world.handler.save(update_fields=["email"])
    announcement = notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)

    with django_capture_on_commit_callbacks(execute=True):
        act(announcement, "purchaser_return", world.reviewer, "请修改")

    message = Message.objects.get(recipient=world.handler)
    assert message.title == f"已退回：{announcement.title}" or announcement.title in message.title
    assert "请修改" in message.body
    assert message.link == f"/console/notices/{announcement.public_id}/"
    assert mail.outbox == [] and not OutboxMessage.objects.exists()


def inbox(user):
    from accounts.models import Message

    return list(Message.objects.filter(recipient=user).order_by("id").values_list("title", "body"))


def test_an_approval_tells_the_next_reviewer_who_approved_and_at_which_step(
    world, django_capture_on_commit_callbacks
):
    announcement = notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    with django_capture_on_commit_callbacks(execute=True):
        act(announcement, "purchaser_approve", world.reviewer)
    assert inbox(world.finance) == [
        (f"待审核：{announcement.title}", "审核人甲（采购人初审）已通过，待财政审核，请您审核。")
    ]


def test_transitions_committed_together_each_tell_only_the_step_they_entered(
    world, django_capture_on_commit_callbacks
):
    """A seed or a bulk job takes a notice through several steps in one transaction: each reviewer
    hears once, of the step the notice entered for them, not of the step it ended at."""
    announcement = notice(institution=world.unit, rows=1)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        act(announcement, "submit", world.handler)
        act(announcement, "purchaser_approve", world.reviewer)
    assert inbox(world.reviewer) == [
        (f"待审核：{announcement.title}", "经办人甲已提交本公告，待采购人初审，请您审核。")
    ]
    assert inbox(world.finance) == [
        (f"待审核：{announcement.title}", "审核人甲（采购人初审）已通过，待财政审核，请您审核。")
    ]
