"""Backup and restore: export_dataset / import_dataset with SHA-256 checksums."""

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from announcements.models import Announcement, Attachment

ROOT = Path(settings.BASE_DIR)
PDF = b"%PDF-1.4\n% ops test attachment\n%%EOF\n"


@pytest.fixture
def notice_with_attachment(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    notice = Announcement.objects.create(
        institution=world.unit,
        district=world.unit.district,
        year=2025,
        title="测试公告<b>备份</b>",
        created_by=world.handler,
    )
    attachment = Attachment.objects.create(
        announcement=notice,
        file=ContentFile(PDF, name="合同.pdf"),
        original_name="合同.pdf",
        size=len(PDF),
        content_type="application/pdf",
        uploaded_by=world.handler,
    )
    return notice, attachment


def test_export_dataset_writes_rows_files_and_checksums(notice_with_attachment, tmp_path):
    notice, attachment = notice_with_attachment
    target = tmp_path / "backup"

    call_command("export_dataset", str(target))

    manifest = json.loads((target / "manifest.json").read_text())
    (file_entry,) = manifest["files"]
    assert file_entry["name"] == attachment.file.name
    assert file_entry["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (target / "files" / attachment.file.name).read_bytes() == PDF
    assert manifest["data"]["sha256"] == hashlib.sha256((target / "data.json").read_bytes()).hexdigest()
    assert manifest["counts"]["announcements.announcement"] == 1
    titles = [
        r["fields"]["title"]
        for r in json.loads((target / "data.json").read_text())
        if r["model"] == "announcements.announcement"
    ]
    assert titles == ["测试公告<b>备份</b>"]


def test_import_dataset_refuses_a_damaged_file(notice_with_attachment, tmp_path):
    _, attachment = notice_with_attachment
    target = tmp_path / "backup"
    call_command("export_dataset", str(target))
    (target / "files" / attachment.file.name).write_bytes(PDF.replace(b"ops", b"OPS"))

    with pytest.raises(CommandError, match="checksum mismatch"):
        call_command("import_dataset", str(target), "--verify-only")


def test_import_dataset_refuses_a_manifest_pointing_outside_the_directory(notice_with_attachment, tmp_path):
    target = tmp_path / "backup"
    call_command("export_dataset", str(target))
    manifest = json.loads((target / "manifest.json").read_text())
    manifest["files"][0]["name"] = "../../outside.pdf"
    (target / "manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(CommandError, match="outside the dataset directory"):
        call_command("import_dataset", str(target), "--verify-only")


def test_import_dataset_refuses_a_database_that_has_data(notice_with_attachment, tmp_path):
    target = tmp_path / "backup"
    call_command("export_dataset", str(target))

    with pytest.raises(CommandError, match="already has accounts"):
        call_command("import_dataset", str(target))

    assert Announcement.objects.count() == 1


def test_export_dataset_refuses_a_non_empty_directory(db, tmp_path):
    (tmp_path / "old.txt").write_text("x")

    with pytest.raises(CommandError, match="not empty"):
        call_command("export_dataset", str(tmp_path))


# --- Full restore of the demo data into an empty database, in separate processes -------------

FINGERPRINT = (
    "import json; from ops.dataset import dataset_fingerprint; "
    "print(json.dumps(dataset_fingerprint(), ensure_ascii=False, sort_keys=True, default=str))"
)
ADD_ATTACHMENT = """
from django.core.files.base import ContentFile
from announcements.models import Announcement, Attachment
from accounts.models import Institution
notice = Announcement.objects.order_by("pk").first()
if notice is None:  # the demo data has no notice yet: the restore must still carry files
    unit = Institution.objects.filter(kind="budget_unit").order_by("pk").first()
    notice = Announcement.objects.create(
        institution=unit, district=unit.district, year=2025, title="备份测试公告"
    )
data = b"%PDF-1.4 demo attachment for the restore test %%EOF"
Attachment.objects.create(
    announcement=notice, file=ContentFile(data, name="demo.pdf"), original_name="附件.pdf",
    size=len(data), content_type="application/pdf",
)
"""
NEW_ROW_AFTER_RESTORE = """
from accounts.models import District, Institution
from announcements.models import Announcement
inst = Institution.objects.create(
    name="恢复后新建单位", district=District.objects.get(code="310107"), kind="budget_unit"
)
print("NEW-ROW-OK", inst.pk > 0)
"""


def _database_urls(tmp_path):
    """Two empty databases of the same kind as the test run's."""
    if connection.vendor != "postgresql":
        return [f"sqlite:///{tmp_path / name}.sqlite3" for name in ("source", "restored")]
    import psycopg2

    params = connection.settings_dict
    admin = psycopg2.connect(
        dbname="postgres",
        user=params["USER"],
        host=params["HOST"],
        port=params["PORT"] or 5432,
        password=params["PASSWORD"] or None,
    )
    admin.autocommit = True
    urls = []
    for name in ("source", "restored"):
        db_name = f"sme_ops_restore_{name}_{uuid.uuid4().hex[:8]}"
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{db_name}"')
        urls.append(f"postgres://{params['USER']}@{params['HOST']}:{params['PORT'] or 5432}/{db_name}")
    admin.close()
    return urls


def _drop_postgres(urls):
    if connection.vendor != "postgresql":
        return
    import psycopg2

    params = connection.settings_dict
    admin = psycopg2.connect(
        dbname="postgres", user=params["USER"], host=params["HOST"], port=params["PORT"] or 5432
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        for url in urls:
            cursor.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    admin.close()


def _run(url, media, *args):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DATABASE_URL=url,
        MEDIA_ROOT=str(media),
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="1",
        CACHE_URL="locmemcache://restore-test",
        LOG_LEVEL="WARNING",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{args}: {result.stdout[-2000:]} {result.stderr[-4000:]}"
    return result.stdout


@pytest.mark.django_db
def test_demo_data_restored_into_an_empty_database_is_identical(tmp_path):
    source_url, restored_url = _database_urls(tmp_path)
    source_media, restored_media, backup = tmp_path / "media-a", tmp_path / "media-b", tmp_path / "backup"
    try:
        _run(source_url, source_media, "migrate", "--noinput", "-v", "0")
        _run(source_url, source_media, "seed_demo")
        _run(source_url, source_media, "shell", "-v", "0", "-c", ADD_ATTACHMENT)
        _run(source_url, source_media, "export_dataset", str(backup))
        _run(restored_url, restored_media, "migrate", "--noinput", "-v", "0")
        _run(restored_url, restored_media, "import_dataset", str(backup))

        before = json.loads(_run(source_url, source_media, "shell", "-v", "0", "-c", FINGERPRINT))
        after = json.loads(_run(restored_url, restored_media, "shell", "-v", "0", "-c", FINGERPRINT))
        new_row = _run(restored_url, restored_media, "shell", "-v", "0", "-c", NEW_ROW_AFTER_RESTORE)
    finally:
        _drop_postgres([source_url, restored_url])

    rows = after["rows"]
    assert len(rows["announcements.announcement"]) >= 1
    assert len(rows["announcements.flowlogentry"]) >= 1
    assert len(rows["reservations.reservedproject"]) >= 1
    assert len(rows["announcements.attachment"]) >= 1 and len(after["files"]) >= 1
    assert {label: len(r) for label, r in after["rows"].items()} == {
        label: len(r) for label, r in before["rows"].items()
    }
    for label in before["rows"]:
        assert after["rows"][label] == before["rows"][label], label
    assert after["files"] == before["files"]
    for name, digest in after["files"].items():
        assert hashlib.sha256((restored_media / name).read_bytes()).hexdigest() == digest
    # Sequences continue after the restored ids (PostgreSQL): a new row can be added.
    assert "NEW-ROW-OK True" in new_row


@pytest.mark.django_db
def test_export_keeps_whole_microseconds_of_timestamps():
    # Django's json format printed 12:00:00.000456 as 12:00:00.000 (milliseconds), so a restored
    # row differed from its original in one run of a few: the export keeps every digit.
    from datetime import UTC, datetime

    from django.core import serializers

    from accounts.models import OutboxMessage

    moment = datetime(2026, 7, 1, 12, 0, 0, 456, tzinfo=UTC)
    mail = OutboxMessage.objects.create(channel="mail", recipient="a@example.cn", body="b", created_at=moment)

    text = serializers.serialize("exactjson", OutboxMessage.objects.filter(pk=mail.pk))
    restored = next(serializers.deserialize("json", text)).object

    assert '"created_at": "2026-07-01T12:00:00.000456Z"' in text
    assert restored.created_at == moment
    assert '"created_at": "2026-07-01T12:00:00.000Z"' in serializers.serialize(
        "json", OutboxMessage.objects.filter(pk=mail.pk)
    )  # what Django's own format writes
