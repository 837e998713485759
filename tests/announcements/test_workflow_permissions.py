"""The permission table: every action × every role in the state the action starts from →
allowed or refused, through the service and through the HTTP action endpoint; every action
refused in every other state, even for the roles it allows. A refused action changes nothing
that anyone can see; an allowed one moves the version. 我的待办 holds exactly the notices on
which a user has an action that waits for them."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Position
from announcements import workflow
from announcements.enums import Action, PublishMode, State
from announcements.models import Announcement, FlowLogEntry
from announcements.rules import may_refile
from announcements.selectors import review_queue
from public.cache import public_cache_version
from tests import factories as F

from .workflow_factories import notice

ROLES = {
    "submitter": lambda p: p.handler,
    "other_handler_same_unit": lambda p: p.handler2,
    "purchaser_reviewer": lambda p: p.reviewer,
    "handler_and_reviewer": lambda p: p.dual,
    "institution_admin": lambda p: p.admin,
    "handler_other_unit_same_district": lambda p: p.other_handler,
    "handler_other_district": lambda p: p.outsider_handler,
    "finance_of_district": lambda p: p.finance,
    "finance_other_district": lambda p: p.qp_finance,
    "supervisor": lambda p: p.supervisor,
    "superuser": lambda p: p.root,
    "disabled_handler_reviewer": lambda p: p.disabled,
    "disabled_finance": lambda p: p.disabled_finance,
    "anonymous": lambda p: AnonymousUser(),
}

# The notices of the table are submitted by `submitter` (world.handler).
STARTS_FROM = {
    Action.SUBMIT: State.DRAFT,
    Action.WITHDRAW: State.PURCHASER_REVIEW,
    Action.PURCHASER_APPROVE: State.PURCHASER_REVIEW,
    Action.PURCHASER_RETURN: State.PURCHASER_REVIEW,
    Action.FINANCE_APPROVE: State.FINANCE_REVIEW,
    Action.FINANCE_RETURN: State.FINANCE_REVIEW,
    Action.REVOKE: State.PUBLISHED,
}
ALLOWED = {
    Action.SUBMIT: {"submitter", "other_handler_same_unit", "handler_and_reviewer"},
    Action.WITHDRAW: {"submitter"},
    Action.PURCHASER_APPROVE: {"purchaser_reviewer", "handler_and_reviewer"},
    Action.PURCHASER_RETURN: {"purchaser_reviewer", "handler_and_reviewer"},
    Action.FINANCE_APPROVE: {"finance_of_district"},
    Action.FINANCE_RETURN: {"finance_of_district"},
    Action.REVOKE: {"finance_of_district"},
}
VIA = ["service", "http"]


@pytest.fixture
def people(world):
    """The world's staff plus the roles that the table needs besides them."""
    extra = SimpleNamespace(
        dual=F.user(
            institution=world.unit,
            positions=[Position.HANDLER, Position.PURCHASER_REVIEWER],
            full_name="经办兼审核",
        ),
        root=F.user(institution=world.unit, is_superuser=True, is_staff=True, full_name="超级管理员"),
        disabled=F.user(
            institution=world.unit,
            positions=[Position.HANDLER, Position.PURCHASER_REVIEWER],
            is_active=False,
            full_name="已停用经办审核",
        ),
        disabled_finance=F.user(
            institution=world.putuo_finance,
            positions=[Position.FINANCE_REVIEWER],
            is_active=False,
            full_name="已停用财政",
        ),
    )
    return SimpleNamespace(**vars(world), **vars(extra))


def seen(announcement) -> dict:
    """Everything about a notice that someone could notice: its row as the console, the public
    site and the submitter see it, the flow log, the mails, the public page cache."""
    row = (
        Announcement.objects.filter(pk=announcement.pk)
        .values(
            "state",
            "version",
            "submitted_by",
            "submitted_at",
            "return_reason",
            "approved_at",
            "published_at",
            "published_html",
            "revoked_at",
            "revoke_reason",
            "search_text",
        )
        .get()
    )
    return {
        **row,
        "log_rows": FlowLogEntry.objects.count(),
        "mails": len(mail.outbox),
        "public_cache": public_cache_version(),
    }


