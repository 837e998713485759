"""Upward statistics: the totals by district, department, category and option, the reserved share
beside the whole budgets; the shortfalls as the stored verdict says, grouped by the rule they
miss and counted by reason; which notices count; who sees which district; the page equals the
xlsx report; a 主管预算单位's own report, submitted to its finance bureau."""

from datetime import date
from decimal import Decimal
from io import BytesIO
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.enums import Position
from announcements.department import department_notice_create
from announcements.enums import State
from oversight.models import DepartmentReportSubmission
from oversight.statistics import COUNT_PUBLISHED, statistics_for
from reservations.services import report_rows_save, report_update
from tests import factories as F
from tests.announcements.workflow_factories import notice

pytestmark = pytest.mark.django_db

RATIO_GS = "ratio-goods-services-46-art8"
RATIO_SHANGHAI = "ratio-works-shanghai-2025"
SCHOOL_EXPLANATION = "实验设备市场上中小企业供给不足。"
BUREAU_EXPLANATION = "修缮工程专业性强，分包比例受限。"


def row(name, category, option, ratio, budget, sme, small, when, reason=""):
    return {
        "name": name,
        "code": "",
        "category": category,
        "option": option,
        "ratio": Decimal(ratio),
        "budget_amount": Decimal(budget),
        "sme_amount": Decimal(sme),
        "small_micro_amount": Decimal(small),
        "contract_url": f"https://www.zfcg.sh.gov.cn/site/detail?articleId={name}",
        "procurement_date": when,
        "shortfall_reason": reason,
    }


def filed(institution, state, rows, explanation=""):
    """A notice whose rows went through the service that stores each row's verdict."""
    announcement = notice(institution=institution, year=2025, state=state, rows=0)
    report_update(report=announcement.report, competent_unit_name=institution.name, explanation=explanation)
    report_rows_save(report=announcement.report, rows=rows)
    return announcement


@pytest.fixture
def data(world):
    bureau = F.institution(name="上海市普陀区教育局")
    school = F.institution(name="曹杨中学", competent_unit=bureau)
    F.institution(name="宜川小学", competent_unit=bureau)  # no notice: 未报送
    filed(
        school,
        State.PUBLISHED,
        [
            # 200万 goods reserved whole with 20% small/micro: no 60% below 超过200万 (第八条).
            row("课桌椅", "goods", "whole", "100", "200", "150", "30", date(2025, 3, 1)),
            # 500万 goods, a lot of 20%: below 30% (第八条).
            row("实验设备", "goods", "dedicated_lot", "20", "500", "100", "80", date(2025, 5, 20), "supply"),
        ],
        explanation=SCHOOL_EXPLANATION,
    )
    # 520万 works, 30% by subcontract on 2025-06-30: below Shanghai's 40% (2025-04 measures).
    filed(
        bureau,
        State.FINANCE_REVIEW,
        [row("修缮", "works", "subcontract", "30", "520", "156", "120", date(2025, 6, 30), "special")],
        explanation=BUREAU_EXPLANATION,
    )
    filed(world.unit, State.PUBLISHED, [row("物业", "services", "whole", "100", "150", "120.5", "100", None)])
    filed(
        world.other_unit, State.PURCHASER_REVIEW, [row("未审", "goods", "whole", "100", "10", "9", "9", None)]
    )
    filed(world.outsider, State.PUBLISHED, [row("青浦项目", "goods", "whole", "100", "50", "40", "30", None)])
    handler = F.user(institution=bureau, positions=[Position.HANDLER], full_name="局经办")
    department_notice_create(user=handler, year=2025)  # copies; never counted twice
    return SimpleNamespace(bureau=bureau, school=school, handler=handler)


