"""Department notices (部门汇总): compiling, subtotals, differences and 重新汇总, the frozen
snapshot, the same review, the grouped rendering, and who may see what."""

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.enums import Position
from announcements import workflow
from announcements.department import (
    department_differences,
    department_notice_create,
    department_notice_recompile,
)
from announcements.enums import Kind, State
from announcements.rendering import notice_html, render_announcement
from announcements.services import DraftingError
from reservations.models import ReservedProject
from tests import factories as F

from .workflow_factories import add_row, notice, set_state, totals


def act(announcement, action, user, comment=""):
    return workflow.apply_action(announcement=announcement, action=action, actor=user, comment=comment)


@pytest.fixture
def dept(world):
    bureau = F.institution(name="上海市普陀区教育局")
    school_a = F.institution(name="甲中学", competent_unit=bureau)
    school_b = F.institution(name="乙小学", competent_unit=bureau)
    school_none = F.institution(name="丙幼儿园", competent_unit=bureau)  # no notice at all
    school_revoked = F.institution(name="丁中学", competent_unit=bureau)
    school_waiting = F.institution(name="戊小学", competent_unit=bureau)  # still in 采购人初审
    other_bureau = F.institution(name="上海市普陀区卫健委")
    other_school = F.institution(name="己医院", competent_unit=other_bureau)

    own = notice(institution=bureau, year=2025, state=State.FINANCE_REVIEW, rows=1)
    a = notice(institution=school_a, year=2025, state=State.PUBLISHED, rows=0)
    add_row(a.report, name="甲项目一", sme_amount=Decimal("100.25"), small_micro_amount=Decimal("80"))
    add_row(a.report, name="甲项目二", sme_amount=Decimal("50"), small_micro_amount=Decimal("10.5"))
    b = notice(institution=school_b, year=2025, state=State.FINANCE_REVIEW, rows=0)
    add_row(b.report, name="乙项目", sme_amount=Decimal("30.000001"), small_micro_amount=Decimal("30"))
    notice(institution=school_revoked, year=2025, state=State.REVOKED, rows=2)
    notice(institution=school_waiting, year=2025, state=State.PURCHASER_REVIEW, rows=3)
    notice(institution=other_school, year=2025, state=State.PUBLISHED, rows=4)
    notice(institution=school_a, year=2024, state=State.PUBLISHED, rows=5)  # another year
    return SimpleNamespace(
        bureau=bureau,
        school_a=school_a,
        school_b=school_b,
        school_none=school_none,
        school_revoked=school_revoked,
        school_waiting=school_waiting,
        other_school=other_school,
        own=own,
        a=a,
        b=b,
        handler=F.user(institution=bureau, positions=[Position.HANDLER], full_name="局经办"),
        reviewer=F.user(institution=bureau, positions=[Position.PURCHASER_REVIEWER], full_name="局审核"),
        school_handler=F.user(institution=school_a, positions=[Position.HANDLER], full_name="校经办"),
        school_reviewer=F.user(institution=school_a, positions=[Position.PURCHASER_REVIEWER]),
    )


def test_compile_totals_equal_the_sums_of_the_filed_units_rows(dept):
    announcement = department_notice_create(user=dept.handler, year=2025)
    report = announcement.report
    filed = {u.institution.name: u.filed for u in report.units.select_related("institution")}
    assert filed == {
        "上海市普陀区教育局": True,
        "甲中学": True,
        "乙小学": True,
        "丙幼儿园": False,
        "丁中学": False,
        "戊小学": False,
    }
    sources = [dept.own.report, dept.a.report, dept.b.report]
    expected_sme = sum((r.sme_total for r in sources), Decimal("0"))
    expected_small = sum((r.small_micro_total for r in sources), Decimal("0"))
    assert report.sme_total == expected_sme == Decimal("120.5") + Decimal("150.25") + Decimal("30.000001")
    assert report.small_micro_total == expected_small
    assert sorted(ReservedProject.objects.filter(report=report).values_list("unit__name", "name")) == sorted(
        [
            ("上海市普陀区教育局", "项目1"),
            ("甲中学", "甲项目一"),
            ("甲中学", "甲项目二"),
            ("乙小学", "乙项目"),
        ]
    )
    assert announcement.kind == Kind.DEPARTMENT and announcement.district == dept.bureau.district


