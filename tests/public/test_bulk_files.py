"""Finding #2: the bulk files are built by a task after publication changes, and a request only
serves the latest file (ETag, Last-Modified, generation time); it never builds the workbook."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from announcements.enums import State
from announcements.workflow import Action, apply_action
from public import bulk
from public.formats import xlsx as xlsx_format
from tests.announcements import workflow_factories as wf

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]


def _publish(world, capture, year=2024):
    notice = wf.notice(
        institution=world.unit, state=State.FINANCE_REVIEW, submitted_by=world.handler, rows=2, year=year
    )
    with capture(execute=True):
        apply_action(announcement=notice, action=Action.FINANCE_APPROVE, actor=world.finance)
    notice.refresh_from_db()
    return notice


def test_publication_rebuilds_the_files_and_revocation_removes_the_rows(
    client, world, django_capture_on_commit_callbacks
):
    notice = _publish(world, django_capture_on_commit_callbacks)

    first = client.get(reverse("public:download_xlsx"))
    assert _titles(first) == [notice.title, notice.title]

    with django_capture_on_commit_callbacks(execute=True):
        apply_action(announcement=notice, action=Action.REVOKE, actor=world.finance, comment="金额有误")

    assert _titles(client.get(reverse("public:download_xlsx"))) == []


def test_download_serves_the_built_file_without_building_one(
    client, world, django_capture_on_commit_callbacks, monkeypatch
):
    notice = _publish(world, django_capture_on_commit_callbacks)

    def refuse(*args, **kwargs):
        raise AssertionError("a request built a workbook")

    monkeypatch.setattr(xlsx_format, "write", refuse)
    response = client.get(reverse("public:download_xlsx"))

    manifest = bulk.read_manifest()
    assert response.status_code == 200
    assert _titles(response) == [notice.title, notice.title]
    assert response["ETag"] == f'"{manifest["files"]["rows.xlsx"]["etag"]}"'
    assert response["X-Generated-At"] == manifest["generated_at"]
    assert response["Last-Modified"]
    assert ".xlsx" in response["Content-Disposition"]


def test_unchanged_file_answers_304_to_a_conditional_request(
    client, world, django_capture_on_commit_callbacks
):
    _publish(world, django_capture_on_commit_callbacks)
    etag = client.get(reverse("public:download_csv"))["ETag"]

    again = client.get(reverse("public:download_csv"), headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.content == b""


def test_year_files_hold_only_that_year(client, world, django_capture_on_commit_callbacks):
    old = _publish(world, django_capture_on_commit_callbacks, year=2023)
    new = _publish(world, django_capture_on_commit_callbacks, year=2024)

    by_year = _titles(client.get(reverse("public:download_xlsx"), {"year": "2023"}))
    everything = _titles(client.get(reverse("public:download_xlsx")))

    assert by_year == [old.title, old.title]
    assert sorted(set(everything)) == sorted({old.title, new.title})


def test_rebuild_is_coalesced_when_nothing_changed(world, django_capture_on_commit_callbacks):
    _publish(world, django_capture_on_commit_callbacks)
    before = bulk.read_manifest()

    after = bulk.bulk_files_rebuild()

    assert after["token"] == before["token"]
    assert after["generated_at"] == before["generated_at"]


def test_new_generation_deletes_the_previous_files(world, django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage

    _publish(world, django_capture_on_commit_callbacks, year=2023)
    old_paths = [f["path"] for f in bulk.read_manifest()["files"].values()]
    _publish(world, django_capture_on_commit_callbacks, year=2024)

    assert old_paths and not any(default_storage.exists(p) for p in old_paths)
    assert all(default_storage.exists(f["path"]) for f in bulk.read_manifest()["files"].values())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_rebuilding_at_once_build_once_and_leave_one_complete_generation(world):
    from django.core.files.storage import default_storage
    from django.db import connection

    from tests.concurrency import run_together
    from tests.public.conftest import make_notice

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL advisory locks")
    make_notice(institution=world.unit, title="并发生成", year=2024)

    first, second = run_together(bulk.bulk_files_rebuild, bulk.bulk_files_rebuild)

    manifest = bulk.read_manifest()
    assert first["token"] == second["token"] == manifest["token"]  # the second found it current
    assert sorted(manifest["files"]) == ["rows-2024.csv", "rows-2024.xlsx", "rows.csv", "rows.xlsx"]
    assert all(default_storage.exists(f["path"]) for f in manifest["files"].values())
