"""The sealed notice (电子签章): a publication makes a PDF of the frozen notice signed with the
finance bureau's seal; anyone can download it and have it verified; revocation leaves it as
it was."""

import io
import logging

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from announcements.enums import State
from announcements.workflow import Action, apply_action
from certificates.issuing import certificate_authority, personal_certificate
from certificates.sealing import pdf_seal_verify
from public import sealing
from public.tasks import notice_seal_task
from tests.announcements import workflow_factories as wf
from tests.certificates.conftest import pki  # noqa: F401 - the trusted test CA

pytestmark = pytest.mark.django_db
BUREAU = "上海市普陀区财政局"


@pytest.fixture
def seal(pki, tmp_path, settings):  # noqa: F811
    """The seal of 普陀区 (310107), issued by the trusted test CA, in NOTICE_SEAL_DIR."""
    issued = personal_certificate(ca=pki.ca, cn=BUREAU, o=BUREAU, client_auth=False)
    folder = tmp_path / "seals"
    folder.mkdir()
    (folder / "310107.p12").write_bytes(issued.pkcs12(password=b"seal-pass", name=BUREAU, chain=[pki.ca]))
    settings.NOTICE_SEAL_DIR = str(folder)
    settings.NOTICE_SEAL_PASSWORD = "seal-pass"
    return issued


def publish(world, django_capture_on_commit_callbacks, rows=2):
    notice = wf.notice(
        institution=world.unit, state=State.FINANCE_REVIEW, submitted_by=world.handler, rows=rows
    )
    with django_capture_on_commit_callbacks(execute=True):
        apply_action(announcement=notice, action=Action.FINANCE_APPROVE, actor=world.finance)
    notice.refresh_from_db()
    return notice


def download(client, notice) -> bytes:
    response = client.get(reverse("public:sealed_pdf", args=[notice.public_id]))
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def verify_page(client, data: bytes) -> str:
    upload = SimpleUploadedFile("notice.pdf", data, content_type="application/pdf")
    return client.post(reverse("public:seal_verify"), {"file": upload}).content.decode()


def test_publication_makes_a_sealed_pdf_with_the_notice_text(
    client, world, seal, django_capture_on_commit_callbacks
):
    notice = publish(world, django_capture_on_commit_callbacks)

    detail = client.get(reverse("public:detail", args=[notice.public_id])).content.decode()
    assert "下载签章版（PDF）" in detail
    pdf = download(client, notice)

    check = pdf_seal_verify(data=pdf)
    assert (check.valid, check.signer) == (True, BUREAU)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "".join(notice.title.split()) in "".join(text.split())
    for row in notice.report.rows.all():
        assert row.name in text
    assert "财政局" in text or world.unit.name[:6] in text


def test_verification_page_says_valid_who_when_and_that_content_matches(
    client, world, seal, django_capture_on_commit_callbacks
):
    notice = publish(world, django_capture_on_commit_callbacks)

    page = verify_page(client, download(client, notice))

    assert "有效：封存后未被修改，证书受信任" in page
    assert BUREAU in page
    assert "与发布的公告一致" in page
    assert notice.title in page


def test_one_byte_altered_fails_verification(client, world, seal, django_capture_on_commit_callbacks):
    notice = publish(world, django_capture_on_commit_callbacks)
    pdf = bytearray(download(client, notice))
    # One byte inside the first content stream, within the signed bytes: the file still parses.
    at = pdf.index(b"stream\n") + len(b"stream\n") + 10
    pdf[at] ^= 0x01

    check = pdf_seal_verify(data=bytes(pdf))
    page = verify_page(client, bytes(pdf))

    assert (check.signed, check.intact, check.valid) == (True, False, False)
    assert "无效：文件在签章后被修改" in page
    assert "与发布的公告不一致" in page


def test_a_seal_of_an_untrusted_ca_is_not_valid(
    world, seal, settings, tmp_path, django_capture_on_commit_callbacks
):
    stranger = certificate_authority(name="别处CA")
    fake = personal_certificate(ca=stranger, cn=BUREAU, o=BUREAU, client_auth=False)
    (tmp_path / "seals" / "310107.p12").write_bytes(fake.pkcs12(password=b"seal-pass", name=BUREAU))
    notice = publish(world, django_capture_on_commit_callbacks)

    with default_storage.open(
        sealing.sealed_pdf_path(public_id=notice.public_id, published_at=notice.published_at)
    ) as f:
        check = pdf_seal_verify(data=f.read())

    assert (check.intact, check.trusted, check.valid) == (True, False, False)


