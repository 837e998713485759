"""Every page a user can reach is valid HTML and has no serious or critical axe-core violation
(issue 17). The walk loads the demo data, signs each demo person in once (one browser context
each) and visits the pages that person uses; the Nu HTML checker then reads all the server HTML
in one run. To check a new page, add a line to WALK."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO, StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils.text import slugify
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from accounts.models import User
from announcements.enums import Kind, State
from announcements.models import Announcement
from announcements.rendering import render_announcement
from devdata.accounts import UNIT_NAME
from oversight.models import FilingCampaign, SpotCheckSample
from tests import drafting_support as S
from tests.public.conftest import make_notice

from . import checkers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _checkers_installed():
    # Missing tools fail rather than skip: a skipped walk would pass in CI without checking anything.
    if not checkers.tools_available():
        pytest.fail(checkers.MISSING_TOOLS)


@dataclass(frozen=True)
class Visit:
    """Open a path (with {placeholders} from `demo_targets`) and expect this status."""

    name: str
    path: str
    status: int = 200


@dataclass(frozen=True)
class Send:
    """Open a path, then do something on it that loads another page (send a form with a mistake)."""

    name: str
    path: str
    act: Callable[[Page], None]
    status: int = 200


@dataclass(frozen=True)
class Rendered:
    """An error page that no click reaches on a healthy server (500, 503, 400): the template is
    rendered as Django's handler renders it and served under the site's address, styles and CSP
    included."""

    name: str
    template: str = ""
    status: int = 200
    html: str = ""  # served as it is instead of a template (the checkers' own test)


def _wrong_password(page):
    page.get_by_label("账号").fill("demo-handler")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()


def _expired_form(page):
    # The CSRF cookie is gone (expired, blocked): Django answers with templates/403_csrf.html.
    page.context.clear_cookies()
    _wrong_password(page)


def _generate_2025(page):
    page.get_by_label("年份").select_option("2025")
    page.get_by_role("button", name="生成公告").click()


def _generate_2024(page):
    # demo-handler's 2024 notice waits for demo-reviewer: the form answers 本单位已有…的公告.
    page.get_by_label("年份").select_option("2024")
    page.get_by_role("button", name="生成公告").click()


def _edit_with_mistakes(page):
    page.get_by_label("公告标题").fill("")
    page.locator("input[name$='-sme_amount']").first.fill("abc")  # the first row's SME amount
    page.get_by_role("button", name="保存", exact=True).click()


def _import_with_mistakes(page):
    sheet = S.xlsx([S.line(1), S.line(2, sme="abc"), S.line(3, ratio=0)]).read()
    page.get_by_label("Excel文件（.xlsx）").set_input_files(
        {"name": "rows.xlsx", "mimeType": "application/octet-stream", "buffer": sheet}
    )
    page.get_by_role("button", name="导入", exact=True).click()
    page.locator("#import-errors").wait_for()


def _record_without_remarks(page):
    first = page.locator("tbody tr").first
    first.get_by_label("结果").select_option(label="不符合")
    first.get_by_role("button", name="记录结果").click()
    page.locator("tr.has-errors").wait_for()


def _staff_form_with_mistakes(page):
    page.get_by_role("button", name="保存").click()


SITE = "上海政府采购网"  # the site's name, last in every page title
ANONYMOUS = None
WALK: list[tuple[str | None, list]] = [
    (
        ANONYMOUS,
        [
            Visit("public home", "/"),
            Visit("public list, search results", "/notices/?q=教育"),
            Visit("public list, no result", "/notices/?q=没有这个"),
            Visit(
                "public list, filtered with a mistake", "/notices/?year=1999&date_from=2026-13-01", status=400
            ),
            Visit("public detail", "/notices/{published}/"),
            Visit("public detail, revoked (410)", "/notices/{revoked}/", status=410),
            Visit("public detail, department notice", "/notices/{department}/"),
            Visit("public detail, a unit's notice in a department", "/notices/{school}/"),
            Visit("page not found (404)", "/notices/no-such-page/", status=404),
            Visit("sign in", "/accounts/login/"),
            Send("sign in, wrong password", "/accounts/login/", _wrong_password),
            Send("form expired (403 CSRF)", "/accounts/login/", _expired_form, status=403),
            Rendered("server error (500)", "500.html", 500),
            Rendered("service unavailable (503)", "503.html", 503),
            Rendered("bad request (400)", "400.html", 400),
        ],
    ),
    (
        "demo-handler",
        [
            Visit("console home, handler", "/console/"),
            Visit("notice list, to-do", "/console/notices/"),
            Visit("notice list, all", "/console/notices/?tab=all"),
            Visit("new notice, choose the kind", "/console/notices/new/"),
            Visit("new SME notice", "/console/notices/new/sme/"),
            Send("new SME notice, year taken", "/console/notices/new/sme/", _generate_2024),
            Visit("new manual notice", "/console/notices/new/manual/"),
            Visit("notice detail, returned", "/console/notices/{returned}/"),
            Visit("notice detail, purchaser review", "/console/notices/{purchaser_review}/"),
            Visit("notice detail, finance review", "/console/notices/{finance_review}/"),
            Visit("notice detail, published", "/console/notices/{published}/"),
            Visit("notice detail, revoked", "/console/notices/{revoked}/"),
            Visit("flow log", "/console/notices/{published}/log/"),
            Visit("editor with rows", "/console/notices/{draft}/edit/"),
            Send("editor with mistakes", "/console/notices/{draft}/edit/", _edit_with_mistakes),
            Visit("import rows", "/console/notices/{draft}/import/"),
            Send(
                "import rows, errors in the file", "/console/notices/{draft}/import/", _import_with_mistakes
            ),
            Visit("change password", "/accounts/password/"),
        ],
    ),
    (
        "demo-other-handler",
        [
            Send("editor, empty (a new notice)", "/console/notices/new/sme/", _generate_2025),
        ],
    ),
    (
        "demo-dept-handler",
        [
            Visit("notice detail, department notice", "/console/notices/{department}/"),
            Visit("department summary", "/console/notices/{department}/department/"),
        ],
    ),
    (
        "demo-reviewer",
        [
            Visit("notice list, reviewer's to-do", "/console/notices/"),
            Visit("notice detail, awaiting the reviewer", "/console/notices/{purchaser_review}/"),
        ],
    ),
    (
        "demo-finance",
        [
            Visit("console home, finance", "/console/"),
            Visit("notice detail, awaiting finance", "/console/notices/{finance_review}/"),
            Visit("filing campaigns", "/console/oversight/"),
            Visit("new filing campaign", "/console/oversight/campaigns/new/"),
            Visit("filing campaign", "/console/oversight/campaigns/{campaign}/"),
            Visit("filing campaign, edit", "/console/oversight/campaigns/{campaign}/edit/"),
            Visit("filing campaign, units", "/console/oversight/campaigns/{campaign}/units/"),
            Visit("district comparison", "/console/oversight/districts/"),
            Visit("statistics", "/console/oversight/statistics/?year=2025"),
        ],
    ),
    (
        "demo-supervisor",
        [
            Visit("console home, supervisor", "/console/"),
            Visit("spot checks", "/console/oversight/samples/"),
            Visit("spot-check sample", "/console/oversight/samples/{sample}/"),
            Send(
                "spot-check sample, refused record",
                "/console/oversight/samples/{sample}/",
                _record_without_remarks,
                status=400,
            ),
            Visit("district comparison, municipal", "/console/oversight/districts/"),
        ],
    ),
    (
        "demo-admin",
        [
            Visit("staff list", "/console/staff/"),
            Visit("staff list, deleted", "/console/staff/?tab=deleted"),
            Visit("new staff member", "/console/staff/new/"),
            Send("new staff member, mistakes", "/console/staff/new/", _staff_form_with_mistakes),
            Visit("staff detail", "/console/staff/{staff}/"),
            Visit("staff edit", "/console/staff/{staff}/edit/"),
            Visit("staff positions", "/console/staff/{staff}/positions/"),
            Visit("staff batch positions", "/console/staff/batch/positions/?ids={staff}"),
            Visit("staff delete, confirm", "/console/staff/{staff}/delete/"),
        ],
    ),
]


def demo_targets() -> dict[str, str]:
    """The ids the walk's paths name, from the demo data."""

    def notice(year, state, **extra):
        return (
            Announcement.objects.filter(institution__name=UNIT_NAME, year=year, state=state, **extra)
            .values_list("public_id", flat=True)
            .get()
        )

    return {
        # The drafting demo is the 2022 notice finance returned (2025 is left free for 新增).
        "draft": notice(2022, State.DRAFT),
        "returned": notice(2022, State.DRAFT),
        "purchaser_review": notice(2024, State.PURCHASER_REVIEW),
        "finance_review": notice(2023, State.FINANCE_REVIEW),
        "published": notice(2021, State.PUBLISHED),
        "revoked": notice(2021, State.REVOKED),
        "campaign": FilingCampaign.objects.get(district__code="310107").pk,
        "sample": SpotCheckSample.objects.order_by("pk").first().pk,
        "staff": User.objects.get(username="demo-reviewer").pk,
        "department": Announcement.objects.get(kind=Kind.DEPARTMENT, year=2024).public_id,
        "school": Announcement.objects.get(institution__name="上海市普陀区曹杨中学", year=2024).public_id,
    }


