"""The edit page's live preview follows the 说明 as it is typed, and asks for it only while empty."""

from decimal import Decimal

import pytest
from django.urls import reverse

from announcements.services import announcement_rows_import
from reservations.services import report_update
from tests import drafting_support as S

from .test_drafting_paged import served_fields

pytestmark = pytest.mark.django_db

HINT = "可以保存；提交前须填写说明。"


def shortfall_notice(user, explanation=""):
    """A draft whose one row misses the 30% minimum of a 专门采购包, so a 说明 is required."""
    notice = S.draft(user)
    announcement_rows_import(
        announcement=notice,
        user=user,
        rows=[S.row(1, option="dedicated_lot", ratio=Decimal("20"), budget_amount=Decimal("500"))],
        replace=True,
    )
    report_update(report=notice.report, competent_unit_name="主管单位", explanation=explanation)
    notice.refresh_from_db()
    return notice


def preview(client, notice, explanation):
    edit = reverse("announcements:edit", args=[notice.public_id])
    data = served_fields(client.get(edit).content.decode())
    data["report-explanation"] = explanation
    return client.post(reverse("announcements:preview", args=[notice.public_id]), data).content.decode()


def test_the_preview_shows_the_retyped_explanation_not_the_stored_one(world, login):
    notice = shortfall_notice(world.handler, explanation="旧的说明：市场上中小企业不足")
    page = preview(login(world.handler), notice, "新的说明：该项目由中型企业中标")

    assert "新的说明：该项目由中型企业中标" in page
    assert "旧的说明" not in page
    assert HINT not in page
    notice.report.refresh_from_db()
    assert notice.report.explanation == "旧的说明：市场上中小企业不足"  # a preview saves nothing


def test_the_hint_asks_for_the_explanation_only_while_it_is_empty(world, login):
    notice = shortfall_notice(world.handler)
    client = login(world.handler)

    empty = preview(client, notice, "")
    assert HINT in empty
    assert "（尚未填写）" in empty

    filled = preview(client, notice, "该项目由中型企业中标")
    assert HINT not in filled
    assert "未达到预留份额比例的说明：</strong>该项目由中型企业中标" in filled


def test_the_edit_page_asks_for_no_explanation_that_is_stored(world, login):
    notice = shortfall_notice(world.handler, explanation="该项目由中型企业中标")
    page = login(world.handler).get(reverse("announcements:edit", args=[notice.public_id])).content.decode()
    assert "该项目由中型企业中标" in page
    assert HINT not in page