def test_revocation_keeps_the_sealed_pdf_unaltered(client, world, seal, django_capture_on_commit_callbacks):
    notice = publish(world, django_capture_on_commit_callbacks)
    pdf = download(client, notice)
    with django_capture_on_commit_callbacks(execute=True):
        apply_action(announcement=notice, action=Action.REVOKE, actor=world.finance, comment="金额有误")

    path = sealing.sealed_pdf_path(public_id=notice.public_id, published_at=notice.published_at)
    with default_storage.open(path) as f:
        assert f.read() == pdf
    gone = client.get(reverse("public:sealed_pdf", args=[notice.public_id]))
    assert gone.status_code == 410
    assert "金额有误" in gone.content.decode()
    assert "已于签章后撤回" in verify_page(client, pdf)


def test_sealing_is_tried_again_after_a_failure(
    world, seal, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    real = sealing.notice_pdf_render
    calls = []

    def flaky(content):
        calls.append(content["public_id"])
        if len(calls) == 1:
            raise OSError("renderer crashed")
        return real(content)

    monkeypatch.setattr(sealing, "notice_pdf_render", flaky)
    with caplog.at_level(logging.WARNING, logger="public.tasks"):
        notice = publish(world, django_capture_on_commit_callbacks)

    assert len(calls) == 2
    assert "trying again" in caplog.text
    path = sealing.sealed_pdf_path(public_id=notice.public_id, published_at=notice.published_at)
    assert default_storage.exists(path)


def test_sealing_gives_up_after_the_last_attempt(world, seal, settings, monkeypatch, caplog):
    settings.NOTICE_SEAL_ATTEMPTS = 2
    notice = wf.notice(institution=world.unit, state=State.PUBLISHED, submitted_by=world.handler, rows=1)
    monkeypatch.setattr(sealing, "notice_pdf_render", lambda content: (_ for _ in ()).throw(OSError("down")))

    # The first attempt enqueues the second (run at once here), which fails for good.
    assert notice_seal_task.call(public_id=notice.public_id) is None

    assert "not sealed after 2 attempts" in caplog.text
    path = sealing.sealed_pdf_path(public_id=notice.public_id, published_at=notice.published_at)
    assert not default_storage.exists(path)


def test_without_a_seal_the_download_waits(client, world, settings, django_capture_on_commit_callbacks):
    notice = publish(world, django_capture_on_commit_callbacks)

    response = client.get(reverse("public:sealed_pdf", args=[notice.public_id]))

    assert response.status_code == 202
    assert "正在生成签章版" in response.content.decode()


def test_api_answers_the_verdict_as_json(client, world, seal, django_capture_on_commit_callbacks):
    notice = publish(world, django_capture_on_commit_callbacks)

    answer = client.post(
        reverse("public:api_seal_verify"), data=download(client, notice), content_type="application/pdf"
    ).json()

    assert answer["valid"] is True
    assert answer["signer"] == BUREAU
    assert answer["content_matches"] is True
    assert answer["notice"]["public_id"] == notice.public_id
    assert answer["signed_at"] is not None


def test_ocds_lists_the_sealed_pdf_among_the_documents(
    client, world, seal, django_capture_on_commit_callbacks
):
    notice = publish(world, django_capture_on_commit_callbacks, rows=1)

    releases = client.get(reverse("public:ocds_releases")).json()["releases"]

    documents = [d for r in releases for d in r["tender"]["documents"]]
    assert [
        (d["url"].endswith(f"/notices/{notice.public_id}/sealed.pdf"), d["format"]) for d in documents
    ] == [(True, "application/pdf")]


def test_seal_notices_seals_what_was_published_before_a_seal_existed(world, pki, settings, tmp_path):  # noqa: F811
    notice = wf.notice(institution=world.unit, state=State.PUBLISHED, submitted_by=world.handler, rows=1)
    path = sealing.sealed_pdf_path(public_id=notice.public_id, published_at=notice.published_at)
    assert not default_storage.exists(path)
    folder = tmp_path / "seals"
    folder.mkdir()
    issued = personal_certificate(ca=pki.ca, cn=BUREAU, o=BUREAU, client_auth=False)
    (folder / "310107.p12").write_bytes(issued.pkcs12(password=b"p", name=BUREAU))
    settings.NOTICE_SEAL_DIR, settings.NOTICE_SEAL_PASSWORD = str(folder), "p"

    call_command("seal_notices", stdout=io.StringIO())

    with default_storage.open(path) as f:
        assert pdf_seal_verify(data=f.read()).valid
