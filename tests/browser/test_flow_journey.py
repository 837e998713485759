"""流程管理 in a real browser, as a newcomer tries it: demo-admin adds 科室负责人审核 before
采购人初审, demo-finance makes 财政审核 a 会签 of two on 区发布设置; a notice passes every step, and
公告详情 shows the path and the seed's 当前步审核人 line at each step."""

import re

import pytest
from playwright.sync_api import expect

from announcements.enums import PublishMode, State
from announcements.models import Announcement
from announcements.services import announcement_create_sme
from reservations.services import report_rows_save
from tests.browser.actions import confirm

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def approve(page, title):
    page.get_by_role("link", name="其他政府采购公告").first.click()
    page.locator("tbody tr").filter(has_text=title).get_by_role("link", name="审批").click()
    page.get_by_role("button", name="通过").click()
    confirm(page)


def test_admin_adds_a_step_and_a_notice_passes_it_and_a_finance_countersign(demo, sign_in):
    admin = sign_in("demo-admin")
    admin.get_by_role("link", name="流程管理").first.click()
    rows = admin.locator("table.flow-steps tbody tr")
    expect(rows).to_have_count(2)  # today's 采购人初审 and an empty row to add a step
    added = rows.nth(1)
    added.get_by_label("步骤名称").fill("科室负责人审核")
    added.get_by_label("审核人员类型").select_option(label="指定人员")
    added.get_by_label("孙丽").check()
    rows.nth(0).get_by_label("排序").fill("2")
    added.get_by_label("排序").fill("1")
    admin.get_by_role("button", name="预览").click()
    expect(admin.locator(".flow-preview")).to_contain_text("科室负责人审核")
    expect(admin.locator(".flow-preview li").nth(1)).to_contain_text("孙丽")
    admin.get_by_role("button", name="保存").click()
    expect(admin.locator(".messages")).to_contain_text("已保存为第1版")
    expect(admin.locator(".flow-versions")).to_contain_text("科室负责人审核 → 采购人初审")

    finance = sign_in("demo-finance")
    finance.get_by_role("link", name="区发布设置").first.click()
    finance.get_by_role("link", name="编辑审核步骤").click()
    step = finance.locator("table.flow-steps tbody tr").nth(0)
    step.get_by_label("步骤名称").fill("财政会签")
    step.get_by_label("审核人员类型").select_option(label="指定人员")
    step.get_by_label("陈芳").check()
    step.get_by_label("王磊").check()
    step.get_by_label("审核方式").select_option(label="会签（全部人员通过）")
    finance.get_by_role("button", name="保存").click()
    # The district's first version is today's 财政审核, written by the migration.
    expect(finance.locator(".messages")).to_contain_text("下次提交时生效")
    expect(finance.locator(".flow-versions tbody tr").first).to_contain_text("财政会签")

    users = demo["users"]
    announcement = announcement_create_sme(
        user=users["demo-handler"],
        district=users["demo-handler"].institution.district,
        year=2024,
        publish_mode=PublishMode.ON_APPROVAL,
    )
    report_rows_save(
        report=announcement.report,
        rows=[
            {
                "name": "社区活动室设备采购",
                "code": "",
                "category": "goods",
                "option": "whole",
                "ratio": 100,
                "budget_amount": "48",
                "sme_amount": "42.8",
                "small_micro_amount": "42.8",
                "contract_url": "https://www.zfcg.sh.gov.cn/site/detail?contractId=flow-1",
            }
        ],
    )
    title = announcement.title
    handler = sign_in("demo-handler")
    handler.goto(handler.url.replace("/console/", f"/console/notices/{announcement.public_id}/"))
    handler.get_by_role("button", name="提交").click()
    confirm(handler)
    expect(handler.locator(".step-reviewers")).to_have_text("当前步审核人-或审：孙丽")
    path = handler.locator(".workflow-steps .step-name")
    expect(path).to_have_text(["开始", "科室负责人审核", "采购人初审", "财政会签", "结束"])

    approve(sign_in("demo-chief"), title)
    reviewer = sign_in("demo-reviewer")
    expect(reviewer.locator('.badge[title="待办"]')).to_have_text("1")
    approve(reviewer, title)
    # Both members wait (in the database's name order).
    expect(reviewer.locator(".step-reviewers")).to_have_text(
        re.compile(r"^当前步审核人-会签：(陈芳（待审核）、王磊|王磊（待审核）、陈芳)（待审核）$")
    )

    approve(finance, title)
    expect(finance.locator(".messages")).to_contain_text("本步骤为会签")
    expect(finance.locator(".step-reviewers")).to_have_text(
        "当前步审核人-会签：陈芳（已通过）、王磊（待审核）"
    )
    assert Announcement.objects.get(pk=announcement.pk).state == State.FINANCE_REVIEW

    second = sign_in("demo-finance2")
    approve(second, title)
    expect(second.locator(".status").first).to_have_text("已发布")
    done = second.locator(".workflow-steps")
    expect(done).to_contain_text("孙丽 于")
    expect(done).to_contain_text("张伟 于")
    expect(done).to_contain_text("陈芳 于")
    expect(done).to_contain_text("王磊 于")
