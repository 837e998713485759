"""Publication and revocation through the workflow gateway reach the public site at once."""

import pytest
from django.urls import reverse

from announcements.enums import State
from announcements.workflow import Action, apply_action
from tests.announcements import workflow_factories as wf

pytestmark = pytest.mark.django_db


def test_finance_approval_publishes_searchable_notice_and_revocation_removes_it(
    client, world, django_capture_on_commit_callbacks
):
    notice = wf.notice(institution=world.unit, state=State.FINANCE_REVIEW, submitted_by=world.handler, rows=2)
    assert list(client.get(reverse("public:list"), {"q": "项目2"}).context["notices"]) == []

    with django_capture_on_commit_callbacks(execute=True):
        apply_action(announcement=notice, action=Action.FINANCE_APPROVE, actor=world.finance)

    found = client.get(reverse("public:list"), {"q": "项目2"})
    assert [n.public_id for n in found.context["notices"]] == [notice.public_id]
    assert client.get(reverse("public:detail", args=[notice.public_id])).status_code == 200

    notice.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        apply_action(announcement=notice, action=Action.REVOKE, actor=world.finance, comment="金额有误")

    assert notice.title not in client.get(reverse("public:list")).content.decode()
    gone = client.get(reverse("public:detail", args=[notice.public_id]))
    assert gone.status_code == 410
    assert "金额有误" in gone.content.decode()
