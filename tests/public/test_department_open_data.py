"""A department notice (部门汇总) in open data: each unit's 说明 as the notice text prints it, and
every compiled copy marked (API, OCDS, CSV/xlsx), so that summing the rows that are not copies
counts each project once."""

import csv
import io
import json
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.enums import Position
from announcements.department import department_notice_create
from announcements.enums import State
from public import bulk
from public.http import site_url
from reservations.services import report_rows_save, report_update
from tests import factories as F
from tests.announcements.workflow_factories import notice, set_state
from tests.public.test_ocds import validator

pytestmark = pytest.mark.django_db

SCHOOL_EXPLANATION = "多媒体教室设备的专门采购包由中型企业中标，小微企业占比未达到60%。"
URL = "https://www.zfcg.sh.gov.cn/site/detail?parentId=137027&articleId="


def _row(name, code, category, option, ratio, budget, sme, small, n):
    return {
        "name": name,
        "code": code,
        "category": category,
        "option": option,
        "ratio": Decimal(ratio),
        "budget_amount": Decimal(budget),
        "sme_amount": Decimal(sme),
        "small_micro_amount": Decimal(small),
        "contract_url": f"{URL}{n}",
        "procurement_date": date(2024, 5, 1),
        "shortfall_reason": "supply" if n == 2 else "",
    }


def _unit_notice(institution, state, rows, explanation=""):
    announcement = notice(institution=institution, year=2024, state=state, rows=0)
    report_update(
        report=announcement.report, competent_unit_name="上海市普陀区教育局", explanation=explanation
    )
    # Through the service that stores each row's verdict, as the editor saves them.
    report_rows_save(report=announcement.report, rows=rows)
    return announcement


@pytest.fixture
def department(world):
    bureau = F.institution(name="上海市普陀区教育局", district_code="310107")
    school = F.institution(name="曹杨中学", competent_unit=bureau, district_code="310107")
    waiting = F.institution(name="宜川小学", competent_unit=bureau, district_code="310107")
    own = _unit_notice(
        bureau,
        State.PUBLISHED,
        [_row("校园安保服务", "PTJY-1", "services", "whole", "100", "175", "170", "130", 1)],
    )
    # 260万 goods, a lot of 35%: 40万 of 91万 to small/micro firms is below 60% (第八条).
    school_notice = _unit_notice(
        school,
        State.PUBLISHED,
        [
            _row("多媒体教室设备采购", "ZR-2", "goods", "dedicated_lot", "35", "260", "91", "40", 2),
            _row("校园绿化养护服务", "ZR-1", "services", "whole", "100", "25", "24", "24", 3),
        ],
        explanation=SCHOOL_EXPLANATION,
    )
    # Past 采购人初审, not published: the department notice is its rows' only publication.
    _unit_notice(
        waiting, State.FINANCE_REVIEW, [_row("课桌椅", "YC-1", "goods", "whole", "100", "30", "30", "30", 4)]
    )
    handler = F.user(institution=bureau, positions=[Position.HANDLER])
    dept = department_notice_create(user=handler, year=2024)
    set_state(dept, State.PUBLISHED, submitted_by=handler)
    return SimpleNamespace(bureau=bureau, own=own, school_notice=school_notice, dept=dept)


def _csv_rows(client, **params):
    response = client.get(reverse("public:download_csv"), params)
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    header = lines[0]
    return [dict(zip(header, line, strict=True)) for line in lines[1:]]


def test_api_detail_carries_each_units_explanation_and_marks_the_compiled_copies(client, department):
    data = json.loads(client.get(reverse("public:api_detail", args=[department.dept.public_id])).content)

    assert data["kind"] == "department"
    assert data["unit_explanations"] == [{"unit": "曹杨中学", "explanation": SCHOOL_EXPLANATION}]
    assert f"曹杨中学：{SCHOOL_EXPLANATION}" in data["shortfall_explanation"]
    sources = {r["name"]: (r["unit"], (r["compiled_from"] or {}).get("notice_id")) for r in data["rows"]}
    assert sources == {
        "校园安保服务": ("上海市普陀区教育局", department.own.public_id),
        "多媒体教室设备采购": ("曹杨中学", department.school_notice.public_id),
        "校园绿化养护服务": ("曹杨中学", department.school_notice.public_id),
        "课桌椅": ("宜川小学", None),
    }


def test_api_list_carries_the_units_explanation_of_a_department_notice(client, department):
    listing = json.loads(client.get(reverse("public:api_list")).content)

    by_id = {n["id"]: (n["kind"], n["shortfall_explanation"]) for n in listing["results"]}
    assert by_id[department.dept.public_id] == ("department", f"曹杨中学：{SCHOOL_EXPLANATION}")
    assert by_id[department.school_notice.public_id] == ("sme_reservation", SCHOOL_EXPLANATION)
    assert by_id[department.own.public_id] == ("sme_reservation", None)


