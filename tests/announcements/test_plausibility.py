"""Plausibility warnings on the edit page: each says its reason and asks for nothing (the notice
can still be submitted): a date outside the report year, a share typed as a fraction, and the
same contract link in another published notice (a compiled department copy is not one)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from announcements.enums import State
from announcements.plausibility import published_links_elsewhere
from reservations.services import report_rows_save, report_submit_problems
from tests import drafting_support as S
from tests.announcements.workflow_factories import notice, set_state

pytestmark = pytest.mark.django_db

LINK = "https://www.zfcg.sh.gov.cn/site/detail?contractId=twice"


def _edit(client, announcement):
    return client.get(reverse("announcements:edit", args=[announcement.public_id])).content.decode()


def test_a_row_dated_outside_the_report_year_and_a_fractional_share_are_warned(world, login):
    draft = S.draft(world.handler, year=2025)
    row = S.row(
        1,
        category="goods",
        option="dedicated_lot",
        ratio=Decimal("0.3"),
        budget_amount=Decimal("150"),
        sme_amount=Decimal("0.45"),
        small_micro_amount=Decimal("0.3"),
        procurement_date=date(2024, 12, 20),
    )
    report_rows_save(report=draft.report, rows=[row])

    html = _edit(login(world.handler), draft)
    assert (
        "第1行：采购日期或合同签订日期2024-12-20不在本公告年度内，请核对日期（适用该日期时有效的规定）。"
        in html
    )
    assert "第1行：预留比例0.3%低于1%，是否应为30%？预留比例按百分数填写（30%填30）。" in html


def test_the_same_link_in_another_published_notice_is_warned_without_refusing(world, login):
    published = notice(institution=world.other_unit, year=2024, rows=0)
    report_rows_save(report=published.report, rows=[S.row(1, contract_url=LINK)])
    set_state(published, State.PUBLISHED)
    draft = S.draft(world.handler, year=2025)
    report_rows_save(report=draft.report, rows=[S.row(1, contract_url=LINK), S.row(2)])

    assert published_links_elsewhere(report=draft.report) == {LINK}
    html = _edit(login(world.handler), draft)
    assert "第1行：相同的合同链接已出现在另一份已发布的公告中，请核对该项目是否重复填报。" in html
    assert "第2行：相同的合同链接" not in html
    assert report_submit_problems(report=draft.report) == []  # a hint asks for nothing


def test_a_link_only_in_drafts_or_in_the_notice_itself_is_not_published_elsewhere(world):
    other_draft = notice(institution=world.other_unit, year=2024, rows=0)
    report_rows_save(report=other_draft.report, rows=[S.row(1, contract_url=LINK)])
    draft = S.draft(world.handler, year=2025)
    report_rows_save(report=draft.report, rows=[S.row(1, contract_url=LINK)])
    set_state(draft, State.PUBLISHED)

    assert published_links_elsewhere(report=draft.report) == frozenset()