def test_rendering_groups_rows_by_unit_with_a_subtotal_each(dept):
    announcement = department_notice_create(user=dept.handler, year=2025)
    html = str(render_announcement(announcement))
    # The competent unit's own rows first, then its units by name.
    assert html.index("上海市普陀区教育局") < html.index("乙小学") < html.index("甲中学")
    # 甲中学's 小计: 150.25 and 90.5, share 60.23; the department's total 300.750001 / 220.5.
    assert "150.25" in html and "90.5" in html and "60.23" in html
    assert "300.750001" in html and "220.5" in html
    assert html.count('class="subtotal"') == 3
    assert "丙幼儿园" in html and "丁中学" in html and "戊小学" in html  # listed as not filed


def test_a_unit_changed_after_compiling_differs_until_recompiled(dept):
    announcement = department_notice_create(user=dept.handler, year=2025)
    assert department_differences(announcement=announcement) == []
    row = dept.a.report.rows.get(name="甲项目一")
    row.sme_amount = Decimal("200")
    row.save()
    totals(dept.a.report)
    assert [d.institution for d in department_differences(announcement=announcement)] == [dept.school_a]
    with pytest.raises(workflow.ActionRefused, match="甲中学"):
        act(announcement, "submit", dept.handler)
    department_notice_recompile(announcement=announcement, user=dept.handler, version=announcement.version)
    announcement.refresh_from_db()
    assert department_differences(announcement=announcement) == []
    assert announcement.report.sme_total == Decimal("120.5") + Decimal("250") + Decimal("30.000001")


def test_a_unit_that_files_after_compiling_differs(dept):
    announcement = department_notice_create(user=dept.handler, year=2025)
    waiting = dept.school_waiting.announcements.get(year=2025)
    set_state(waiting, State.FINANCE_REVIEW)
    assert [d.institution for d in department_differences(announcement=announcement)] == [dept.school_waiting]


def test_the_submitted_snapshot_does_not_move(dept):
    announcement = department_notice_create(user=dept.handler, year=2025)
    act(announcement, "submit", dept.handler)
    announcement.refresh_from_db()
    before = str(render_announcement(announcement))
    row = dept.b.report.rows.get()
    row.sme_amount = Decimal("999")
    row.save()
    totals(dept.b.report)
    announcement.refresh_from_db()
    assert announcement.report.sme_total == Decimal("300.750001")
    assert str(render_announcement(announcement)) == before
    assert "999" not in before


def test_the_same_review_publishes_one_grouped_notice(dept, world):
    announcement = department_notice_create(user=dept.handler, year=2025)
    act(announcement, "submit", dept.handler)
    announcement.refresh_from_db()
    # A school's reviewer is not the department's reviewer.
    assert workflow.available_actions(announcement, dept.school_reviewer) == []
    act(announcement, "purchaser_approve", dept.reviewer)
    announcement.refresh_from_db()
    assert workflow.available_actions(announcement, world.qp_finance) == []
    act(announcement, "finance_approve", world.finance)
    announcement.refresh_from_db()
    assert announcement.state == State.PUBLISHED
    html = str(notice_html(announcement))
    assert "甲中学" in html and html.count('class="subtotal"') == 3


def test_one_live_department_notice_per_year(dept):
    department_notice_create(user=dept.handler, year=2025)
    with pytest.raises(DraftingError):
        department_notice_create(user=dept.handler, year=2025)


def test_handler_compiles_through_the_pages_and_sees_units_with_subtotals(dept, login):
    client = login(dept.handler)
    response = client.post(reverse("announcements:department_create"), {"year": "2025"})
    announcement = dept.bureau.announcements.get(kind=Kind.DEPARTMENT)
    assert response.url == reverse("announcements:department", args=[announcement.public_id])
    page = client.get(response.url).content.decode()
    assert "甲中学" in page and "150.25" in page and "乙小学" in page and "30.000001" in page
    assert "已说明" in page  # each unit's 说明


