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


def test_downloads_mark_the_source_and_carry_the_units_explanation(client, department):
    rows = _csv_rows(client)

    by_notice_and_name = {(r["公告编号"], r["项目名称"]): r for r in rows}
    copy = by_notice_and_name[(department.dept.public_id, "多媒体教室设备采购")]
    assert copy["来源"] == (
        f"部门汇总（汇编自《{department.school_notice.title}》，公告编号{department.school_notice.public_id}）"
    )
    assert copy["未达到预留份额比例的说明"] == SCHOOL_EXPLANATION
    assert by_notice_and_name[(department.dept.public_id, "校园安保服务")]["未达到预留份额比例的说明"] == ""
    alone = by_notice_and_name[(department.dept.public_id, "课桌椅")]
    assert alone["来源"] == "部门汇总（汇编自宜川小学的报送，该单位公告未发布）"
    assert (
        by_notice_and_name[(department.school_notice.public_id, "多媒体教室设备采购")]["来源"] == "本单位公告"
    )
    workbook = load_workbook(
        io.BytesIO(b"".join(client.get(reverse("public:download_xlsx")).streaming_content))
    )
    header = [c.value for c in workbook.active[1]]
    assert header[-1] == "来源"


def test_bulk_rows_without_compiled_copies_sum_to_the_notices_once(client, department):
    bulk.bulk_files_rebuild(force=True)
    rows = _csv_rows(client, year="2024")

    counted = sum(
        Decimal(r["面向中小企业采购金额（万元）"])
        for r in rows
        if not r["来源"].startswith("部门汇总（汇编自《")
    )
    everything = sum(Decimal(r["面向中小企业采购金额（万元）"]) for r in rows)

    assert counted == Decimal("315")  # 170 + 91 + 24 + 30: each project once
    assert everything == Decimal("600")  # the copies of 170, 91 and 24 once more


def test_demo_2024_bulk_rows_count_each_school_project_once(
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

    amount = "面向中小企业采购金额（万元）"
    counted = sum(Decimal(r[amount]) for r in rows if not r["来源"].startswith("部门汇总（汇编自《"))
    unit_notices = announcements_published().filter(year=2024, kind=Kind.SME_RESERVATION)
    assert counted == sum(n.report.sme_total for n in unit_notices)
    # The bureau's notice copies its schools' and its own published 2024 rows, each marked.
    copies = [r for r in rows if r["来源"].startswith("部门汇总（汇编自《")]
    assert sum(Decimal(r[amount]) for r in copies) == sum(
        n.report.sme_total for n in unit_notices if n.institution.name in {r["预算单位"] for r in copies}
    )
    assert "上海市普陀区曹杨中学" in {r["预算单位"] for r in copies}
