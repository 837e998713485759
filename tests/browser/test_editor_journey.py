"""The rows editor as a new user meets it, at 1366×768 and on a 390 px phone: every required
input in view, nothing typed lost (import, leaving the page, removing a row), 提交 from the edit
page, the confirmation dialogs, 已退回 and 重新填报, a 5,000-row notice paged and saved, and no
Django default message on any page of the journey. Screenshots go to var/screenshots/."""

import re
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from playwright.sync_api import expect

from accounts.models import User
from announcements import imports, workflow
from announcements.enums import Action, State
from announcements.services import announcement_rows_import
from devdata import accounts as accounts_demo
from tests import drafting_support as S

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path("var/screenshots")
VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
DJANGO_DEFAULTS = [
    "这个字段是必填项",
    "选择一个有效的选项",
    "输入一个数字",
    "请最多提交",
    "Email",
    "This field",
]
REQUIRED = ("name", "option", "sme_amount", "small_micro_amount", "contract_url")


@pytest.fixture
def open_as(browser, live_server):
    """Sign a demo user in, in a fresh context with the given viewport; returns the page."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def _open(username, viewport="desktop"):
        context = browser.new_context(locale="zh-CN", viewport=VIEWPORTS[viewport])
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("账号").fill(username)
        page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(re.compile(r"/console/$"))
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.errors = []
        return page

    return _open


def no_django_defaults(page):
    text = page.content()
    assert [d for d in DJANGO_DEFAULTS if d in text] == []


def handler_notice(rows=3, **row_overrides):
    handler = User.objects.get(username="demo-handler")
    notice = S.draft(handler)
    if rows:
        announcement_rows_import(
            announcement=notice,
            user=handler,
            rows=[S.row(n, **row_overrides) for n in range(1, rows + 1)],
            replace=True,
        )
    notice.refresh_from_db()
    return notice


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_every_required_input_of_the_first_rows_is_in_view(live_server, open_as, viewport):
    accounts_demo.seed({})
    notice = handler_notice(rows=3, option="dedicated_lot", ratio=Decimal("40"))
    page = open_as("demo-handler", viewport)
    page.goto(f"{live_server.url}/console/notices/{notice.public_id}/edit/")
    width = VIEWPORTS[viewport]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for index in range(3):
        for name in REQUIRED:
            box = page.locator(f"[name='rows-{index}-{name}']").bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (index, name, box)
        remove = (
            page.locator("#rows-body li.row-form").nth(index).get_by_role("button", name="删除", exact=True)
        )
        box = remove.bounding_box()
        assert box["x"] + box["width"] <= width
    # Labels a screen reader reads: "第2行 项目名称".
    expect(page.get_by_label("第2行 项目名称")).to_have_value("项目2")
    # Long option names are readable in full.
    option = page.locator("[name='rows-0-option']")
    assert option.evaluate("el => el.scrollWidth <= el.clientWidth + 24")
    page.locator("#rows-title").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"editor-rows-{viewport}.png"))
    page.screenshot(path=str(SHOTS / f"editor-full-{viewport}.png"), full_page=True)
    no_django_defaults(page)
    assert page.errors == []


def test_nothing_typed_is_lost_import_guard_and_undo(live_server, open_as, tmp_path, monkeypatch):
    accounts_demo.seed({})
    notice = handler_notice(rows=2)
    page = open_as("demo-handler")
    edit = f"{live_server.url}/console/notices/{notice.public_id}/edit/"
    page.goto(edit)

    # Leaving with unsaved changes asks first; staying keeps the typing.
    page.get_by_label("说明").fill("第2行未达比例的原因")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    with page.expect_event("dialog"):
        page.get_by_role("link", name="返回公告详情").click()
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(edit)
    expect(page.get_by_label("说明")).to_have_value("第2行未达比例的原因")

    # Removing a row can be undone until 保存.
    page.locator("#rows-body li.row-form").nth(0).get_by_role("button", name="删除", exact=True).click()
    expect(page.locator("#undo-bar")).to_contain_text("已移除“第1行 项目1”")
    expect(page.locator("#row-count")).to_have_text("1")
    page.get_by_role("button", name="撤销").click()
    expect(page.locator("#rows-body li.row-form").nth(0)).to_be_visible()
    expect(page.locator("#row-count")).to_have_text("2")

    # Import saves first: the 说明 typed above survives.
    page.get_by_role("button", name="保存并从Excel导入").click()
    expect(page.locator(".messages")).to_contain_text("您的修改已保存")
    sheet = tmp_path / "rows.xlsx"
    sheet.write_bytes(S.xlsx([S.line(1), S.line(2, sme="abc")]).read())
    page.get_by_label("Excel文件（.xlsx）").set_input_files(str(sheet))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator("#import-errors")).to_contain_text("“abc”不是数字")
    expect(page.locator(".choose-again")).to_contain_text("请重新选择文件")
    page.screenshot(path=str(SHOTS / "import-refused.png"), full_page=True)
    # The import runs as a task: its page shows the progress until the worker (here: the test) has run it.
    queued, task = [], imports.rows_import_task
    monkeypatch.setattr(imports, "rows_import_task", SimpleNamespace(enqueue=lambda **kw: queued.append(kw)))
    sheet.write_bytes(S.xlsx([S.line(1), S.line(2)]).read())
    page.get_by_label("Excel文件（.xlsx）").set_input_files(str(sheet))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator("#import-progress-text")).to_contain_text("等待导入开始")
    expect(page.locator("progress#import-progress-bar")).to_be_visible()
    page.screenshot(path=str(SHOTS / "import-progress.png"), full_page=True)
    task.call(**queued[0])
    expect(page.locator(".messages")).to_contain_text("已导入2行，公告现有4行")
    expect(page.get_by_label("说明")).to_have_value("第2行未达比例的原因")
    no_django_defaults(page)
    assert page.errors == []


def test_submit_from_the_edit_page_refused_then_accepted(live_server, open_as):
    accounts_demo.seed({})
    notice = handler_notice(rows=6, option="dedicated_lot", ratio=Decimal("40"), budget_amount=Decimal("250"))
    page = open_as("demo-handler", "phone")
    page.goto(f"{live_server.url}/console/notices/{notice.public_id}/edit/")
    page.locator("[name='rows-4-ratio']").fill("20")  # row 5 below 30%
    expect(page.locator("#rows-body li.row-form").nth(4).locator(".row-policy")).to_contain_text("低于")

    page.get_by_role("button", name="提交", exact=True).click()
    dialog = page.get_by_role("dialog", name="提交公告")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="提交", exact=True).click()
    problems = page.locator("#submit-problems")
    expect(problems).to_be_focused()
    expect(problems).to_contain_text("提交前须填写说明")
    page.screenshot(path=str(SHOTS / "submit-refused-phone.png"), full_page=True)
    # Every refusal is listed: row 5's missing 未达标原因 links to the row, which asks for it.
    problems.get_by_role("link", name="第5行未达到政策规定的比例：请选择未达标原因。").click()
    expect(page).to_have_url(re.compile(r"page=1&check=1#row-5$"))
    page.locator("[name='rows-4-shortfall_reason']").select_option(label="其他")
    page.locator("#submit-problems").get_by_role("link", name=re.compile("填写说明")).click()
    page.get_by_label("说明").fill("第5行为联合体项目，比例按合同约定。")
    page.get_by_role("button", name="提交", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="提交", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("已保存并提交，等待采购人初审。")
    notice.refresh_from_db()
    assert notice.state == State.PURCHASER_REVIEW
    assert notice.report.rows.get(position=4).ratio == Decimal("20")
    no_django_defaults(page)
    assert page.errors == []


def test_confirmation_return_refile_with_returned_status(live_server, open_as):
    accounts_demo.seed({})
    notice = handler_notice(rows=2)
    handler = User.objects.get(username="demo-handler")
    workflow.apply_action(announcement=notice, action=Action.SUBMIT, actor=handler)

    # The reviewer's 退回 asks first; 取消 changes nothing, 退回 returns it.
    reviewer = open_as("demo-reviewer")
    reviewer.goto(f"{live_server.url}/console/notices/{notice.public_id}/")
    reviewer.get_by_label(re.compile("退回原因|原因")).first.fill("第2行合同链接有误")
    reviewer.locator("#action-purchaser_return").get_by_role("button", name="退回").click()
    dialog = reviewer.get_by_role("dialog")
    expect(dialog).to_contain_text("经办人会看到您填写的原因")
    reviewer.screenshot(path=str(SHOTS / "confirm-return.png"))
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    expect(reviewer.locator("#action-purchaser_return button")).to_be_focused()
    notice.refresh_from_db()
    assert notice.state == State.PURCHASER_REVIEW
    reviewer.locator("#action-purchaser_return").get_by_role("button", name="退回").click()
    reviewer.get_by_role("dialog").get_by_role("button", name="退回").click()
    expect(reviewer.locator(".messages")).to_contain_text("已退回")

    # The handler sees 已退回 first in 我的待办, and the reason at the top of the edit page.
    page = open_as("demo-handler", "phone")
    page.goto(f"{live_server.url}/console/notices/?tab=todo")
    expect(page.locator(".status-returned").first).to_have_text("已退回")
    page.screenshot(path=str(SHOTS / "list-returned-phone.png"), full_page=True)
    page.goto(f"{live_server.url}/console/notices/{notice.public_id}/edit/")
    expect(page.locator("#return-reason")).to_contain_text("第2行合同链接有误")

    # Resubmitted and published through the workflow; the public notice reads well on a phone.
    notice.refresh_from_db()
    workflow.apply_action(announcement=notice, action=Action.SUBMIT, actor=handler)
    reviewer_user = User.objects.get(username="demo-reviewer")
    workflow.apply_action(announcement=notice, action=Action.PURCHASER_APPROVE, actor=reviewer_user)
    workflow.apply_action(
        announcement=notice, action=Action.FINANCE_APPROVE, actor=User.objects.get(username="demo-finance")
    )
    notice.refresh_from_db()
    assert notice.state == State.PUBLISHED
    page.goto(f"{live_server.url}/notices/{notice.public_id}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]
    amount = page.locator(".notice-table td[data-label^='面向中小企业采购金额']").first
    expect(amount).to_be_visible()
    box = amount.bounding_box()
    assert box["x"] + box["width"] <= VIEWPORTS["phone"]["width"]
    page.locator(".notice-table").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "public-notice-phone.png"))

    # Revoked: 重新填报 copies the rows.
    finance = open_as("demo-finance")
    finance.goto(f"{live_server.url}/console/notices/{notice.public_id}/")
    expect(finance.locator("#reason-revoke-help")).to_contain_text("撤回原因将公开")
    finance.get_by_label(re.compile("撤回发布")).fill("数据有误，重新填报")
    finance.locator("#action-revoke").get_by_role("button", name="撤回发布").click()
    finance.get_by_role("dialog").get_by_role("button", name="撤回发布").click()
    expect(finance.locator(".messages")).to_contain_text("已撤回发布")

    page.goto(f"{live_server.url}/console/notices/{notice.public_id}/")
    page.get_by_role("button", name="重新填报").click()
    page.get_by_role("dialog").get_by_role("button", name="重新填报").click()
    expect(page.locator(".messages")).to_contain_text("已复制2行明细")
    expect(page.locator("[name='rows-1-name']")).to_have_value("项目2")
    page.screenshot(path=str(SHOTS / "refiled-phone.png"), full_page=True)
    for p in (page, reviewer, finance):
        no_django_defaults(p)


def test_5000_row_notice_page_37_edited_and_saved(live_server, open_as):
    accounts_demo.seed({})
    notice = handler_notice(rows=5000)
    page = open_as("demo-handler")
    page.goto(f"{live_server.url}/console/notices/{notice.public_id}/edit/")
    expect(page.locator(".rows-count").first).to_contain_text("共5000行")
    page.locator("#rows-page-jump").fill("37")
    page.get_by_role("button", name="页", exact=True).click()
    expect(page).to_have_url(re.compile(r"page=37"))
    expect(page.get_by_label("第1801行 项目名称")).to_have_value("项目1801")
    # Within the row's budget of 100万 and above its 80万 small/micro (either way it is refused).
    page.get_by_label("第1801行 面向中小企业采购金额（万元）").fill("90")
    expect(page.locator("#sme-total")).to_have_text("499990")
    page.screenshot(path=str(SHOTS / "editor-page37-desktop.png"))
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("您的修改已保存")
    expect(page).to_have_url(re.compile(r"page=37"))
    assert notice.report.rows.order_by("position", "id")[1800].sme_amount == Decimal("90")
    assert notice.report.rows.count() == 5000
    assert page.errors == []
