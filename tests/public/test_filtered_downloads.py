"""Issue 14, item 5: a filtered .xlsx download (keyword, region, dates) comes from the task
queue. The request enqueues one build and answers a page that reloads itself; the task writes
the workbook; later requests serve the file as it is. No request builds a workbook."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.tasks import task_backends
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from announcements.enums import State
from announcements.workflow import Action, apply_action
from public import bulk, downloads, filtered
from public.formats import csv as csv_format
from public.formats import xlsx as xlsx_format
from public.models import FilteredDownload
from tests.announcements import workflow_factories as wf
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db

URL = "public:download_xlsx"
RECORDING = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def recorded(settings):
    """A queue that only records what is enqueued (nothing runs until the test says so)."""
    settings.TASKS = RECORDING
    backend = task_backends["default"]
    backend.clear()
    return backend.results


@pytest.fixture
def no_workbook_in_the_request(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a request built a workbook")

    monkeypatch.setattr(xlsx_format, "write", refuse)
    monkeypatch.setattr(filtered, "filtered_download_build", refuse)
    return monkeypatch


def _sheet_rows(response) -> list[tuple]:
    content = b"".join(response.streaming_content)
    return [row for row in load_workbook(io.BytesIO(content)).active.iter_rows(min_row=2, values_only=True)]


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))[1:]


def _run(results):
    """What a worker does with the recorded build tasks."""
    for result in results:
        result.task.call(*result.args, **result.kwargs)


def test_request_enqueues_the_build_and_answers_a_page_that_reloads_itself(
    client, world, recorded, no_workbook_in_the_request
):
    make_notice(institution=world.outsider, title="青浦公告", rows=[("青浦保洁", "1", "1")])

    response = client.get(reverse(URL), {"district": "310118"})

    page = response.content.decode()
    assert response.status_code == 202
    assert "正在生成文件，请稍候……" in page
    assert response["Refresh"] == "3"
    assert '<meta http-equiv="refresh" content="3">' in page
    assert "<script" not in page
    assert f'href="{reverse("public:list")}?district=310118"' in page  # back to the same list
    assert response["Cache-Control"] == "no-store"
    assert [r.task.name for r in recorded] == ["filtered_download_build_task"]


def test_two_requests_enqueue_one_build_and_the_task_makes_the_file_they_then_get(
    client, world, recorded, monkeypatch
):
    make_notice(institution=world.unit, title="普陀公告", rows=[("普陀物业", "1", "1")])
    make_notice(
        institution=world.outsider, title="青浦公告", rows=[("青浦保洁", "2", "1"), ("青浦绿化", "3", "2")]
    )
    real_write = xlsx_format.write
    monkeypatch.setattr(xlsx_format, "write", lambda *a, **k: pytest.fail("a request built a workbook"))

    first = client.get(reverse(URL), {"district": "310118"})
    second = client.get(reverse(URL), {"district": "310118", "q": ""})  # the same filter, cleaned
    monkeypatch.setattr(xlsx_format, "write", real_write)
    _run(recorded)  # the worker
    served = client.get(reverse(URL), {"district": "310118"})

    assert (first.status_code, second.status_code) == (202, 202)
    assert len(recorded) == 1
    assert served.status_code == 200
    assert [(r[1], r[8]) for r in _sheet_rows(served)] == [("青浦公告", "青浦保洁"), ("青浦公告", "青浦绿化")]
    assert served["ETag"] == f'"{FilteredDownload.objects.get().etag}"'
    assert served["Last-Modified"] and served["X-Generated-At"]
    assert "sme-reserved-projects-filtered-" in served["Content-Disposition"]


def test_served_file_rows_equal_the_filtered_csv(client, world):
    # Immediate backend: the build runs when the request enqueues it; the request then serves it.
    make_notice(
        institution=world.unit, title="物业公告", rows=[("物业服务", "12.345678", "10"), ("保洁", "1", "1")]
    )
    make_notice(institution=world.outsider, title="青浦物业公告", rows=[("青浦物业", "2", "1")])
    make_notice(institution=world.unit, title="绿化公告", rows=[("绿化养护", "1", "1")])
    make_notice(institution=world.unit, title="撤回物业", state=State.REVOKED, rows=[("撤回物业", "1", "1")])
    query = {"q": "物业"}

    sheet = _sheet_rows(client.get(reverse(URL), query))
    lines = _csv_rows(client.get(reverse("public:download_csv"), query))

    assert [str(r[8]) for r in sheet] == [line[8] for line in lines]
    assert sorted({r[1] for r in sheet}) == ["物业公告", "青浦物业公告"]
    assert str(sheet[0][13]).startswith("12.345678") or str(sheet[1][13]).startswith("12.345678")


def test_equivalent_keywords_share_one_file(client, world, recorded):
    make_notice(institution=world.unit, title="物业公告")

    client.get(reverse(URL), {"q": "物业"})
    client.get(reverse(URL), {"q": "  物业  物业 "})

    assert FilteredDownload.objects.count() == 1
    assert len(recorded) == 1


def test_a_new_publication_makes_a_new_file_and_deletes_the_old_one(
    client, world, django_capture_on_commit_callbacks
):
    make_notice(institution=world.unit, title="第一份公告", rows=[("第一项目", "1", "1")], year=2023)
    before = client.get(reverse(URL), {"district": "310107"})
    old = FilteredDownload.objects.get()
    notice = wf.notice(
        institution=world.unit, state=State.FINANCE_REVIEW, submitted_by=world.handler, rows=1, year=2024
    )
    with django_capture_on_commit_callbacks(execute=True):
        apply_action(announcement=notice, action=Action.FINANCE_APPROVE, actor=world.finance)

    assert not FilteredDownload.objects.filter(pk=old.pk).exists()  # the publication's cleanup
    assert not default_storage.exists(old.path)
    after = client.get(reverse(URL), {"district": "310107"})

    assert {r[1] for r in _sheet_rows(before)} == {"第一份公告"}
    notice.refresh_from_db()
    assert {r[1] for r in _sheet_rows(after)} == {"第一份公告", notice.title}
    assert after["ETag"] != before["ETag"]
    assert FilteredDownload.objects.count() == 1


def test_unchanged_file_answers_304(client, world):
    make_notice(institution=world.unit, title="物业公告")
    etag = client.get(reverse(URL), {"q": "物业"})["ETag"]

    again = client.get(reverse(URL), {"q": "物业"}, headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again["ETag"] == etag
    assert b"".join(getattr(again, "streaming_content", [again.content])) == b""  # no file sent again


@pytest.mark.parametrize(
    "query",
    [
        {"district": "310107 "},
        {"district": "999999"},
        {"year": "2025 "},
        {"date_from": "not-a-date"},
        {"q": "x" * 101},
        {"date_from": "2025-02-01", "date_to": "2025-01-01"},
    ],
)
def test_invalid_filter_is_400_and_nothing_is_enqueued_or_built(client, world, recorded, query):
    make_notice(institution=world.unit)

    response = client.get(reverse(URL), query)

    assert response.status_code == 400
    assert FilteredDownload.objects.count() == 0
    assert recorded == []
    assert not default_storage.exists(filtered.FILTERED_DIR)


def test_too_many_waiting_builds_enqueue_nothing_more_and_say_so(client, world, recorded, settings):
    settings.FILTERED_XLSX_MAX_PENDING = 1
    make_notice(institution=world.unit, title="物业公告")

    client.get(reverse(URL), {"q": "物业"})
    busy = client.get(reverse(URL), {"q": "保洁"})

    assert busy.status_code == 503 and busy["Retry-After"] == "30"
    assert "正在生成的文件较多" in busy.content.decode()
    assert len(recorded) == 1
    assert list(FilteredDownload.objects.values_list("params", flat=True)) == [{"q": "物业"}]


def test_a_lost_build_is_enqueued_again_once_after_the_retry_time(client, world, recorded):
    make_notice(institution=world.unit, title="物业公告")
    client.get(reverse(URL), {"q": "物业"})
    FilteredDownload.objects.update(requested_at=timezone.now() - timedelta(minutes=11))

    client.get(reverse(URL), {"q": "物业"})
    client.get(reverse(URL), {"q": "物业"})

    assert len(recorded) == 2


def test_a_file_gone_from_the_storage_is_built_again(client, world):
    make_notice(institution=world.unit, title="物业公告")
    client.get(reverse(URL), {"q": "物业"})
    default_storage.delete(FilteredDownload.objects.get().path)

    response = client.get(reverse(URL), {"q": "物业"})

    assert response.status_code == 200
    assert [r[1] for r in _sheet_rows(response)] == ["物业公告"]


def test_cleanup_deletes_rows_past_the_keep_time_and_orphan_files(client, world):
    make_notice(institution=world.unit, title="物业公告")
    client.get(reverse(URL), {"q": "物业"})
    download = FilteredDownload.objects.get()
    FilteredDownload.objects.update(requested_at=timezone.now() - timedelta(hours=25))
    orphan = bulk._save(f"{filtered.FILTERED_DIR}/orphan.xlsx", io.BytesIO(b"half a workbook"))["path"]

    deleted = filtered.filtered_downloads_cleanup(orphan_minutes=0)

    assert deleted == 1
    assert not default_storage.exists(download.path)
    assert not default_storage.exists(orphan)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_building_one_filtered_file_at_once_keep_one_file(world, settings):
    from django.db import connection

    from tests.concurrency import run_together

    if connection.vendor != "postgresql":
        pytest.skip("needs threads with their own connections")
    settings.TASKS = RECORDING
    make_notice(institution=world.unit, title="物业公告", rows=[("物业服务", "1", "1")])
    key = downloads.filtered_download_request(params={"q": "物业"}).key

    first, second = run_together(*[lambda: filtered.filtered_download_build(key=key)] * 2)

    download = FilteredDownload.objects.get()
    assert first.pk == second.pk == download.pk and download.rows == 1
    assert default_storage.listdir(filtered.FILTERED_DIR)[1] == [download.path.rsplit("/", 1)[1]]


def test_a_build_keyed_by_a_moment_old_stamp_is_kept_and_served(client, world, recorded):
    # The request read the stamp from the cache (or a lagging replica) just before the data moved
    # on: the build must not delete its own row as stale, or the page would wait for ever.
    make_notice(institution=world.unit, title="物业公告")
    client.get(reverse(URL), {"q": "物业"})
    make_notice(institution=world.unit, title="第二物业公告")  # no publication event: no bump
    _run(recorded)

    served = client.get(reverse(URL), {"q": "物业"})

    assert served.status_code == 200
    assert FilteredDownload.objects.get().built_at is not None


def test_filtered_csv_comes_from_the_queue_too(client, world, recorded, monkeypatch):
    make_notice(institution=world.outsider, title="青浦公告", rows=[("青浦保洁", "1", "1")])
    make_notice(institution=world.unit, title="普陀公告", rows=[("普陀物业", "1", "1")])
    real_write = csv_format.write
    monkeypatch.setattr(csv_format, "write", lambda *a, **k: pytest.fail("a request built a file"))

    waiting = client.get(reverse("public:download_csv"), {"district": "310118"})
    xlsx = client.get(reverse(URL), {"district": "310118"})  # another format, another file
    monkeypatch.setattr(csv_format, "write", real_write)
    _run(recorded)
    served = client.get(reverse("public:download_csv"), {"district": "310118"})

    assert waiting.status_code == 202
    assert f'href="{reverse("public:download_csv")}?district=310118"' in waiting.content.decode()
    assert xlsx.status_code == 202 and len(recorded) == 2
    assert served["Content-Type"] == "text/csv; charset=utf-8"
    assert [(line[1], line[8]) for line in _csv_rows(served)] == [("青浦公告", "青浦保洁")]
