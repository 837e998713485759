"""A second notice for a year is refused with what can be done with the one there, by its state."""

import pytest

from announcements import services
from announcements.enums import State
from tests import drafting_support as S

from .workflow_factories import notice

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (State.DRAFT, "本单位已有2025年的公告（草稿）：请打开该公告继续编辑。"),
        (
            State.PURCHASER_REVIEW,
            "本单位2025年的公告正在本单位审核（当前步骤：采购人初审），暂不能编辑，也不能再新建。"
            "提交人经办人甲可在该公告页面撤回后修改；或等待审核结果，需修改时请采购人初审的审核人退回。",
        ),
        (
            State.FINANCE_REVIEW,
            "本单位2025年的公告正在财政审核（当前步骤：财政审核），暂不能编辑，也不能再新建。"
            "请等待审核结果；现在就需修改时，请财政局财政审核的审核人退回。",
        ),
        (State.PUBLISHED, "本单位2025年的公告已发布：只有财政部门撤回发布后，才能为该年份新建公告。"),
    ],
)
def test_the_refusal_says_where_the_notice_is_and_what_can_be_done(world, state, message):
    notice(institution=world.unit, year=2025, state=state, rows=1, submitted_by=world.handler)

    with pytest.raises(services.DraftingError) as refused:
        S.draft(world.handler, 2025)

    assert str(refused.value) == message


def test_the_create_page_names_the_current_step_of_a_notice_under_review(world, login):
    """Submitted through the workflow: the message names the step it waits at, never 请编辑该公告."""
    from django.urls import reverse

    from announcements import workflow

    existing = notice(institution=world.unit, year=2025, rows=1)
    workflow.apply_action(announcement=existing, action="submit", actor=world.handler)
    existing.refresh_from_db()
    workflow.apply_action(announcement=existing, action="purchaser_approve", actor=world.reviewer)

    page = login(world.handler2).post(
        reverse("announcements:create_sme"),
        {"district": world.unit.district_id, "year": 2025, "publish_mode": "on_approval"},
    )
    html = page.content.decode()
    assert "本单位2025年的公告正在财政审核（当前步骤：财政审核），暂不能编辑，也不能再新建。" in html
    assert "请编辑该公告" not in html
    assert f'<a href="/console/notices/{existing.public_id}/">打开已有的公告：' in html


def test_an_approved_notice_waiting_for_its_publication_time_says_so(world):
    from django.utils import timezone

    notice(institution=world.unit, year=2025, state=State.FINANCE_REVIEW, rows=1, approved_at=timezone.now())
    with pytest.raises(services.DraftingError) as refused:
        S.draft(world.handler, 2025)
    assert str(refused.value) == (
        "本单位2025年的公告已通过审核，正在等待定时发布，暂不能编辑，也不能再新建。需修改时，请在发布前联系财政局退回。"
    )
