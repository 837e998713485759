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
            "本单位2025年的公告正在审核（采购人初审），暂不能编辑：仍在第一步审核时可打开该公告撤回后修改，"
            "否则请审核人退回。",
        ),
        (
            State.FINANCE_REVIEW,
            "本单位2025年的公告正在审核（财政审核），暂不能编辑：仍在第一步审核时可打开该公告撤回后修改，"
            "否则请审核人退回。",
        ),
        (State.PUBLISHED, "本单位2025年的公告已发布：只有财政部门撤回发布后，才能为该年份新建公告。"),
    ],
)
def test_the_refusal_says_where_the_notice_is_and_what_can_be_done(world, state, message):
    notice(institution=world.unit, year=2025, state=state, rows=1)

    with pytest.raises(services.DraftingError) as refused:
        S.draft(world.handler, 2025)

    assert str(refused.value) == message