def offered(announcement, user) -> set[str]:
    return {t.action.value for t in workflow.available_actions(announcement, user)}


def attempt(via, *, announcement, action, user) -> bool:
    """Take `action` as `user` through the service or a POST; True when it went through.
    A refusal must say so to the user: an ActionRefused, a 404, or an error message."""
    data = {"version": announcement.version}
    if workflow.TRANSITIONS[action].reason_required:
        data["comment"] = "理由"
    if via == "service":
        try:
            workflow.apply_action(announcement=announcement, action=action, actor=user, comment="理由")
        except workflow.ActionRefused:
            return False
        return True
    client = Client()  # a browser of its own: no session or message left by another attempt
    if user.is_authenticated:
        client.force_login(user, backend="accounts.backends.ActiveStaffBackend")
    response = client.post(reverse("announcements:action", args=[announcement.public_id, action]), data)
    if response.status_code == 404:
        return False
    assert response.status_code == 302
    levels = [m.level_tag for m in get_messages(response.wsgi_request)]
    assert levels in (["success"], ["error"])
    return levels == ["success"]


def assert_refused(via, *, announcement, action, user, capture):
    before = seen(announcement)
    assert action not in offered(announcement, user)
    with capture(execute=True) as callbacks:
        went_through = attempt(via, announcement=announcement, action=action, user=user)
    assert went_through is False
    assert callbacks == []
    assert seen(announcement) == before


TABLE = [
    pytest.param(action, role, via, id=f"{action}-{role}-{via}")
    for action in STARTS_FROM
    for role in ROLES
    for via in VIA
]


@pytest.mark.parametrize(("action", "role", "via"), TABLE)
def test_action_in_its_starting_state_is_allowed_only_for_the_table_roles(
    people, django_capture_on_commit_callbacks, action, role, via
):
    announcement = notice(institution=people.unit, state=STARTS_FROM[action], submitted_by=people.handler)
    user = ROLES[role](people)
    if role not in ALLOWED[action]:
        assert_refused(
            via,
            announcement=announcement,
            action=action,
            user=user,
            capture=django_capture_on_commit_callbacks,
        )
        return
    before = seen(announcement)
    assert action in offered(announcement, user)
    with django_capture_on_commit_callbacks(execute=True):
        went_through = attempt(via, announcement=announcement, action=action, user=user)
    after = seen(announcement)
    assert went_through is True
    assert (after["state"], after["version"]) == (
        workflow.TRANSITIONS[action].to_state,
        before["version"] + 1,
    )
    assert list(FlowLogEntry.objects.values_list("action", "from_state", "to_state", "actor")) == [
        (action.value, STARTS_FROM[action], workflow.TRANSITIONS[action].to_state, user.pk)
    ]


@pytest.mark.parametrize("via", VIA)
@pytest.mark.parametrize("action", list(STARTS_FROM))
def test_action_outside_its_starting_state_is_refused_even_for_its_roles(
    people, django_capture_on_commit_callbacks, action, via
):
    others = [state for state in State if state != STARTS_FROM[action]]
    for year, state in enumerate(others, start=2020):
        announcement = notice(institution=people.unit, year=year, state=state, submitted_by=people.handler)
        for role in sorted(ALLOWED[action]):
            assert_refused(
                via,
                announcement=announcement,
                action=action,
                user=ROLES[role](people),
                capture=django_capture_on_commit_callbacks,
            )