def test_ocds_links_each_compiled_copy_to_the_units_own_process(client, department):
    response = client.get(reverse("public:ocds_releases"))
    package = json.loads(response.content)

    # relatedProcess is an open codelist: compiledFrom is valid OCDS 1.1.
    assert sorted(validator().iter_errors(package), key=str) == []

    releases = {(r["id"].rsplit("-", 1)[1], r["tender"]["title"]): r for r in package["releases"]}
    dept_id, school_id = department.dept.public_id, department.school_notice.public_id
    copy = releases[(dept_id, "多媒体教室设备采购")]
    original = releases[(school_id, "多媒体教室设备采购")]
    reservation = copy["tender"]["smeReservation"]
    assert copy["relatedProcesses"] == [
        {
            "id": "1",
            "relationship": ["compiledFrom"],
            "title": department.school_notice.title,
            "scheme": "ocid",
            "identifier": original["ocid"],
            "uri": site_url(reverse("public:api_detail", args=[school_id])),
        }
    ]
    assert copy["ocid"] != original["ocid"]
    assert reservation["compiledFrom"]["countedInUnitNotice"] is True
    assert reservation["compiledFrom"]["noticeId"] == school_id
    assert reservation["shortfallExplanation"] == SCHOOL_EXPLANATION
    alone = releases[(dept_id, "课桌椅")]["tender"]["smeReservation"]["compiledFrom"]
    assert alone["countedInUnitNotice"] is False and "noticeId" not in alone
    schema = json.loads(client.get(reverse("public:ocds_extension_schema")).content)
    documented = schema["definitions"]["Tender"]["properties"]["smeReservation"]["properties"]
    assert set(documented["compiledFrom"]["properties"]) == {
        "budgetUnit",
        "ocid",
        "countedInUnitNotice",
        "noticeId",
        "noticeUrl",
    }


def test_ocds_sum_without_counted_copies_equals_the_projects_once(client, department):
    package = json.loads(client.get(reverse("public:ocds_releases")).content)

    once = sum(
        Decimal(str(r["tender"]["smeReservation"]["smeAmount"]["amount"]))
        for r in package["releases"]
        if not r["tender"]["smeReservation"].get("compiledFrom", {}).get("countedInUnitNotice")
    )
    assert once == Decimal("3150000.00")  # 170 + 91 + 24 + 30 万元, each once


AMOUNT = "面向中小企业采购金额（万元）"


def _xlsx_rows(client, **params):
    response = client.get(reverse("public:download_xlsx"), params)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    lines = [[c.value for c in row] for row in sheet.iter_rows()]
    return [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


def test_downloads_list_each_project_once_and_mark_the_department_only_units_rows(client, department):
    for rows in (_csv_rows(client), _xlsx_rows(client)):
        by_project = {}
        for r in rows:
            by_project.setdefault(r["项目名称"], []).append((r["公告编号"], r["预算单位"], r["来源"]))
        dept_id, school_id = department.dept.public_id, department.school_notice.public_id

        # The school and the bureau published their own notices: their projects are there, once.
        assert by_project["多媒体教室设备采购"] == [(school_id, "曹杨中学", "本单位公告")]
        assert by_project["校园绿化养护服务"] == [(school_id, "曹杨中学", "本单位公告")]
        assert by_project["校园安保服务"] == [(department.own.public_id, "上海市普陀区教育局", "本单位公告")]
        # 宜川小学's notice is not published: the department notice is its one publication.
        alone = "部门汇总（汇编自宜川小学的报送，该单位公告未发布）"
        assert by_project["课桌椅"] == [(dept_id, "宜川小学", alone)]
        assert len(rows) == 4
    school_row = next(r for r in _csv_rows(client) if r["项目名称"] == "多媒体教室设备采购")
    assert school_row["未达到预留份额比例的说明"] == SCHOOL_EXPLANATION


def test_bulk_and_filtered_downloads_sum_to_the_projects_once(client, department):
    bulk.bulk_files_rebuild(force=True)

    # The whole file and a year's are bulk files; a region is a filtered download.
    for params in ({}, {"year": "2024"}, {"district": "310107", "year": "2024"}):
        csv_sum = sum(Decimal(r[AMOUNT]) for r in _csv_rows(client, **params))
        xlsx_sum = sum(Decimal(str(r[AMOUNT])) for r in _xlsx_rows(client, **params))
        expected = Decimal("315")  # 170 + 91 + 24 + 30
        assert (params, csv_sum, xlsx_sum) == (params, expected, expected)


def test_downloads_keep_a_compiled_copy_once_the_units_notice_is_revoked(client, department):
    set_state(department.school_notice, State.REVOKED)
    bulk.bulk_files_rebuild(force=True)
    rows = _csv_rows(client, year="2024")

    copies = {(r["项目名称"], r["公告编号"], r["来源"]) for r in rows if r["预算单位"] == "曹杨中学"}
    assert copies == {
        (name, department.dept.public_id, "部门汇总（汇编自曹杨中学的报送，该单位公告未发布）")
        for name in ("多媒体教室设备采购", "校园绿化养护服务")
    }
    assert sum(Decimal(r[AMOUNT]) for r in rows) == Decimal("315")


def test_demo_2024_bulk_csv_sums_to_the_published_unit_notices_totals(
    client, settings, tmp_path, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from announcements.enums import Kind
    from announcements.selectors import announcements_published

    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    bulk.bulk_files_rebuild(force=True)
    rows = _csv_rows(client, year="2024")

    published = announcements_published().filter(year=2024)
    unit_notices = published.filter(kind=Kind.SME_RESERVATION)
    department_notice = published.get(kind=Kind.DEPARTMENT)
    # The plain column sum, to the fen (0.000001 万元), with no filter on 来源.
    assert sum(Decimal(r[AMOUNT]) for r in rows) == sum(n.report.sme_total for n in unit_notices)
    assert {r["来源"] for r in rows} == {"本单位公告"}
    # Every unit of the bureau's 2024 department notice published its own notice: no row twice.
    assert [r for r in rows if r["公告编号"] == department_notice.public_id] == []
    projects = [(r["预算单位"], r["项目编号"]) for r in rows]
    assert len(projects) == len(set(projects))
    assert ("上海市普陀区曹杨中学", "CY-2024-01") in projects
