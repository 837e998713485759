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
    world, monkeypatch
):
    from django.core.mail.backends.locmem import EmailBackend

    from announcements.notifications import send_transition_mail

    second = factories.user(
        institution=world.unit, positions=[Position.PURCHASER_REVIEWER], email="r2@example.cn"
    )
    third = factories.user(
        institution=world.unit, positions=[Position.PURCHASER_REVIEWER], email="r3@example.cn"
    )
    announcement = notice(institution=world.unit)
    act(announcement, "submit", world.handler)  # not committed in this test: no mail sent yet
    entry = announcement.flow_log.order_by("-pk").first()
    reviewers = [world.reviewer, second, third]
    real_send = EmailBackend.send_messages
    sends = iter([real_send, None])

    def dies_after_the_first(self, messages):
        step = next(sends, None)
        if step is None:
            raise WorkerKilled
        return step(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", dies_after_the_first)
    kwargs = {"entry_id": entry.pk, "template": "to_review", "user_ids": [u.pk for u in reviewers]}
    with pytest.raises(WorkerKilled):
        send_transition_mail.call(**kwargs)
    delivered_before_the_kill = [m.to for m in mail.outbox]
    monkeypatch.setattr(EmailBackend, "send_messages", real_send)

    sent_again = send_transition_mail.call(**kwargs)  # requeue_stale_tasks: the same task again
    send_transition_mail.call(**kwargs)  # and once more: nothing left to send

    assert delivered_before_the_kill == [[reviewers[0].email]]
    assert sent_again == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in reviewers)
