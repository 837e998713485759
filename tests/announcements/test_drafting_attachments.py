"""Attachments: allow-list by extension and content, size limit, unguessable names, who may download."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from announcements.enums import State
from announcements.models import Announcement, Attachment
from tests import drafting_support as S

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def send(client, notice, *files):
    return client.post(
        reverse("announcements:attachment_upload", args=[notice.public_id]),
        {"attachments": list(files)},
        follow=True,
    )


def test_pdf_upload_stored_under_unguessable_name(world, login):
    notice = S.draft(world.handler)
    page = send(login(world.handler), notice, SimpleUploadedFile("说明附件.pdf", PDF)).content.decode()
    attachment = Attachment.objects.get()
    assert attachment.original_name == "说明附件.pdf" and "说明附件.pdf" in page
    assert "说明附件" not in attachment.file.name and attachment.file.name.endswith(".pdf")
    assert len(attachment.file.name.rsplit("/", 1)[-1]) > 30
    assert attachment.content_type == "application/pdf"


def test_fake_extension_refused(world, login):
    notice = S.draft(world.handler)
    page = send(
        login(world.handler), notice, SimpleUploadedFile("report.pdf", b"MZ\x90\x00 an exe")
    ).content.decode()
    assert "文件内容与扩展名.pdf不符" in page
    assert Attachment.objects.count() == 0


def test_type_outside_allow_list_refused(world, login):
    notice = S.draft(world.handler)
    page = send(login(world.handler), notice, SimpleUploadedFile("run.exe", b"MZ")).content.decode()
    assert "不支持该文件类型" in page and Attachment.objects.count() == 0


def test_renamed_zip_is_not_a_docx(world, login):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hi")
    notice = S.draft(world.handler)
    send(login(world.handler), notice, SimpleUploadedFile("a.docx", buffer.getvalue()))
    assert Attachment.objects.count() == 0


@override_settings(ATTACHMENT_MAX_BYTES=1024)
def test_too_large_refused(world, login):
    notice = S.draft(world.handler)
    send(login(world.handler), notice, SimpleUploadedFile("big.pdf", PDF + b"0" * 2048))
    assert Attachment.objects.count() == 0


def test_several_files_at_create(world, login):
    response = login(world.handler).post(
        reverse("announcements:create_sme"),
        {
            "district": world.unit.district_id,
            "year": "2025",
            "publish_mode": "on_approval",
            "attachments": [
                SimpleUploadedFile("a.pdf", PDF),
                SimpleUploadedFile("b.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20),
            ],
        },
    )
    assert response.status_code == 302
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == ["a.pdf", "b.png"]


def test_outsider_gets_404_on_draft_attachments(world, login, client):
    notice = S.draft(world.handler)
    send(login(world.handler), notice, SimpleUploadedFile("a.pdf", PDF))
    attachment = Attachment.objects.get()
    url = reverse("announcements:attachment_download", args=[notice.public_id, attachment.pk])
    assert b"".join(login(world.handler).get(url).streaming_content) == PDF
    for user in (world.outsider_handler, world.other_handler):
        assert login(user).get(url).status_code == 404
        delete = reverse("announcements:attachment_delete", args=[notice.public_id, attachment.pk])
        assert login(user).post(delete).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404
    assert Attachment.objects.count() == 1


def test_published_notice_attachment_is_public(world, login, client):
    notice = S.draft(world.handler)
    send(login(world.handler), notice, SimpleUploadedFile("a.pdf", PDF))
    attachment = Attachment.objects.get()
    Announcement.objects.filter(pk=notice.pk).update(state=State.PUBLISHED)
    client.logout()
    response = client.get(
        reverse("announcements:attachment_download", args=[notice.public_id, attachment.pk]), follow=True
    )
    assert response.redirect_chain == [
        (reverse("public:attachment", args=[notice.public_id, attachment.pk]), 302)
    ]
    assert b"".join(response.streaming_content) == PDF
    assert "a.pdf" in response["Content-Disposition"]


def test_delete_attachment_of_draft(world, login):
    notice = S.draft(world.handler)
    client = login(world.handler)
    send(client, notice, SimpleUploadedFile("a.pdf", PDF))
    attachment = Attachment.objects.get()
    page = client.post(
        reverse("announcements:attachment_delete", args=[notice.public_id, attachment.pk]), follow=True
    ).content.decode()
    assert "附件a.pdf已删除" in page and Attachment.objects.count() == 0
