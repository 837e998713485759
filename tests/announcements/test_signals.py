"""The workflow announces each committed transition; listeners never undo it."""

import logging

import pytest
from django.core import mail

from announcements import workflow
from announcements.enums import State
from announcements.models import FlowLogEntry
from announcements.signals import notice_transitioned
from public.cache import public_cache_version

from .workflow_factories import notice


@pytest.fixture
def failing_listener():
    def explode(sender, **kwargs):
        raise RuntimeError("listener down")

    notice_transitioned.connect(explode, dispatch_uid="test.explode")
    yield
    notice_transitioned.disconnect(dispatch_uid="test.explode")


@pytest.fixture
def heard():
    received = []

    def listen(sender, **kwargs):
        received.append(kwargs)

    notice_transitioned.connect(listen, dispatch_uid="test.listen")
    yield received
    notice_transitioned.disconnect(dispatch_uid="test.listen")


def test_transition_is_announced_once_after_commit_with_its_states(
    world, heard, django_capture_on_commit_callbacks
):
    announcement = notice(institution=world.unit)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        entry = workflow.apply_action(announcement=announcement, action="submit", actor=world.handler)
        assert heard == []  # nothing before the commit
    for callback in callbacks:
        callback()

    assert [(h["action"], h["actor"], h["from_state"], h["to_state"], h["entry"]) for h in heard] == [
        ("submit", world.handler, State.DRAFT, State.PURCHASER_REVIEW, entry)
    ]
    assert heard[0]["announcement"].pk == announcement.pk


def test_refused_transition_announces_nothing(world, heard, django_capture_on_commit_callbacks):
    announcement = notice(institution=world.unit)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(workflow.ActionRefused):
        workflow.apply_action(announcement=announcement, action="purchaser_approve", actor=world.handler)
    assert heard == []


def test_failing_listener_is_logged_and_the_transition_stands(
    world, failing_listener, caplog, django_capture_on_commit_callbacks
):
    announcement = notice(institution=world.unit, state=State.FINANCE_REVIEW, submitted_by=world.handler)
    version = public_cache_version()
    with caplog.at_level(logging.ERROR, logger="announcements.signals"):
        with django_capture_on_commit_callbacks(execute=True):
            workflow.apply_action(announcement=announcement, action="finance_approve", actor=world.finance)

    announcement.refresh_from_db()
    assert announcement.state == State.PUBLISHED
    assert FlowLogEntry.objects.filter(announcement=announcement, action="finance_approve").count() == 1
    assert "listener down" in caplog.text
    # The other listeners still ran: the submitter was mailed and the public cache moved on.
    assert [m.to for m in mail.outbox] == [[world.handler.email]]
    assert public_cache_version() == version + 1
