"""Every drafting-side reader agrees with the one verdict over the shared table of boundary rows
(tests/reservations/verdict_table.py): the edit page, its live preview, 只看有提示的行, the
submit check and its refusal list, and the reviewers' panel. One notice per (region, year)
holds that group's rows; each reader's set of shortfall rows and of 无法判断 rows must be the
table's."""

import re
from collections import defaultdict

import pytest
from django.urls import reverse

from accounts.enums import DistrictLevel, Position
from accounts.models import District
from announcements import workflow
from announcements.services import announcement_rows_import
from reservations.paging import rows_page
from reservations.preview import report_review
from reservations.services import report_submit_problems
from reservations.verdict import row_verdict
from tests import drafting_support as S
from tests import factories as F
from tests.announcements.test_drafting_paged import served_fields
from tests.reservations.verdict_table import CASES, FIVE_ROWS, SHORTFALL, UNKNOWN, row_data

pytestmark = pytest.mark.django_db


def groups():
    by = defaultdict(list)
    for c in CASES:
        by[(c.region, c.year)].append(c)
    return sorted(by.items())


def _handler(region):
    if not District.objects.filter(code=region).exists():
        District.objects.create(code=region, name="福州市鼓楼区", level=DistrictLevel.DISTRICT)
    unit = F.institution(name=f"边界测试单位{region}", district_code=region)
    return F.user(institution=unit, positions=[Position.HANDLER])


def _notice(handler, year, cases):
    notice = S.draft(handler, year=year)
    announcement_rows_import(
        announcement=notice,
        user=handler,
        rows=[row_data(c, n) for n, c in enumerate(cases, start=1)],
        replace=True,
    )
    notice.refresh_from_db()
    return notice


def posted(page) -> dict:
    """The edit form as a browser posts it, dates included."""
    html = page.content.decode()
    data = served_fields(html)
    data.update(re.findall(r'<input type="date" name="([^"]+)" value="([^"]*)"', html))
    return data


def _expected(cases, status):
    return {n for n, c in enumerate(cases, start=1) if c.status == status}


def _keys_to_numbers(keys):
    return {int(key.split("-")[1]) + 1 for key in keys}


@pytest.mark.parametrize(
    ("group", "cases"), groups(), ids=lambda g: f"{g[0]}-{g[1]}" if isinstance(g, tuple) else ""
)
def test_every_drafting_reader_agrees_with_the_verdict(group, cases, login):
    region, year = group
    handler = _handler(region)
    notice = _notice(handler, year, cases)
    report = notice.report
    shortfalls, unknowns = _expected(cases, SHORTFALL), _expected(cases, UNKNOWN)

    # The stored verdict is the function's.
    stored = list(report.rows.order_by("position").values_list("verdict_status", flat=True))
    assert stored == [
        row_verdict(r, region=region, year=year).status for r in report.rows.order_by("position")
    ]
    assert stored == [c.status for c in cases]

    client = login(handler)
    edit = reverse("announcements:edit", args=[notice.public_id])
    page = client.get(edit)
    assert _keys_to_numbers(page.context["shortfall_keys"]) == shortfalls

    preview = client.post(reverse("announcements:preview", args=[notice.public_id]), posted(page))
    assert _keys_to_numbers(preview.context["shortfall_keys"]) == shortfalls

    warned = set(rows_page(report=report, only_warnings=True).warning_numbers)
    assert shortfalls | unknowns <= warned

    problems = report_submit_problems(report=report)
    assert {p.row_number for p in problems if p.field == "shortfall_reason"} == shortfalls
    assert {p.row_number for p in problems if p.row_number and not p.field} == unknowns
    refused = client.get(edit + "?check=1").context["submit_problems"]
    assert len(refused) == len(problems) and all(p["text"] for p in refused)

    review = report_review(report=report)
    assert {r.number for r in review.rows if r.shortfall} == shortfalls


def test_the_five_rows_three_shortfalls_two_not_from_editor_to_review(world, login):
    notice = _notice(world.handler, 2025, FIVE_ROWS)
    client = login(world.handler)
    page = client.get(reverse("announcements:edit", args=[notice.public_id]))
    assert _keys_to_numbers(page.context["shortfall_keys"]) == {1, 3, 4}

    notice.report.explanation = "部分项目市场供给不足。"
    notice.report.save(update_fields=["explanation"])
    reasons = {1: "supply", 3: "special", 4: "other"}
    for row in notice.report.rows.order_by("position"):
        row.shortfall_reason = reasons.get(row.position + 1, "")
        row.save(update_fields=["shortfall_reason"])
    workflow.apply_action(announcement=notice, action="submit", actor=world.handler)

    panel = login(world.reviewer).get(reverse("announcements:detail", args=[notice.public_id]))
    review = panel.context["review"]
    assert [(r.number, r.shortfall, r.reason) for r in review.rows] == [
        (1, True, "市场供给不足"),
        (2, False, ""),
        (3, True, "项目特殊性"),
        (4, True, "其他"),
        (5, False, ""),
    ]
    html = panel.content.decode()
    assert "新时代新征程促进民营经济高质量发展的若干措施" in html  # row 1 misses Shanghai's 40%
    assert "59.99%" in html and "60.00%" not in html  # never rounded up across the threshold


def test_the_edit_page_lists_every_refusal_with_its_row(world, login):
    """提交 refused: the page lists each reason (a 无法判断 row, a shortfall without its reason, the
    说明), never "see below" over an empty list."""
    cases = [c for c in CASES if c.id in ("goods-200-lot", "sh-works-no-date-2025")]
    notice = _notice(world.handler, 2025, cases)
    client = login(world.handler)
    edit = reverse("announcements:edit", args=[notice.public_id])
    response = client.post(edit, {**posted(client.get(edit)), "intent": "submit"}, follow=True)

    html = response.content.decode()
    assert "公告暂不能提交" in html
    listed = [p["text"] for p in response.context["submit_problems"]]
    assert len(listed) == 3
    assert listed[0].startswith("第2行：缺少采购日期或合同签订日期，无法判断是否符合")
    assert "新时代新征程促进民营经济高质量发展的若干措施" in listed[0]
    assert listed[1:] == [
        "第1行未达到政策规定的比例：请选择未达标原因。",
        "有项目未达到政策规定比例，提交前须填写说明。",
    ]
    for text in listed:
        assert text in html
