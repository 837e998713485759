"""Reviewers decide with everything in view: warnings row by row, budgets, the 说明; 通过 takes an
optional 审核意见 that the flow log keeps."""

from decimal import Decimal

import pytest
from django.urls import reverse

from announcements import workflow
from announcements.enums import State
from announcements.models import FlowLogEntry
from reservations.enums import ShortfallReason

from .workflow_factories import add_row, notice

pytestmark = pytest.mark.django_db


def shortfall_notice(world, state):
    announcement = notice(institution=world.unit, state=state, submitted_by=world.handler, rows=0)
    add_row(
        announcement.report,
        name="办公家具采购",
        code="P-1",
        category="goods",
        budget_amount=Decimal("500"),
        option="dedicated_lot",
        ratio=Decimal("20"),
        sme_amount=Decimal("100"),
        small_micro_amount=Decimal("80"),
    )
    add_row(announcement.report, name="旧数据行", code="P-2", category="", budget_amount=None)
    announcement.report.explanation = "本地符合条件的中小企业较少，预留比例未达到30%。"
    announcement.report.save()
    return announcement


def page(client, announcement):
    return client.get(reverse("announcements:detail", args=[announcement.public_id])).content.decode()


@pytest.mark.parametrize(
    ("state", "who"), [(State.PURCHASER_REVIEW, "reviewer"), (State.FINANCE_REVIEW, "finance")]
)
def test_both_reviewers_see_warnings_budgets_and_explanation_before_the_buttons(world, login, state, who):
    announcement = shortfall_notice(world, state)
    html = page(login(getattr(world, who)), announcement)
    panel = html.index("审核要点")
    assert panel < html.index(f'id="action-{workflow.TRANSITIONS[state_action(state)].action}"')
    assert "第1行：预留比例20%低于30%的要求（财库〔2020〕46号 第八条）。" in html
    assert "<td>办公家具采购</td>" in html
    assert "本地符合条件的中小企业较少，预留比例未达到30%。" in html
    assert '<td class="num">500</td>' in html  # the budget
    assert html.count('<span class="not-filled">未填</span>') == 2  # 旧数据行: category and budget
    assert "审核意见（选填）" in html


def state_action(state):
    return "purchaser_approve" if state == State.PURCHASER_REVIEW else "finance_approve"


def test_panel_is_not_shown_to_the_handler_of_a_draft(world, login):
    announcement = shortfall_notice(world, State.DRAFT)
    assert "审核要点" not in page(login(world.handler), announcement)


def test_approve_keeps_the_optional_comment_in_the_flow_log(world, login):
    announcement = shortfall_notice(world, State.PURCHASER_REVIEW)
    client = login(world.reviewer)
    url = reverse("announcements:action", args=[announcement.public_id, "purchaser_approve"])
    client.post(url, {"version": announcement.version, "comment": "说明合理，同意。"})
    entry = FlowLogEntry.objects.get(announcement=announcement, action="purchaser_approve")
    assert entry.reason == "说明合理，同意。"
    assert "说明合理，同意。" in page(client, announcement)


def test_approve_without_a_comment_still_passes(world, login):
    announcement = shortfall_notice(world, State.PURCHASER_REVIEW)
    url = reverse("announcements:action", args=[announcement.public_id, "purchaser_approve"])
    login(world.reviewer).post(url, {"version": announcement.version})
    announcement.refresh_from_db()
    assert announcement.state == State.FINANCE_REVIEW


def test_return_still_requires_a_reason(world, login):
    announcement = shortfall_notice(world, State.PURCHASER_REVIEW)
    url = reverse("announcements:action", args=[announcement.public_id, "purchaser_return"])
    login(world.reviewer).post(url, {"version": announcement.version, "comment": ""})
    announcement.refresh_from_db()
    assert announcement.state == State.PURCHASER_REVIEW
    assert not FlowLogEntry.objects.filter(announcement=announcement, action="purchaser_return").exists()


def test_changes_and_warnings_come_before_the_decision_with_a_jump_link_at_the_top(world, login):
    """A 60-row notice resubmitted after a return: the reviewer reads what changed and the warnings
    before 通过/退回, and a link at the top of the page jumps to the decision."""
    announcement = shortfall_notice(world, State.DRAFT)
    report = announcement.report
    report.rows.filter(code="P-2").delete()
    report.rows.filter(code="P-1").update(shortfall_reason=ShortfallReason.values[0])
    for n in range(2, 61):
        add_row(report, name=f"物业服务{n}", code=f"P-{n}", contract_url=f"https://www.zfcg.sh.gov.cn/c/{n}")
    for action, actor, comment in (
        ("submit", world.handler, ""),
        ("purchaser_return", world.reviewer, "请补充"),
    ):
        workflow.apply_action(announcement=announcement, action=action, actor=actor, comment=comment)
        announcement.refresh_from_db()
    report.explanation = "补充后的说明"
    report.save()
    workflow.apply_action(announcement=announcement, action="submit", actor=world.handler)
    announcement.refresh_from_db()

    html = page(login(world.reviewer), announcement)

    jump = html.index('<a href="#review-actions">跳到审核操作</a>')
    changes = html.index("自上次提交以来的变更")
    warning = html.index("第1行：预留比例20%低于30%的要求")
    decision = html.index('id="review-actions"')
    assert jump < html.index("workflow-steps") < changes < warning < decision
    assert decision < html.index('id="action-purchaser_approve"') < html.index('id="action-purchaser_return"')
    assert "<ins>补充后的说明</ins>" in html[changes:decision]
    # The decision is a target a keyboard user lands on (focusable without joining the tab order).
    assert 'id="review-actions" tabindex="-1"' in html


def test_no_jump_link_for_someone_who_has_no_decision_to_take(world, login):
    announcement = shortfall_notice(world, State.PURCHASER_REVIEW)
    html = page(login(world.handler2), announcement)
    assert "跳到审核操作" not in html