def test_subordinate_and_outsiders_cannot_open_or_edit_the_department_draft(dept, world, login):
    announcement = department_notice_create(user=dept.handler, year=2025)
    page = reverse("announcements:department", args=[announcement.public_id])
    recompile = reverse("announcements:department_recompile", args=[announcement.public_id])
    detail = reverse("announcements:detail", args=[announcement.public_id])
    for user in (dept.school_handler, world.finance, world.qp_finance, world.outsider_handler):
        client = login(user)
        assert client.get(page).status_code == 404
        assert client.get(detail).status_code == 404
        assert client.post(recompile, {"version": announcement.version}).status_code == 404
        assert (
            client.post(page, {"version": announcement.version, "title": "改", "explanation": ""}).status_code
            == 404
        )
    # A school handler cannot create a department notice either.
    assert login(dept.school_handler).get(reverse("announcements:department_create")).status_code == 404
    announcement.refresh_from_db()
    assert announcement.title != "改" and announcement.version == 1


def test_saving_a_department_notice_submitted_meanwhile_says_so_and_keeps_it(dept, login):
    announcement = department_notice_create(user=dept.handler, year=2025)
    page = reverse("announcements:department", args=[announcement.public_id])
    client = login(dept.handler)
    act(announcement, workflow.Action.SUBMIT, dept.handler)

    response = client.post(
        page, {"version": announcement.version, "title": "改", "explanation": ""}, follow=True
    )

    assert "公告在您打开后已被提交或已被他人修改，未保存。" in response.content.decode()
    announcement.refresh_from_db()
    assert announcement.title != "改"
    assert announcement.state == State.PURCHASER_REVIEW


def test_finance_of_another_district_never_sees_the_submitted_department_notice(dept, world, login):
    announcement = department_notice_create(user=dept.handler, year=2025)
    act(announcement, "submit", dept.handler)
    act(announcement, "purchaser_approve", dept.reviewer)
    detail = reverse("announcements:detail", args=[announcement.public_id])
    assert login(world.qp_finance).get(detail).status_code == 404
    assert "甲中学" in login(world.finance).get(detail).content.decode()


def test_the_units_notice_links_to_the_department_notice(dept, login):
    announcement = department_notice_create(user=dept.handler, year=2025)
    page = login(dept.school_handler).get(reverse("announcements:detail", args=[dept.a.public_id]))
    assert announcement.title in page.content.decode()
    assert "上海市普陀区教育局" in page.content.decode()  # its competent unit, named on its notice


def test_competent_unit_must_be_in_the_same_district_or_municipal_level(world):
    municipal = F.institution(name="市教委", district_code="319900")
    school = F.institution(name="某校", district_code="310107", competent_unit=world.outsider)
    with pytest.raises(ValidationError) as error:
        school.full_clean()
    assert "competent_unit" in error.value.message_dict
    school.competent_unit = municipal
    school.full_clean()
    school.competent_unit = world.other_unit
    school.full_clean()


def _published_department(dept, world):
    announcement = department_notice_create(user=dept.handler, year=2025)
    act(announcement, "submit", dept.handler)
    act(announcement, "purchaser_approve", dept.reviewer)
    act(announcement, "finance_approve", world.finance)
    announcement.refresh_from_db()
    return announcement


def test_public_page_api_ocds_and_downloads_carry_each_rows_unit(dept, world, client):
    from announcements.selectors import announcements_published
    from public.formats.rows import headers, published_rows

    announcement = _published_department(dept, world)
    page = client.get(reverse("public:detail", args=[announcement.public_id])).content.decode()
    assert page.count('class="subtotal"') == 3 and "甲中学" in page
    api = client.get(f"/api/notices/{announcement.public_id}/").json()
    assert sorted((r["unit"], r["name"]) for r in api["rows"]) == sorted(
        [
            ("上海市普陀区教育局", "项目1"),
            ("甲中学", "甲项目一"),
            ("甲中学", "甲项目二"),
            ("乙小学", "乙项目"),
        ]
    )
    ocds = client.get("/api/ocds/releases/").json()
    units = {
        r["tender"]["title"]: r["tender"]["smeReservation"]["budgetUnit"]
        for r in ocds["releases"]
        if announcement.public_id
        in r["id"]  # the ocid is stable across refiling; the release id names the notice
    }
    assert units == {
        "项目1": "上海市普陀区教育局",
        "甲项目一": "甲中学",
        "甲项目二": "甲中学",
        "乙项目": "乙小学",
    }
    rows = list(published_rows(announcements_published()))
    budget_unit = headers().index("预算单位")
    # 甲中学 published its own notice: the downloads list its projects there, not a second time.
    assert sorted((r[8], r[budget_unit]) for r in rows if r[0] == announcement.public_id) == [
        ("乙项目", "乙小学"),
        ("项目1", "上海市普陀区教育局"),
    ]
    assert sorted((r[8], r[budget_unit]) for r in rows if r[0] == dept.a.public_id) == [
        ("甲项目一", "甲中学"),
        ("甲项目二", "甲中学"),
    ]


