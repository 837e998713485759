"""公告详情 and the POST-only action view: who sees what, steps, flow log, buttons, return reason, diff."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from announcements import workflow
from announcements.enums import State
from announcements.models import FlowLogEntry

from .workflow_factories import add_row, notice, totals


def detail(announcement):
    return reverse("announcements:detail", args=[announcement.public_id])


def action_url(announcement, action):
    return reverse("announcements:action", args=[announcement.public_id, action])


@pytest.mark.parametrize("state", [State.DRAFT, State.PURCHASER_REVIEW])
@pytest.mark.parametrize("who", ["anonymous", "outsider_handler", "other_handler", "finance", "qp_finance"])
def test_detail_of_unsubmitted_or_unit_review_notice_is_404_for_outsiders(world, client, login, state, who):
    announcement = notice(institution=world.unit, state=state, submitted_by=world.handler)
    if who != "anonymous":
        login(getattr(world, who))
    response = client.get(detail(announcement))
    assert response.status_code == 404
    assert announcement.title not in response.content.decode()


def test_detail_in_finance_review_is_404_for_another_district(world, login):
    announcement = notice(institution=world.unit, state=State.FINANCE_REVIEW, submitted_by=world.handler)
    assert login(world.qp_finance).get(detail(announcement)).status_code == 404
    assert announcement.title in login(world.finance).get(detail(announcement)).content.decode()


def test_action_on_invisible_notice_is_404_and_changes_nothing(world, client, login):
    announcement = notice(institution=world.unit)
    assert client.post(action_url(announcement, "submit")).status_code == 404
    assert login(world.outsider_handler).post(action_url(announcement, "submit")).status_code == 404
    announcement.refresh_from_db()
    assert announcement.state == State.DRAFT


def test_get_on_action_url_changes_nothing(world, login):
    announcement = notice(institution=world.unit)
    response = login(world.handler).get(action_url(announcement, "submit"))
    announcement.refresh_from_db()
    assert response.status_code == 405
    assert announcement.state == State.DRAFT
    assert FlowLogEntry.objects.count() == 0


def test_double_post_gives_one_log_row_and_a_conflict_message(world, login):
    announcement = notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    client = login(world.reviewer)
    data = {"version": announcement.version}
    first = client.post(action_url(announcement, "purchaser_approve"), data)
    second = client.post(action_url(announcement, "purchaser_approve"), data, follow=True)
    announcement.refresh_from_db()
    assert first.status_code == 302
    assert announcement.state == State.FINANCE_REVIEW
    assert FlowLogEntry.objects.count() == 1
    assert "已被他人处理" in [str(m) for m in get_messages(second.wsgi_request)][-1]


def test_submit_via_post_shows_steps_reviewers_and_log(world, login):
    announcement = notice(institution=world.unit, created_by=world.handler)
    client = login(world.handler)
    page = client.post(action_url(announcement, "submit"), {"version": 1}, follow=True).content.decode()
    assert "采购人初审" in page
    assert "当前步审核人-或审" in page and "审核人甲" in page
    assert "经办人甲" in page  # 创建人 and the log's person
    assert "提交" in page
    announcement.refresh_from_db()
    assert announcement.state == State.PURCHASER_REVIEW


def test_buttons_shown_are_the_available_actions(world, login):
    announcement = notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    page = login(world.reviewer).get(detail(announcement)).content.decode()
    assert action_url(announcement, "purchaser_approve") in page
    assert action_url(announcement, "purchaser_return") in page
    assert 'name="comment" required' in page
    assert action_url(announcement, "withdraw") not in page
    handler_page = login(world.handler).get(detail(announcement)).content.decode()
    assert action_url(announcement, "withdraw") in handler_page
    assert action_url(announcement, "purchaser_approve") not in handler_page


def test_return_without_reason_via_post_is_refused_with_message(world, login):
    announcement = notice(institution=world.unit, state=State.PURCHASER_REVIEW, submitted_by=world.handler)
    response = login(world.reviewer).post(
        action_url(announcement, "purchaser_return"), {"comment": ""}, follow=True
    )
    announcement.refresh_from_db()
    assert announcement.state == State.PURCHASER_REVIEW
    assert FlowLogEntry.objects.count() == 0
    # Back on the detail page, at the return form, with the message saying what is missing.
    assert response.redirect_chain == [(detail(announcement) + "#action-purchaser_return", 302)]
    assert '<li class="message message-error">请填写原因。</li>' in response.content.decode()


def test_returned_draft_shows_the_reason_to_the_submitter(world, login):
    announcement = notice(institution=world.unit, state=State.FINANCE_REVIEW, submitted_by=world.handler)
    response = login(world.finance).post(
        action_url(announcement, "finance_return"), {"comment": "请补充说明附件"}
    )
    # Finance no longer sees the draft: back to the list.
    assert response.url == reverse("announcements:list")
    page = login(world.handler).get(detail(announcement)).content.decode()
    assert "请补充说明附件" in page
    assert "退回" in page


def test_finance_sees_finance_step_reviewers_and_published_link_after_approval(world, login):
    announcement = notice(institution=world.unit, state=State.FINANCE_REVIEW, submitted_by=world.handler)
    client = login(world.finance)
    page = client.get(detail(announcement)).content.decode()
    assert "财政甲" in page and "青浦财政" not in page
    client.post(action_url(announcement, "finance_approve"), {"version": announcement.version})
    announcement.refresh_from_db()
    page = client.get(detail(announcement)).content.decode()
    assert announcement.state == State.PUBLISHED
    assert "已发布" in page
    assert action_url(announcement, "revoke") in page


def test_resubmitted_notice_shows_reviewers_what_changed(world, login):
    announcement = notice(institution=world.unit, rows=2, created_by=world.handler)
    workflow.apply_action(announcement=announcement, action="submit", actor=world.handler)
    announcement.refresh_from_db()
    workflow.apply_action(
        announcement=announcement, action="purchaser_return", actor=world.reviewer, comment="改"
    )
    report = announcement.report
    report.rows.filter(name="项目1").update(sme_amount=Decimal("140"))  # its budget is 150
    report.rows.filter(name="项目2").delete()
    add_row(report, name="新增项目", code="P-9", sme_amount=Decimal("10"), small_micro_amount=Decimal("5"))
    totals(report)
    announcement.refresh_from_db()
    workflow.apply_action(announcement=announcement, action="submit", actor=world.handler)

    page = login(world.reviewer).get(detail(announcement)).content.decode()
    assert "自上次提交以来的变更" in page or "Changes since the last submission" in page
    assert "新增项目" in page
    assert "项目2" in page  # removed
    assert "<del>120.5</del> → <ins>140</ins>" in page  # changed amount of 项目1, as on the page
    assert "<del>241</del> → <ins>150</ins>" in page  # SME total before and after


def test_flow_log_page_lists_every_entry(world, login):
    announcement = notice(institution=world.unit)
    for action, user, comment in [
        ("submit", world.handler, ""),
        ("withdraw", world.handler, ""),
        ("submit", world.handler, ""),
        ("purchaser_return", world.reviewer, "理由一"),
        ("submit", world.handler, ""),
        ("purchaser_approve", world.reviewer, ""),
    ]:
        announcement.refresh_from_db()
        workflow.apply_action(announcement=announcement, action=action, actor=user, comment=comment)
    client = login(world.handler)
    detail_page = client.get(detail(announcement)).content.decode()
    assert "查看全部" in detail_page
    full = client.get(reverse("announcements:flow_log", args=[announcement.public_id])).content.decode()
    assert full.count("<tr>") == 7  # header + 6 entries
    assert "理由一" in full