def test_totals_sum_the_reserved_share_beside_the_whole_budgets(data, world):
    stats = statistics_for(user=world.finance, year=2025)

    assert (stats.total.projects, stats.total.unit_count) == (4, 3)
    # Reserved share: 200 + 500×20% + 520×30% + 150 = 606; whole budgets: 200 + 500 + 520 + 150.
    assert (stats.total.reserved, stats.total.budget) == (Decimal("606"), Decimal("1370"))
    assert (stats.total.sme, stats.total.small_micro) == (Decimal("526.5"), Decimal("330"))
    departments = {line.label: (line.unit_count, line.reserved, line.sme) for line in stats.by_department}
    assert departments == {
        "上海市普陀区教育局": (2, Decimal("456"), Decimal("406")),
        "上海市普陀区测试街道社区服务中心": (1, Decimal("150"), Decimal("120.5")),
    }
    assert {str(line.key): line.reserved for line in stats.by_category} == {
        "goods": Decimal("300"),
        "works": Decimal("156"),
        "services": Decimal("150"),
    }
    assert {line.key: line.projects for line in stats.by_option} == {
        "whole": 2,
        "dedicated_lot": 1,
        "subcontract": 1,
    }


def test_shortfalls_are_the_stored_verdicts_grouped_by_rule_and_counted_by_reason(data, world):
    stats = statistics_for(user=world.finance, year=2025)

    groups = {g.code: [(s.unit, s.project, s.explanation) for s in g.rows] for g in stats.by_rule()}
    assert groups == {
        RATIO_GS: [("曹杨中学", "实验设备", SCHOOL_EXPLANATION)],
        RATIO_SHANGHAI: [("上海市普陀区教育局", "修缮", BUREAU_EXPLANATION)],
    }
    assert stats.by_reason() == [("市场供给不足", 1), ("项目特殊性", 1)]


def test_published_only_leaves_out_the_notices_under_review_and_says_so(data, world, login):
    stats = statistics_for(user=world.finance, year=2025, counting=COUNT_PUBLISHED)
    assert [s.project for s in stats.shortfalls] == ["实验设备"]
    assert stats.total.sme == Decimal("370.5")

    page = login(world.finance).get(
        reverse("oversight:statistics"), {"year": "2025", "counting": "published"}
    )
    assert "统计范围：仅已发布的公告。" in page.content.decode()
    default = login(world.finance).get(reverse("oversight:statistics"), {"year": "2025"})
    assert "统计范围：已发布及财政审核中的公告。" in default.content.decode()


def test_finance_of_another_district_sees_nothing_of_putuo(data, world):
    stats = statistics_for(user=world.qp_finance, year=2025)
    assert [line.label for line in stats.by_district] == ["青浦区"]
    assert "上海市普陀区教育局" not in {line.label for line in stats.by_department}


def test_supervisor_sees_every_district_and_filters_by_department(data, world):
    assert {line.label for line in statistics_for(user=world.supervisor, year=2025).by_district} == {
        "普陀区",
        "青浦区",
    }
    stats = statistics_for(user=world.supervisor, year=2025, department_id=data.bureau.pk)
    assert stats.total.sme == Decimal("406") and stats.total.unit_count == 2


def _sheet_rows(sheet):
    return [row for row in sheet.iter_rows(values_only=True)]


