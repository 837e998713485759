"""The permission table: every action × every state × every role → allowed or refused.
A refused action changes nothing: not the state, not the version, not the flow log."""

import pytest
from django.contrib.auth.models import AnonymousUser

from announcements import workflow
from announcements.enums import State
from announcements.models import FlowLogEntry

from .workflow_factories import notice

ROLES = {
    "submitter": lambda w: w.handler,
    "other_handler_same_unit": lambda w: w.handler2,
    "purchaser_reviewer": lambda w: w.reviewer,
    "finance_of_district": lambda w: w.finance,
    "finance_other_district": lambda w: w.qp_finance,
    "supervisor": lambda w: w.supervisor,
    "outsider_unit": lambda w: w.outsider_handler,
    "anonymous": lambda w: AnonymousUser(),
}

ALLOWED = {
    (workflow.Action.SUBMIT, State.DRAFT): {"submitter", "other_handler_same_unit"},
    (workflow.Action.WITHDRAW, State.PURCHASER_REVIEW): {"submitter"},
    (workflow.Action.PURCHASER_APPROVE, State.PURCHASER_REVIEW): {"purchaser_reviewer"},
    (workflow.Action.PURCHASER_RETURN, State.PURCHASER_REVIEW): {"purchaser_reviewer"},
    (workflow.Action.FINANCE_APPROVE, State.FINANCE_REVIEW): {"finance_of_district"},
    (workflow.Action.FINANCE_RETURN, State.FINANCE_REVIEW): {"finance_of_district"},
    (workflow.Action.REVOKE, State.PUBLISHED): {"finance_of_district"},
}

CASES = [
    pytest.param(action, state, role, id=f"{action.value}-{state.value}-{role}")
    for action in workflow.TRANSITIONS
    for state in State
    for role in ROLES
]


@pytest.mark.parametrize(("action", "state", "role"), CASES)
def test_action_allowed_only_for_the_table_roles(world, action, state, role):
    announcement = notice(institution=world.unit, state=state, submitted_by=world.handler)
    user = ROLES[role](world)
    allowed = role in ALLOWED.get((workflow.Action(action), state), set())
    before = (announcement.state, announcement.version)

    offered = {t.action for t in workflow.available_actions(announcement, user)}
    assert (action in offered) == allowed

    if allowed:
        entry = workflow.apply_action(announcement=announcement, action=action, actor=user, comment="理由")
        announcement.refresh_from_db()
        assert announcement.state == workflow.TRANSITIONS[action].to_state
        assert list(FlowLogEntry.objects.values_list("action", "from_state", "to_state")) == [
            (entry.action, state, workflow.TRANSITIONS[action].to_state)
        ]
    else:
        with pytest.raises(workflow.ActionRefused):
            workflow.apply_action(announcement=announcement, action=action, actor=user, comment="理由")
        announcement.refresh_from_db()
        assert (announcement.state, announcement.version) == before
        assert FlowLogEntry.objects.count() == 0
