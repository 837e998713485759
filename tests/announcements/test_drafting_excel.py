"""Excel import and export through the pages: nothing saved when anything is wrong."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from announcements.enums import State
from announcements.models import Announcement
from reservations.enums import DataSource
from reservations.services import report_rows_save
from tests import drafting_support as S

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(world):
    notice = S.draft(world.handler)
    report_rows_save(report=notice.report, rows=[S.row(1)])
    return notice


def upload(client, notice, file, mode="append"):
    """Post the file and follow the import's page (the task has run: immediate backend)."""
    return client.post(
        reverse("announcements:import_rows", args=[notice.public_id]),
        {"file": file, "mode": mode},
        follow=True,
    )


def test_import_appends_rows_and_marks_excel_source(world, login, notice):
    response = upload(login(world.handler), notice, S.xlsx([S.line(1), S.line(2)]))
    assert response.redirect_chain[-1][0] == reverse("announcements:edit", args=[notice.public_id])
    report = Announcement.objects.get(pk=notice.pk).report
    assert list(report.rows.values_list("name", "position")) == [
        ("项目1", 0),
        ("导入项目1", 1),
        ("导入项目2", 2),
    ]
    assert report.sme_total == Decimal("501")
    assert report.data_source == DataSource.EXCEL
    page = response.content.decode()
    assert "Excel导入" in page and "已导入2行" in page


def test_import_replace_mode_replaces_rows(world, login, notice):
    upload(login(world.handler), notice, S.xlsx([S.line(9)]), mode="replace")
    assert list(notice.report.rows.values_list("name", flat=True)) == ["导入项目9"]


def test_import_bumps_version_so_an_older_edit_form_is_stale(world, login, notice):
    upload(login(world.handler), notice, S.xlsx([S.line(1)]))
    assert Announcement.objects.get(pk=notice.pk).version == notice.version + 1


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (lambda: S.xlsx([S.line(1)], headers=["项目", "金额"]), "表头与导入模板不一致"),
        (lambda: S.xlsx([S.line(1), S.line(2, sme="abc")]), "“abc”不是数字"),
        (lambda: S.xlsx([S.line(1, sme=-3)]), "面向中小企业采购金额须大于0"),
        (lambda: S.xlsx([S.line(1, ratio=150)]), "预留比例须大于0且不超过100"),
        (lambda: S.xlsx([S.line(1, ratio=None)]), "请填写预留比例"),
        (lambda: S.xlsx([S.line(1, small_micro=999)]), "不能超过面向中小企业采购金额"),
        (
            lambda: SimpleUploadedFile("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 2048),
            "不是Excel .xlsx",
        ),
        (lambda: SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"\0" * (6 * 1024 * 1024)), "超过5MB"),
    ],
)
def test_bad_spreadsheet_gives_message_and_saves_nothing(world, login, notice, file, message):
    response = upload(login(world.handler), notice, file(), mode="replace")
    assert response.status_code == 200
    assert message in response.content.decode()
    notice.refresh_from_db()
    assert list(notice.report.rows.values_list("name", flat=True)) == ["项目1"]
    assert notice.report.data_source == DataSource.MANUAL


def test_bad_rows_listed_in_a_table_with_row_numbers(world, login, notice):
    page = upload(
        login(world.handler), notice, S.xlsx([S.line(1), S.line(2, ratio=0), S.line(3, link="http://x.cn")])
    ).content.decode()
    assert "未导入任何数据" in page
    assert '<td class="num">3</td><td>预留比例（%）</td><td class="cell-value">0</td>' in page
    assert '<td class="num">4</td><td>合同链接</td><td class="cell-value">http://x.cn</td>' in page


def test_import_into_submitted_notice_refused(world, login, notice):
    Announcement.objects.filter(pk=notice.pk).update(state=State.PURCHASER_REVIEW)
    page = upload(login(world.handler), notice, S.xlsx([S.line(1)])).content.decode()
    assert "只有草稿可以修改" in page
    assert notice.report.rows.count() == 1


def test_export_gives_rows_and_totals(world, login, notice):
    response = login(world.handler).get(reverse("announcements:export_rows", args=[notice.public_id]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.active["B2"].value == "项目1"
    assert workbook["合计"]["B4"].value == 100


def test_import_template_download(world, login):
    response = login(world.handler).get(reverse("announcements:import_template"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.active["B1"].value == "项目名称"