def test_the_page_equals_the_xlsx_report(data, world, login):
    client = login(world.finance)
    page = client.get(reverse("oversight:statistics"), {"year": "2025"})
    stats = page.context["stats"]
    response = client.get(reverse("oversight:statistics_export"), {"year": "2025"})

    assert unquote(response["Content-Disposition"]).endswith(
        "普陀区财政局2025年面向中小企业预留份额和采购情况报告.xlsx"
    )
    book = load_workbook(BytesIO(response.content))
    summary = book.worksheets[0]
    rows = _sheet_rows(summary)
    assert rows[0][0] == "面向中小企业预留份额和采购情况报告"
    assert rows[1][:2] == ("报告单位", "普陀区财政局") and rows[2][:2] == ("年度", 2025)
    assert rows[3][:2] == ("统计范围", "已发布及财政审核中的公告")
    assert rows[6][:8] == (
        "主管预算单位",
        "预留项目数",
        "预留份额合计（万元）",
        "项目预算合计（万元）",
        "面向中小企业采购金额（万元）",
        "其中面向小微企业采购金额（万元）",
        "小微企业占比（%）",
        "未达标项目数",
    )
    end = next(i for i, r in enumerate(rows) if r[0] == "合计")
    lines = {r[0]: r for r in rows[7 : end + 1]}
    for line in [*stats.by_department, stats.total]:
        label, projects, reserved, budget, sme, small, share, short = lines[line.label or "合计"][:8]
        assert projects == line.projects
        assert [Decimal(str(v)) for v in (reserved, budget, sme, small)] == [
            line.reserved,
            line.budget,
            line.sme,
            line.small_micro,
        ]
        # A number formatted as a percent, not text.
        assert Decimal(str(share)) * 100 == line.share
    share_cell = next(r for r in summary.iter_rows() if r[0].value == "合计")[6]
    assert share_cell.number_format == "0.00%"
    assert lines["上海市普陀区教育局"][7] == 2
    groups = [r[0] for r in rows if r[0] and str(r[0]).startswith("规则：")]
    assert groups == [f"规则：{label}" for label in [g.label for g in stats.by_rule()]]
    reasons = rows.index(next(r for r in rows if r[0] == "未达标原因统计"))
    assert [r[:2] for r in rows[reasons : reasons + 3]] == [
        ("未达标原因统计", "项目数"),
        ("市场供给不足", 1),
        ("项目特殊性", 1),
    ]
    assert sorted(ws.title for ws in book.worksheets[1:]) == sorted(
        line.label for line in stats.by_department
    )