def test_department_only_district_stops_units_at_filing_and_the_department_publishes(dept, world, login):
    client = login(world.finance)
    response = client.post(reverse("oversight:district_setting"), {"unit_publishing": "department"})
    assert response.status_code == 302
    dept.b.refresh_from_db()
    # 乙小学 waits in 财政审核: finance may return it, never publish it alone.
    names = [t.action.value for t in workflow.available_actions(dept.b, world.finance)]
    assert names == ["finance_return"]
    with pytest.raises(workflow.ActionRefused):
        act(dept.b, "finance_approve", world.finance)
    assert dept.b.pk not in set(
        workflow.Announcement.objects.filter(workflow.awaiting_filter(world.finance)).values_list(
            "pk", flat=True
        )
    )
    # The competent unit's own notice and the department notice still publish.
    assert "finance_approve" in [t.action.value for t in workflow.available_actions(dept.own, world.finance)]
    announcement = department_notice_create(user=dept.handler, year=2025)
    act(announcement, "submit", dept.handler)
    act(announcement, "purchaser_approve", dept.reviewer)
    act(announcement, "finance_approve", world.finance)
    announcement.refresh_from_db()
    assert announcement.state == State.PUBLISHED and "乙项目" in announcement.published_html


def test_only_the_districts_finance_bureau_changes_the_setting(dept, world, login):
    for user in (dept.handler, world.qp_finance):
        login(user).post(reverse("oversight:district_setting"), {"unit_publishing": "department"})
    world.finance.institution.district.refresh_from_db()
    assert world.finance.institution.district.unit_publishing == "own"
    assert login(dept.handler).get(reverse("oversight:district_setting")).status_code == 404


