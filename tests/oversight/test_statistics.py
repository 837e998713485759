"""Upward statistics: the totals by district, department, category and option; the shortfalls;
who sees which district; the page equals the xlsx report."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.enums import Position
from announcements.department import department_notice_create
from announcements.enums import State
from oversight.statistics import statistics_for
from tests import factories as F
from tests.announcements.workflow_factories import add_row, notice

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world):
    bureau = F.institution(name="上海市普陀区教育局")
    school = F.institution(name="曹杨中学", competent_unit=bureau)
    a = notice(institution=school, year=2025, state=State.PUBLISHED, rows=0)
    add_row(
        a.report,
        name="课桌椅",
        category="goods",
        budget_amount=Decimal("200"),
        sme_amount=Decimal("150"),
        small_micro_amount=Decimal("30"),
    )
    add_row(
        a.report,
        name="保洁",
        category="services",
        option="dedicated_lot",
        ratio=Decimal("40"),
        budget_amount=Decimal("100"),
        sme_amount=Decimal("50"),
        small_micro_amount=Decimal("50"),
    )
    own = notice(institution=bureau, year=2025, state=State.FINANCE_REVIEW, rows=0)
    add_row(
        own.report, name="修缮", category="works", sme_amount=Decimal("10"), small_micro_amount=Decimal("10")
    )
    notice(
        institution=world.unit, year=2025, state=State.PUBLISHED, rows=1
    )  # 120.5 / 100, its own department
    notice(institution=world.other_unit, year=2025, state=State.PURCHASER_REVIEW, rows=2)  # not yet counted
    notice(institution=world.outsider, year=2025, state=State.PUBLISHED, rows=1)  # 青浦区
    handler = F.user(institution=bureau, positions=[Position.HANDLER])
    department_notice_create(user=handler, year=2025)  # copies; never counted twice
    return bureau


def test_totals_by_department_category_and_option_for_the_district(data, world):
    stats = statistics_for(user=world.finance, year=2025)
    assert stats.total.sme == Decimal("330.5") and stats.total.small_micro == Decimal("190")
    assert stats.total.unit_count == 3 and stats.total.projects == 4
    departments = {line.label: (line.unit_count, line.sme, line.small_micro) for line in stats.by_department}
    assert departments == {
        "上海市普陀区教育局": (2, Decimal("210"), Decimal("90")),
        "上海市普陀区测试街道社区服务中心": (1, Decimal("120.5"), Decimal("100")),
    }
    assert [line.label for line in stats.by_district] == ["普陀区"]
    categories = {str(line.key): line.sme for line in stats.by_category}
    assert categories == {
        "goods": Decimal("150"),
        # The unit's own row (workflow_factories) is a services project since 项目属性 is required.
        "services": Decimal("170.5"),
        "works": Decimal("10"),
    }
    assert {line.key: line.projects for line in stats.by_option} == {"whole": 3, "dedicated_lot": 1}
    assert [(s.unit, s.project) for s in stats.shortfalls] == [("曹杨中学", "课桌椅")]


def test_finance_of_another_district_sees_nothing_of_putuo(data, world):
    stats = statistics_for(user=world.qp_finance, year=2025)
    assert [line.label for line in stats.by_district] == ["青浦区"]
    assert "上海市普陀区教育局" not in {line.label for line in stats.by_department}


def test_supervisor_sees_every_district_and_filters_by_department(data, world):
    assert {line.label for line in statistics_for(user=world.supervisor, year=2025).by_district} == {
        "普陀区",
        "青浦区",
    }
    stats = statistics_for(user=world.supervisor, year=2025, department_id=data.pk)
    assert stats.total.sme == Decimal("210") and stats.total.unit_count == 2


def test_the_page_equals_the_xlsx_report(data, world, login):
    client = login(world.finance)
    page = client.get(reverse("oversight:statistics"), {"year": "2025"})
    stats = page.context["stats"]
    assert "上海市普陀区教育局" in page.content.decode() and "课桌椅" in page.content.decode()
    response = client.get(reverse("oversight:statistics_export"), {"year": "2025"})
    book = load_workbook(BytesIO(response.content))
    summary = book.worksheets[0]
    lines = {row[0]: row for row in summary.iter_rows(min_row=4, values_only=True)}
    for line in stats.by_department:
        unit, year, projects, budget, sme, small, share, shortfalls = lines[line.label]
        assert (year, projects) == (2025, line.projects)
        assert (Decimal(str(budget)), Decimal(str(sme)), Decimal(str(small))) == (
            line.budget,
            line.sme,
            line.small_micro,
        )
        assert share == (f"{line.share}" if line.share is not None else "—")
    assert "课桌椅" in lines["上海市普陀区教育局"][7]
    assert sorted(ws.title for ws in book.worksheets[1:]) == sorted(
        line.label for line in stats.by_department
    )


def test_statistics_are_404_for_a_budget_unit(world, login):
    client = login(world.handler)

    page = client.get(reverse("oversight:statistics"))
    export = client.get(reverse("oversight:statistics_export"))

    assert page.status_code == 404 and "页面不存在" in page.content.decode()
    assert export.status_code == 404 and export["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in export


def test_finance_sets_a_units_competent_unit_validated(world, login):
    from django.urls import reverse

    bureau = F.institution(name="上海市普陀区文旅局")
    url = reverse("oversight:district_setting")
    client = login(world.finance)
    client.post(url, {"unit": world.other_unit.pk, "competent_unit": bureau.pk})
    world.other_unit.refresh_from_db()
    assert world.other_unit.competent_unit == bureau
    # Another district's unit is not offered; nor is a unit that already has a competent unit.
    response = client.post(url, {"unit": world.unit.pk, "competent_unit": world.other_unit.pk})
    world.unit.refresh_from_db()
    assert world.unit.competent_unit is None and response.status_code == 200
    # A unit's own staff (and Qingpu's finance) cannot open the page.
    assert (
        login(world.handler).post(url, {"unit": world.unit.pk, "competent_unit": bureau.pk}).status_code
        == 404
    )
    login(world.qp_finance).post(url, {"unit": world.unit.pk, "competent_unit": bureau.pk})
    world.unit.refresh_from_db()
    assert world.unit.competent_unit is None


def test_statistics_page_queries_do_not_grow_with_units(world, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = login(world.finance)
    url = reverse("oversight:statistics")

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"year": "2025"}).status_code == 200
        return len(captured.captured_queries)

    notice(institution=world.unit, year=2025, state=State.PUBLISHED, rows=1)
    few = count()
    for n in range(3):
        notice(institution=F.institution(name=f"单位{n}"), year=2025, state=State.PUBLISHED, rows=n + 1)
    assert statistics_for(user=world.finance, year=2025).total.unit_count == 4
    assert count() == few
