"""Uploads: a forged type, a file over the limit and a body over Django's limits are refused with a
message (never a 500), and nothing is stored."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from announcements.enums import Kind, State
from announcements.models import Announcement, Attachment

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200
PDF = b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF\n"


@pytest.fixture
def draft(demo):
    return Announcement.objects.filter(
        state=State.DRAFT, kind=Kind.SME_RESERVATION, institution=demo["demo-handler"].institution
    ).first()


@pytest.fixture
def handler(demo, client_for):
    return client_for(demo["demo-handler"])


def _upload(client, draft, upload):
    url = reverse("announcements:attachment_upload", args=[draft.public_id])
    return client.post(url, {"attachments": [upload]}, follow=True)


def test_upload_with_forged_type_is_refused_with_message(draft, handler):
    response = _upload(handler, draft, SimpleUploadedFile("报告.pdf", EXE, content_type="application/pdf"))

    assert response.status_code == 200
    assert "报告.pdf：文件内容与扩展名.pdf不符" in response.content.decode()
    assert not Attachment.objects.filter(announcement=draft, original_name="报告.pdf").exists()


def test_upload_of_a_disallowed_extension_is_refused_with_message(draft, handler):
    response = _upload(handler, draft, SimpleUploadedFile("setup.exe", EXE))

    assert "setup.exe：不支持该文件类型" in response.content.decode()
    assert not Attachment.objects.filter(announcement=draft, original_name="setup.exe").exists()


def test_upload_over_the_size_limit_is_refused_with_message(draft, handler, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024

    response = _upload(handler, draft, SimpleUploadedFile("大文件.pdf", PDF, content_type="application/pdf"))

    assert response.status_code == 200
    assert "大文件.pdf：文件大小超过" in response.content.decode()
    assert not Attachment.objects.filter(announcement=draft, original_name="大文件.pdf").exists()


def test_excel_import_of_a_forged_workbook_is_refused_with_message(draft, handler):
    url = reverse("announcements:import_rows", args=[draft.public_id])
    rows_before = list(draft.report.rows.values_list("name", flat=True))

    response = handler.post(url, {"file": SimpleUploadedFile("rows.xlsx", EXE), "mode": "replace"})

    assert response.status_code == 200
    assert "文件不是Excel .xlsx 工作簿" in response.content.decode()
    assert list(draft.report.rows.values_list("name", flat=True)) == rows_before


def test_excel_import_over_the_limit_is_refused_with_message(draft, handler, settings):
    settings.IMPORT_MAX_BYTES = 1024
    url = reverse("announcements:import_rows", args=[draft.public_id])

    response = handler.post(
        url, {"file": SimpleUploadedFile("rows.xlsx", b"PK\x03\x04" + b"0" * 4096), "mode": "append"}
    )

    assert response.status_code == 200
    assert "文件大小超过" in response.content.decode()


def test_request_body_over_djangos_limit_gets_the_400_page(draft, handler, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    url = reverse("announcements:edit", args=[draft.public_id])
    title_before = draft.title

    response = handler.post(url, {"title": "长" * 20_000})

    draft.refresh_from_db()
    assert response.status_code == 400
    assert "请求无法处理" in response.content.decode() and 'class="site-header"' in response.content.decode()
    assert draft.title == title_before


def test_too_many_fields_gets_the_400_page(draft, handler, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 100
    url = reverse("announcements:edit", args=[draft.public_id])

    response = handler.post(url, {f"f{i}": "x" for i in range(500)})

    assert response.status_code == 400
    assert "请求无法处理" in response.content.decode()


def test_too_many_files_gets_the_400_page(draft, handler, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 5
    files = [SimpleUploadedFile(f"f{i}.pdf", PDF, content_type="application/pdf") for i in range(10)]

    response = handler.post(
        reverse("announcements:attachment_upload", args=[draft.public_id]), {"attachments": files}
    )

    assert response.status_code == 400
    assert "请求无法处理" in response.content.decode()
    assert not Attachment.objects.filter(announcement=draft, original_name__startswith="f").exists()