def open_step(page, base_url, step, targets):
    """Load the step's page; returns the response (its text is the server's HTML)."""
    if isinstance(step, Rendered):
        url = f"{base_url}/__rendered__/{slugify(step.name)}"
        # The site's own headers, so that the page meets the same Content-Security-Policy.
        csp = page.request.get(f"{base_url}/notices/").headers["content-security-policy"]
        headers = {"content-type": "text/html; charset=utf-8", "content-security-policy": csp}
        body = step.html or render_to_string(step.template)
        page.route(url, lambda route: route.fulfill(status=step.status, body=body, headers=headers))
        response = page.goto(url)
    elif isinstance(step, Send):
        page.goto(base_url + step.path.format(**targets))
        with page.expect_navigation() as navigation:
            step.act(page)
        response = navigation.value
    else:
        response = page.goto(base_url + step.path.format(**targets))
    page.wait_for_load_state("load")
    assert response.status == step.status, f"{step.name}: {response.url} answered {response.status}"
    return response


def sign_in(context, base_url, username):
    page = context.new_page()
    page.set_default_timeout(10000)
    if username is not ANONYMOUS:
        page.goto(f"{base_url}/accounts/login/")
        page.get_by_label("账号").fill(username)
        page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(f"{base_url}/console/")
    return page