def test_user_with_both_positions_cannot_approve_what_they_submitted(
    people, login, django_capture_on_commit_callbacks
):
    # Separation of duties: holding the reviewer position does not let a submitter approve.
    own = notice(institution=people.unit, created_by=people.dual)
    client = login(people.dual)
    url = lambda action: reverse("announcements:action", args=[own.public_id, action])  # noqa: E731
    client.post(url("submit"), {"version": own.version})
    own.refresh_from_db()
    assert (own.state, own.submitted_by) == (State.PURCHASER_REVIEW, people.dual)
    assert offered(own, people.dual) == {"withdraw", "purchaser_return"}
    assert not review_queue(user=people.dual).filter(pk=own.pk).exists()
    before = seen(own)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = client.post(url("purchaser_approve"), {"version": own.version}, follow=True).content.decode()

    assert "该公告由您提交，须由其他审核人审核。" in page
    assert callbacks == []
    assert seen(own) == before
    with pytest.raises(workflow.ActionRefused):
        workflow.apply_action(announcement=own, action="purchaser_approve", actor=people.dual)
    assert seen(own) == before


def test_user_with_both_positions_approves_someone_elses_submission(people, login):
    theirs = notice(institution=people.unit, state=State.PURCHASER_REVIEW, submitted_by=people.handler)
    assert review_queue(user=people.dual).filter(pk=theirs.pk).exists()
    login(people.dual).post(
        reverse("announcements:action", args=[theirs.public_id, "purchaser_approve"]), {"version": 1}
    )
    theirs.refresh_from_db()
    assert (theirs.state, theirs.version) == (State.FINANCE_REVIEW, 2)
    assert FlowLogEntry.objects.get().actor == people.dual


# --- 我的待办 ---------------------------------------------------------------------------------


def _awaiting_schedule(p):
    announcement = notice(
        institution=p.unit,
        state=State.FINANCE_REVIEW,
        submitted_by=p.handler,
        publish_mode=PublishMode.SCHEDULED,
        scheduled_at=timezone.now() + timedelta(days=3),
    )
    Announcement.objects.filter(pk=announcement.pk).update(approved_at=timezone.now())
    announcement.refresh_from_db()
    return announcement


NOTICES = {
    "draft": lambda p: notice(institution=p.unit, created_by=p.handler),
    "purchaser_review": lambda p: notice(
        institution=p.unit, state=State.PURCHASER_REVIEW, submitted_by=p.handler
    ),
    "purchaser_review_submitted_by_dual": lambda p: notice(
        institution=p.unit, state=State.PURCHASER_REVIEW, submitted_by=p.dual
    ),
    "finance_review": lambda p: notice(
        institution=p.unit, state=State.FINANCE_REVIEW, submitted_by=p.handler
    ),
    "finance_review_approved_awaiting_schedule": _awaiting_schedule,
    "published": lambda p: notice(institution=p.unit, state=State.PUBLISHED, submitted_by=p.handler),
    "revoked": lambda p: notice(institution=p.unit, state=State.REVOKED, submitted_by=p.handler),
}
# Who finds the notice in 我的待办: the table's expectation, besides agreeing with the buttons.
IN_QUEUE_OF = {
    "draft": {"submitter", "other_handler_same_unit", "handler_and_reviewer"},
    "purchaser_review": {"purchaser_reviewer", "handler_and_reviewer"},
    "purchaser_review_submitted_by_dual": {"purchaser_reviewer"},
    "finance_review": {"finance_of_district"},
    "finance_review_approved_awaiting_schedule": set(),
    "published": set(),
    "revoked": {"submitter", "other_handler_same_unit", "handler_and_reviewer"},
}


@pytest.mark.parametrize("case", list(NOTICES))
def test_review_queue_holds_a_notice_exactly_when_an_action_waits_for_the_user(people, case):
    announcement = NOTICES[case](people)
    queued, waiting = set(), set()
    for role, person in ROLES.items():
        user = person(people)
        if review_queue(user=user).filter(pk=announcement.pk).exists():
            queued.add(role)
        # 重新填报 waits for the handlers of a revoked notice's institution (not a transition: it
        # makes a new draft).
        if any(t.waits for t in workflow.available_actions(announcement, user)) or may_refile(
            user, announcement
        ):
            waiting.add(role)
    assert queued == waiting
    assert queued == IN_QUEUE_OF[case]
