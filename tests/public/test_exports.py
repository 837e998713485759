import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from announcements.enums import State
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
        ("甲公告", "1", "物业服务", "20.000000"),
        ("甲公告", "2", "保洁服务", "5.500000"),
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
