"""The Excel import as a task: the stored file, its recorded progress, the status page and its
JSON, who may see them, and all-or-nothing when the notice changed meanwhile."""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from announcements import imports, tasks
from announcements.enums import ImportState, State
from announcements.models import Announcement, RowsImport
from reservations import excel
from reservations.services import report_rows_save
from tests import drafting_support as S

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(world):
    notice = S.draft(world.handler)
    report_rows_save(report=notice.report, rows=[S.row(1)])
    return notice


@pytest.fixture
def queued(monkeypatch):
    """Imports stay queued (no worker): the test runs the task itself."""
    task = imports.rows_import_task
    monkeypatch.setattr(
        imports, "rows_import_task", SimpleNamespace(enqueue=lambda **kwargs: None, call=task.call)
    )


def post(client, notice, file, mode="append"):
    return client.post(
        reverse("announcements:import_rows", args=[notice.public_id]), {"file": file, "mode": mode}
    )


def status_urls(notice, job):
    return (
        reverse("announcements:import_status", args=[notice.public_id, job.pk]),
        reverse("announcements:import_status_json", args=[notice.public_id, job.pk]),
    )


def test_a_queued_import_shows_its_progress_page_and_waiting_status(world, login, notice, queued):
    client = login(world.handler)
    response = post(client, notice, S.xlsx([S.line(1), S.line(2)]), mode="replace")
    job = RowsImport.objects.get(announcement=notice)
    page_url, json_url = status_urls(notice, job)
    assert response.url == page_url
    assert (job.state, job.file_name, job.replace, bytes(job.content)[:2]) == (
        ImportState.QUEUED, "rows.xlsx", True, b"PK",
    )  # fmt: skip

    page = client.get(page_url).content.decode()
    assert '<progress id="import-progress-bar"' in page and "等待导入开始" in page
    assert f'data-status-url="{json_url}"' in page
    assert client.get(json_url).json() == {
        "state": "queued", "finished": False, "done": 0, "total": None, "text": "等待导入开始……",
    }  # fmt: skip
    assert list(notice.report.rows.values_list("name", flat=True)) == ["项目1"]


def test_the_task_records_rows_checked_and_then_the_import(world, login, notice, queued, monkeypatch):
    client = login(world.handler)
    post(client, notice, S.xlsx([S.line(n) for n in range(1, 6)]))
    job = RowsImport.objects.get(announcement=notice)
    recorded = []
    original = tasks._record

    def spy(job, **changes):
        original(job, **changes)
        if "done" in changes and "state" not in changes:
            recorded.append((changes["done"], changes["total"]))

    monkeypatch.setattr(tasks, "_record", spy)
    monkeypatch.setattr(excel, "PROGRESS_EVERY", 2)

    imports.rows_import_task.call(import_id=job.pk)

    assert recorded == [(0, 5), (2, 5), (4, 5)]  # rows checked of the five the sheet says it has
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.imported, bytes(job.content)) == (
        ImportState.DONE, 5, 5, 5, b"",
    )  # fmt: skip
    page_url, json_url = status_urls(notice, job)
    assert client.get(json_url).json() == {
        "state": "done", "finished": True, "done": 5, "total": 5, "text": "已导入5行。",
    }  # fmt: skip
    response = client.get(page_url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("announcements:edit", args=[notice.public_id])
    assert "已导入5行，公告现有6行。" in response.content.decode()
    assert notice.report.rows.count() == 6


def test_progress_text_while_checking_says_rows_of_total(world, notice):
    job = RowsImport.objects.create(
        announcement=notice, file_name="a.xlsx", state=ImportState.CHECKING, done=1250, total=5000
    )
    assert imports.rows_import_status(job=job)["text"] == "正在检查各行：已检查1250行，共5000行。"


def test_errors_are_stored_with_row_column_value_and_nothing_is_saved(world, login, notice):
    client = login(world.handler)
    response = post(client, notice, S.xlsx([S.line(1), S.line(2, sme="一百"), S.line(3, ratio=0)]))
    job = RowsImport.objects.get(announcement=notice)
    assert (job.state, job.error_count) == (ImportState.FAILED, 2)
    assert job.errors == [
        {"row": 3, "column": "面向中小企业采购金额（万元）", "value": "一百",
         "message": "“一百”不是数字：请只填写数字，最多一个小数点。"},
        {"row": 4, "column": "预留比例（%）", "value": "0", "message": "预留比例须大于0且不超过100。"},
    ]  # fmt: skip
    page = client.get(response.url).content.decode()
    assert "未导入任何数据：文件中有 2 处错误。" in page
    assert (
        '<td class="num">3</td><td>面向中小企业采购金额（万元）</td><td class="cell-value">一百</td>' in page
    )
    assert "请重新选择文件" in page
    assert list(notice.report.rows.values_list("name", flat=True)) == ["项目1"]


def test_a_notice_submitted_before_the_task_runs_gets_nothing(world, login, notice, queued):
    post(login(world.handler), notice, S.xlsx([S.line(1)]))
    job = RowsImport.objects.get(announcement=notice)
    Announcement.objects.filter(pk=notice.pk).update(state=State.PURCHASER_REVIEW)

    imports.rows_import_task.call(import_id=job.pk)

    job.refresh_from_db()
    assert (job.state, job.message) == (ImportState.FAILED, "只有草稿可以修改，该公告已提交，未保存。")
    assert list(notice.report.rows.values_list("name", flat=True)) == ["项目1"]


def test_a_finished_import_run_again_changes_nothing(world, login, notice):
    post(login(world.handler), notice, S.xlsx([S.line(1)]))
    job = RowsImport.objects.get(announcement=notice)
    assert imports.rows_import_task.call(import_id=job.pk) == "nothing to do"
    assert notice.report.rows.count() == 2


@pytest.mark.parametrize("who", ["other_handler", "outsider_handler", "reviewer", "finance"])
def test_an_import_and_its_status_are_404_to_anyone_who_may_not_edit_the_notice(
    world, login, notice, queued, who
):
    post(login(world.handler), notice, S.xlsx([S.line(1)]))
    job = RowsImport.objects.get(announcement=notice)
    client = login(getattr(world, who))
    for url in status_urls(notice, job):
        assert client.get(url).status_code == 404
    response = post(client, notice, S.xlsx([S.line(2)]))
    assert response.status_code in (302, 404)  # a gate's sign-in redirect or 404: never an import
    assert RowsImport.objects.filter(announcement=notice).count() == 1


def test_a_colleague_who_may_edit_the_notice_follows_its_import(world, login, notice, queued):
    post(login(world.handler), notice, S.xlsx([S.line(1)]))
    job = RowsImport.objects.get(announcement=notice)
    _page_url, json_url = status_urls(notice, job)
    assert login(world.handler2).get(json_url).json()["state"] == "queued"


def test_an_import_of_another_notice_is_404_under_this_one(world, login, notice, queued):
    other = S.draft(world.handler, year=2024)
    post(login(world.handler), other, S.xlsx([S.line(1)]))
    job = RowsImport.objects.get(announcement=other)
    page_url, json_url = status_urls(notice, job)
    client = login(world.handler)

    page, answer = client.get(page_url), client.get(json_url)

    assert page.status_code == 404 and "页面不存在" in page.content.decode()
    assert answer.status_code == 404 and '"state"' not in answer.content.decode()
