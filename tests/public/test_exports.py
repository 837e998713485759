import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from announcements.enums import State
from reservations.rendering import render_notice
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_streams_every_published_row_newest_first(client, world):
    make_notice(
        institution=world.unit, title="甲公告", rows=[("物业服务", "20", "15"), ("保洁服务", "5.5", "5")]
    )
    make_notice(institution=world.unit, title="撤回公告", state=State.REVOKED, rows=[("撤回项目", "1", "1")])

    response = client.get(reverse("public:download_csv"))

    assert response.streaming
    assert 'attachment; filename="sme-reserved-projects-' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[:3] == ["公告编号", "公告标题", "地区"]
    assert [(r[1], r[7], r[8], r[13]) for r in rows] == [
        ("甲公告", "1", "物业服务", "20"),
        ("甲公告", "2", "保洁服务", "5.5"),
    ]


def test_downloads_are_filtered_like_the_list(client, world):
    make_notice(institution=world.unit, title="普陀公告", rows=[("普陀物业", "1", "1")])
    make_notice(institution=world.outsider, title="青浦公告", rows=[("青浦保洁", "1", "1")])

    rows = csv_rows(client.get(reverse("public:download_csv"), {"district": "310118"}))[1:]
    keyword_rows = csv_rows(client.get(reverse("public:download_csv"), {"q": "物业"}))[1:]

    assert [r[8] for r in rows] == ["青浦保洁"]
    assert [r[8] for r in keyword_rows] == ["普陀物业"]


def test_downloads_neutralise_formulas(client, world):
    make_notice(
        institution=world.unit,
        title='=HYPERLINK("http://evil")',
        rows=[("+cmd|' /C calc'!A0", "1", "1"), ("-2+3", "1", "1"), ("@SUM(A1)", "1", "1")],
    )

    rows = csv_rows(client.get(reverse("public:download_csv")))[1:]
    workbook = load_workbook(
        io.BytesIO(b"".join(client.get(reverse("public:download_xlsx")).streaming_content))
    )
    sheet_names = [row[8] for row in workbook.active.iter_rows(min_row=2, values_only=True)]

    assert rows[0][1] == '\'=HYPERLINK("http://evil")'
    assert [r[8] for r in rows] == ["'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)"]
    assert sheet_names == ["'+cmd|' /C calc'!A0", "'-2+3", "'@SUM(A1)"]
    assert all(cell.data_type != "f" for row in workbook.active.iter_rows() for cell in row)


def test_xlsx_has_rows_with_exact_numbers(client, world):
    make_notice(institution=world.unit, title="甲公告", rows=[("物业服务", "12.345678", "10.000001")])

    response = client.get(reverse("public:download_xlsx"))

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    header, row = list(sheet.iter_rows(values_only=True))
    assert header[8] == "项目名称"
    assert row[8] == "物业服务"
    assert Decimal(str(row[13])) == Decimal("12.345678")
    assert Decimal(str(row[14])) == Decimal("10.000001")


def test_download_with_bad_filter_is_400(client, world):
    response = client.get(reverse("public:download_csv"), {"date_from": "not-a-date"})

    assert response.status_code == 400
    assert response.content.decode() == "筛选条件无效。"


def test_csv_writes_amounts_as_the_notice_page_shows_them_exact_to_the_fen(client, world):
    notice = make_notice(
        institution=world.unit,
        title="甲公告",
        rows=[("物业服务", "176.4", "100"), ("保洁服务", "12.345678", "0")],
    )

    header, *rows = csv_rows(client.get(reverse("public:download_csv")))
    page = render_notice(report=notice.report, title=notice.title, notice_date=date(2026, 3, 2))

    columns = [
        header.index(name)
        for name in ("预留比例（%）", "面向中小企业采购金额（万元）", "其中面向小微企业采购金额（万元）")
    ]
    assert [[r[i] for i in columns] for r in rows] == [["100", "176.4", "100"], ["40", "12.345678", "0"]]
    # The notice text prints the same digits.
    assert all(f">{value}<" in page for value in ("176.4", "12.345678", "100", "40"))


def test_download_file_names_use_shanghai_time(client, world, django_capture_on_commit_callbacks):
    from freezegun import freeze_time

    from public import bulk

    make_notice(institution=world.unit, title="甲公告")
    # 17:30 UTC on 1 March is 01:30 on 2 March in Shanghai (TIME_ZONE).
    with freeze_time("2026-03-01 17:30:00"):
        bulk.bulk_files_rebuild(force=True)
        filtered = client.get(reverse("public:download_csv"), {"district": "310107"})
    whole = client.get(reverse("public:download_csv"))

    assert 'filename="sme-reserved-projects-20260302-0130.csv"' in whole["Content-Disposition"]
    assert 'filename="sme-reserved-projects-filtered-20260302-0130.csv"' in filtered["Content-Disposition"]
