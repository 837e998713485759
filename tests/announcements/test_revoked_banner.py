"""A revoked notice says so at the top of its page, with when and why (not only in the flow log)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from announcements import workflow
from announcements.enums import State

from .workflow_factories import notice

pytestmark = pytest.mark.django_db


def test_the_revoked_notice_shows_its_revocation_reason_above_the_steps(world, login):
    announcement = notice(institution=world.unit, year=2024, state=State.PUBLISHED)
    workflow.apply_action(
        announcement=announcement, action="revoke", actor=world.finance, comment="合同链接有误"
    )
    announcement.refresh_from_db()

    url = reverse("announcements:detail", args=[announcement.public_id])
    page = login(world.handler).get(url).content.decode()

    when = timezone.localtime(announcement.revoked_at).strftime("%Y-%m-%d %H:%M")
    assert f"<strong>已于{when}撤回发布。撤回原因：</strong> 合同链接有误</div>" in page
    assert page.index("revoke-reason") < page.index("workflow-steps")