def _queries_for_department_page(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_department_page_queries_do_not_grow_with_units(world, login):
    bureau = F.institution(name="某局")
    handler = F.user(institution=bureau, positions=[Position.HANDLER])
    first = F.institution(name="单位1", competent_unit=bureau)
    notice(institution=first, year=2025, state=State.PUBLISHED, rows=2)
    one = department_notice_create(user=handler, year=2025)
    client = login(handler)
    url_one = reverse("announcements:department", args=[one.public_id])
    few = _queries_for_department_page(client, url_one)
    for n in range(2, 5):
        unit = F.institution(name=f"单位{n}", competent_unit=bureau)
        notice(institution=unit, year=2025, state=State.FINANCE_REVIEW, rows=n)
    department_notice_recompile(announcement=one, user=handler, version=one.version)
    many = _queries_for_department_page(client, url_one)
    assert one.report.units.filter(filed=True).count() == 4
    assert many == few


def test_the_compiled_rows_cannot_be_edited_or_imported_by_hand(dept, login):
    announcement = department_notice_create(user=dept.handler, year=2025)
    client = login(dept.handler)
    for name in ("edit", "import_rows", "preview"):
        url = reverse(f"announcements:{name}", args=[announcement.public_id])
        assert client.get(url).status_code in (404, 405)
        assert client.post(url, {}).status_code == 404
    with pytest.raises(DraftingError):
        from announcements.services import announcement_rows_import

        announcement_rows_import(announcement=announcement, user=dept.handler, rows=[], replace=True)
    assert announcement.report.rows.count() == 4


def test_links_both_ways_on_the_console_detail_pages(dept, world, login):
    announcement = _published_department(dept, world)
    # The department's page lists each unit's own notice: 甲中学's is public, 乙小学's waits for
    # finance (not the bureau's to open: named with its state, no link).
    page = login(dept.handler).get(reverse("announcements:detail", args=[announcement.public_id]))
    html = page.content.decode()
    assert f'href="{reverse("public:detail", args=[dept.a.public_id])}"' in html
    assert (
        f"{dept.b.title}（财政审核）" in html
        and reverse("public:detail", args=[dept.b.public_id]) not in html
    )
    # The unit's page links to the department notice (public: the school cannot open its console page).
    unit_page = login(dept.school_handler).get(reverse("announcements:detail", args=[dept.a.public_id]))
    assert f'href="{reverse("public:detail", args=[announcement.public_id])}"' in unit_page.content.decode()
    # Finance of the district sees both in the console: the links open the console pages.
    finance_page = login(world.finance).get(reverse("announcements:detail", args=[dept.a.public_id]))
    assert (
        f'href="{reverse("announcements:detail", args=[announcement.public_id])}"'
        in finance_page.content.decode()
    )


def test_links_both_ways_and_the_competent_unit_on_the_public_pages(dept, world, client):
    announcement = _published_department(dept, world)
    unit_page = client.get(reverse("public:detail", args=[dept.a.public_id])).content.decode()
    assert "主管预算单位：上海市普陀区教育局" in unit_page
    assert f'href="{reverse("public:detail", args=[announcement.public_id])}"' in unit_page
    department_page = client.get(reverse("public:detail", args=[announcement.public_id])).content.decode()
    assert f'href="{reverse("public:detail", args=[dept.a.public_id])}"' in department_page
    # 乙小学's notice is not public: no link to it.
    assert reverse("public:detail", args=[dept.b.public_id]) not in department_page


def test_department_text_has_the_explanation_paragraph_only_with_a_shortfall(dept):
    """The same paragraph as a unit's notice: after the table, only with a
    shortfall; the department's own 说明, then each unit's whose rows miss a threshold."""
    draft = department_notice_create(user=dept.handler, year=2025)
    none = str(render_announcement(draft))
    assert "未达到预留份额比例的说明" not in none and "已说明" not in none
    # 乙小学 reserves 20% of a 500万 goods project as a lot: below 第八条's 30%.
    low = dept.b.report.rows.get()
    low.category, low.budget_amount = "goods", Decimal("500")
    low.option, low.ratio = "dedicated_lot", Decimal("20")
    low.save()
    department_notice_recompile(announcement=draft, user=dept.handler, version=draft.version)
    draft.refresh_from_db()
    html = str(render_announcement(draft))
    assert "<strong>未达到预留份额比例的说明：</strong>（尚未填写）" not in html  # the units' 说明 follow
    assert "<strong>未达到预留份额比例的说明：</strong>" in html
    assert "乙小学：已说明" in html
    assert "甲中学：" not in html  # 甲中学 meets every threshold: its 说明 is not published
    assert html.index("notice-table") < html.index("未达到预留份额比例的说明")


def test_staff_pages_show_the_competent_unit(dept, login):
    admin = F.user(institution=dept.school_a, positions=[Position.INSTITUTION_ADMIN])
    client = login(admin)
    staff = client.get(reverse("accounts:staff_list")).content.decode()
    assert "本单位：甲中学 · 主管预算单位：上海市普陀区教育局" in staff
    info = client.get(reverse("accounts:institution_info")).content.decode()
    assert "上海市普陀区教育局" in info


def test_every_cell_of_the_department_table_is_labelled_for_a_phone(dept):
    """On a phone the table reads as cards: a bare number would not say what it is."""
    announcement = department_notice_create(user=dept.handler, year=2025)
    html = str(render_announcement(announcement))
    cells = re.findall(r"<td([^>]*)>(.*?)</td>", html, re.S)
    filled = [attrs for attrs, content in cells if content.strip()]
    assert len(filled) == 4 * 7 + 3 * 2 + 2  # four rows, three 小计, the 合计
    assert [attrs for attrs in filled if "data-label=" not in attrs] == []
    assert 'data-label="面向中小企业采购金额（万元）">150.25</td>' in html


def test_the_department_page_warns_by_the_department_notices_district_and_the_rows_date(dept, login):
    """A school's 2025-06-30 works row of 520万 at 30% misses Shanghai's 40% (普陀区 is in 310000):
    the compiled copy is judged with the department notice's district, stored, and warned."""
    from datetime import date

    add_row(
        dept.b.report,
        name="乙校舍修缮工程",
        category="works",
        budget_amount=Decimal("520"),
        option="subcontract",
        ratio=Decimal("30"),
        sme_amount=Decimal("156"),
        small_micro_amount=Decimal("120"),
        procurement_date=date(2025, 6, 30),
    )
    client = login(dept.handler)
    response = client.post(reverse("announcements:department_create"), {"year": "2025"})
    announcement = dept.bureau.announcements.get(kind=Kind.DEPARTMENT)
    page = client.get(response.url).content.decode()

    copy = announcement.report.rows.get(name="乙校舍修缮工程")
    assert (copy.verdict_status, copy.verdict_missed) == ("shortfall", ",ratio-works-shanghai-2025,")
    assert "预留比例30%低于40%的要求（中共上海市委、上海市人民政府" in page


def test_a_department_notice_says_it_was_compiled_from_its_units(dept, login):
    announcement = department_notice_create(user=dept.handler, year=2025)
    page = login(dept.handler).get(reverse("announcements:detail", args=[announcement.public_id]))
    source = re.search(r"<dt>数据来源</dt><dd>(.*?)</dd>", page.content.decode()).group(1)
    assert source == "汇总下级单位公告"
    # 重新汇总 keeps saying so.
    department_notice_recompile(announcement=announcement, user=dept.handler, version=announcement.version)
    announcement.report.refresh_from_db()
    assert announcement.report.get_data_source_display() == "汇总下级单位公告"


def test_the_table_the_warnings_and_the_reviewers_rows_number_rows_alike(dept, login):
    """Rows: 教育局 1, 乙小学 2, 甲中学 3 and 4 (every row shares one contract link, so each has a
    warning): the notice's table, the department page's warnings and the reviewer's 明细 all say
    甲项目二 is row 4, and the reviewer reads which unit each row is of."""
    announcement = department_notice_create(user=dept.handler, year=2025)

    text = str(render_announcement(announcement))
    assert re.search(r'data-label="序号">4</td>\s*<td data-label="项目名称">甲项目二</td>', text)
    assert re.search(r'data-label="序号">3</td>\s*<td data-label="项目名称">甲项目一</td>', text)

    page = (
        login(dept.handler)
        .get(reverse("announcements:department", args=[announcement.public_id]))
        .content.decode()
    )
    school_a = re.search(
        r'<th scope="row">甲中学</th>.*?<tr class="unit-notes">(.*?)</tr>', page, re.S
    ).group(1)
    assert "第3行：合同链接与其他行重复。" in school_a and "第4行：合同链接与其他行重复。" in school_a
    assert "第1行" not in school_a and "第2行" not in school_a
    assert page.count("第4行：合同链接与其他行重复。") == 1  # once, under its unit

    set_state(announcement, State.PURCHASER_REVIEW, submitted_by=dept.handler)
    review = (
        login(dept.reviewer)
        .get(reverse("announcements:detail", args=[announcement.public_id]))
        .content.decode()
    )
    rows = review[review.index("review-rows") :]
    assert '<th scope="col">预算单位</th>' in rows
    assert re.search(r'<td class="num">4</td>\s*<td class="unit-cell">甲中学</td>\s*<td>甲项目二', rows)
    assert re.search(r'<td class="num">2</td>\s*<td class="unit-cell">乙小学</td>\s*<td>乙项目', rows)
    assert '<td class="num">4</td><td>甲项目二</td>' in review  # the warning's row is the same row 4


def test_a_units_own_notice_has_no_budget_unit_column_for_the_reviewer(dept, login):
    set_state(dept.own, State.PURCHASER_REVIEW, submitted_by=dept.handler)
    review = (
        login(dept.reviewer).get(reverse("announcements:detail", args=[dept.own.public_id])).content.decode()
    )
    assert "review-rows" in review and '<th scope="col">预算单位</th>' not in review


def test_department_notices_compiled_before_the_mark_are_marked_by_the_migration(dept):
    from importlib import import_module

    from django.apps import apps

    from reservations.models import Report

    announcement = department_notice_create(user=dept.handler, year=2025)
    Report.objects.filter(pk=announcement.report_id).update(data_source="manual")  # as stored before
    import_module("reservations.migrations.0010_data_source_compiled").mark_compiled(apps, None)
    sources = dict(Report.objects.values_list("pk", "data_source"))
    assert sources.pop(announcement.report_id) == "compiled"
    assert set(sources.values()) == {"manual"}  # the units' own reports are left as they were