def test_statistics_are_404_for_a_budget_unit_without_subordinates(world, login):
    client = login(world.handler)

    page = client.get(reverse("oversight:statistics"))
    export = client.get(reverse("oversight:statistics_export"))

    assert page.status_code == 404 and "页面不存在" in page.content.decode()
    assert export.status_code == 404 and export["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in export


def test_a_competent_unit_opens_downloads_and_submits_its_department_report(data, world, login):
    client = login(data.handler)

    page = client.get(reverse("oversight:statistics"), {"year": "2025"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "上海市普陀区教育局的书面报告" in html and "宜川小学" in html
    assert world.unit.name not in html and "青浦项目" not in html  # other departments' rows
    response = client.get(reverse("oversight:statistics_export"), {"year": "2025"})
    rows = _sheet_rows(load_workbook(BytesIO(response.content)).worksheets[0])
    assert rows[1][:2] == ("报告单位", "上海市普陀区教育局")
    assert [r[0] for r in rows[6:10]] == ["预算单位", "上海市普陀区教育局", "曹杨中学", "合计"]
    assert ("未报送单位", "宜川小学") in [r[:2] for r in rows]

    client.post(reverse("oversight:department_report_submit"), {"year": "2025", "counting": "reviewed"})

    submission = DepartmentReportSubmission.objects.get()
    assert (submission.department, submission.submitted_by, submission.year) == (
        data.bureau,
        data.handler,
        2025,
    )
    assert submission.figures["total"]["sme"] == "406.000000"
    assert submission.figures["not_filed"] == ["宜川小学"]
    finance = login(world.finance).get(reverse("oversight:statistics"), {"year": "2025"})
    reports = {r.department.name: r.latest for r in finance.context["department_reports"]}
    assert reports == {"上海市普陀区教育局": submission}
    assert "已报送" in finance.content.decode()
    assert login(world.qp_finance).get(reverse("oversight:statistics")).context["department_reports"] == []


def test_a_school_handler_cannot_submit_a_department_report(data, world, login):
    school_handler = F.user(institution=data.school, positions=[Position.HANDLER])

    response = login(school_handler).post(reverse("oversight:department_report_submit"), {"year": "2025"})

    assert response.status_code == 404
    assert not DepartmentReportSubmission.objects.exists()


def test_finance_sets_a_units_competent_unit_validated(world, login):
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

    client = login(world.finance)
    url = reverse("oversight:statistics")

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"year": "2025"}).status_code == 200
        return len(captured.captured_queries)

    filed(
        world.unit,
        State.PUBLISHED,
        [row("甲", "goods", "dedicated_lot", "20", "500", "100", "80", None, "other")],
    )
    few = count()
    for n in range(3):
        filed(
            F.institution(name=f"单位{n}"),
            State.PUBLISHED,
            [
                row(f"乙{n}{i}", "goods", "dedicated_lot", "20", "500", "100", "80", None, "other")
                for i in range(n + 1)
            ],
        )
    assert statistics_for(user=world.finance, year=2025).total.unit_count == 4
    assert count() == few


def test_demo_dept_handler_downloads_and_submits_its_departments_report(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from accounts.models import User

    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    handler = User.objects.get(username="demo-dept-handler")
    client.force_login(handler, backend="accounts.backends.ActiveStaffBackend")

    page = client.get(reverse("oversight:statistics"), {"year": "2024", "counting": "published"})
    report = client.get(reverse("oversight:statistics_export"), {"year": "2024", "counting": "published"})
    client.post(reverse("oversight:department_report_submit"), {"year": "2024", "counting": "published"})

    department = handler.institution
    assert page.status_code == 200 and f"{department.name}的书面报告" in page.content.decode()
    rows = list(load_workbook(BytesIO(report.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][:2] == ("报告单位", department.name)
    submission = DepartmentReportSubmission.objects.get(department=department, year=2024)
    assert Decimal(submission.figures["total"]["sme"]) == page.context["stats"].total.sme
    finance = User.objects.get(username="demo-finance")
    client.force_login(finance, backend="accounts.backends.ActiveStaffBackend")
    reports = client.get(reverse("oversight:statistics"), {"year": "2024"}).context["department_reports"]
    assert {r.department.name: r.latest for r in reports}[department.name] == submission


def test_the_report_deadline_is_the_districts_data_shown_to_its_departments(data, world, login):
    from oversight import services
    from oversight.rules import end_of_day

    login(world.finance).post(
        reverse("oversight:campaign_create"),
        {
            "year": "2025",
            "deadline": "2026-06-30",
            "remind_days_before": "7",
            "report_deadline": "2026-03-31",
        },
    )
    services.campaign_create(
        actor=world.qp_finance,
        year=2025,
        deadline=end_of_day(date(2026, 6, 30)),
        report_deadline=date(2026, 4, 30),
    )

    page = login(data.handler).get(reverse("oversight:statistics"), {"year": "2025"}).content.decode()
    finance = login(world.finance).get(reverse("oversight:statistics"), {"year": "2025"}).content.decode()

    assert "应于2026-03-31前报送财政部门" in page
    assert "截止日期2026-03-31" in finance and "2026-04-30" not in finance


def _table_after(rows, heading):
    """The lines of the xlsx table under a bold heading: {label: (units, projects, amounts…, share)}."""
    start = rows.index(next(r for r in rows if r[0] == heading)) + 2
    lines = {}
    for row in rows[start:]:
        if not row[0]:
            break
        lines[row[0]] = row[1:8]
    return lines


def test_the_supervisors_xlsx_has_the_pages_tables_by_district_category_and_option(data, world, login):
    client = login(world.supervisor)
    stats = client.get(reverse("oversight:statistics"), {"year": "2025"}).context["stats"]
    response = client.get(reverse("oversight:statistics_export"), {"year": "2025"})
    rows = _sheet_rows(load_workbook(BytesIO(response.content)).worksheets[0])

    for heading, lines in (
        ("按行政区划", stats.by_district),
        ("按项目属性", stats.by_category),
        ("按预留选项", stats.by_option),
    ):
        table = _table_after(rows, heading)
        assert set(table) == {line.label for line in lines}
        for line in lines:
            units, projects, reserved, budget, sme, small, share = table[line.label]
            assert (units, projects) == (line.unit_count, line.projects)
            assert [Decimal(str(v)) for v in (reserved, budget, sme, small)] == [
                line.reserved,
                line.budget,
                line.sme,
                line.small_micro,
            ]
            assert (None if share is None else Decimal(str(share)) * 100) == line.share
    assert set(_table_after(rows, "按行政区划")) == {"普陀区", "青浦区"}