def walk(browser, base_url, walk_list, html_checker, targets=None):
    """Visit every step of every person, one browser context each: axe runs on each page at
    once; the server HTML is kept for one run of the Nu HTML checker afterwards."""
    findings = []
    for username, steps in walk_list:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
        checkers.install_axe(context)
        try:
            page = sign_in(context, base_url, username)
            for step in steps:
                response = open_step(page, base_url, step, targets or {})
                findings += checkers.axe_findings(page, step.name)
                findings += checkers.portal_findings(page, step.name, SITE)
                html_checker.add(step.name, response.url, response.text())
        finally:
            context.close()
    return findings


def test_every_page_is_valid_html_without_serious_axe_violations(browser, live_server, tmp_path):
    call_command("seed_demo", stdout=StringIO())
    html_checker = checkers.HtmlChecker(tmp_path / "pages")

    findings = walk(browser, live_server.url, WALK, html_checker, demo_targets())
    findings += html_checker.run()

    assert len(html_checker.pages) == sum(len(steps) for _, steps in WALK)
    assert findings == [], checkers.report(findings)


BROKEN_LABEL = Template(
    '{% extends "base.html" %}{% block title %}Broken label{% endblock %}{% block content %}'
    '<h1>Broken label</h1><label for="missing">Name</label><input type="text" name="name">'
    "<table><tr><td>1</td></tr></table>"
    "{% endblock %}"
)


def test_a_broken_label_fails_with_page_rule_and_element(browser, live_server, tmp_path):
    html = BROKEN_LABEL.render(Context({}))
    html_checker = checkers.HtmlChecker(tmp_path / "pages")
    broken = [(ANONYMOUS, [Rendered("page with a broken label", html=html)])]

    findings = walk(browser, live_server.url, broken, html_checker)
    findings += html_checker.run()

    message = checkers.report(findings)
    assert "page with a broken label (/__rendered__/page-with-a-broken-label)" in message
    # The HTML checker: a label pointing at no control.
    assert (
        "[html] The value of the “for” attribute of the “label” element must be the ID of a "
        "non-hidden form control." in message
    )
    assert re.search(r'element: line \d+: <label for="missing">', message)
    # axe: the text box has no label.
    assert "[axe] label (critical): Form elements must have labels" in message
    assert 'element: input  <input type="text" name="name">' in message
    # The portal's expectations: a table has a caption and header cells.
    assert "[portal] table-caption: A table has a caption" in message
    assert "[portal] table-headers: A table has header cells." in message


def test_printed_notice_repeats_the_table_header_on_every_page(world, live_server, page):
    rows = [(f"保洁{n}", "10", "8") for n in range(1, 91)]  # short names: one line each
    notice = make_notice(institution=world.unit, rows=rows)
    notice.published_html = render_announcement(notice)
    notice.save(update_fields=["published_html"])

    page.goto(f"{live_server.url}/notices/{notice.public_id}/")
    pdf = PdfReader(BytesIO(page.pdf(format="A4")))  # Chromium prints with the print stylesheet
    texts = [sheet.extract_text() for sheet in pdf.pages]

    with_rows = [text for text in texts if "保洁" in text]
    assert len(with_rows) >= 3
    assert [text.count("项目名称") for text in with_rows] == [1] * len(with_rows)
    assert "保洁90" in with_rows[-1]
