"""An import whose worker was killed mid-way says so instead of showing frozen progress."""

from datetime import timedelta

import pytest
from django.utils import timezone

from announcements.enums import ImportState, State
from announcements.imports import rows_import_status
from announcements.models import RowsImport
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db
INTERRUPTED = "导入已中断（服务器曾重启）：半小时内会自动重新开始，也可以重新上传文件。"


def _job(world, *, state, minutes_ago) -> RowsImport:
    notice = make_notice(institution=world.unit, state=State.DRAFT)
    job = RowsImport.objects.create(
        announcement=notice, file_name="rows.xlsx", state=state, done=250, total=5000
    )
    RowsImport.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(minutes=minutes_ago))
    return RowsImport.objects.get(pk=job.pk)


def test_an_import_checking_past_the_time_limit_reads_interrupted(world, settings):
    settings.IMPORT_TIME_LIMIT_SECONDS = 600

    status = rows_import_status(job=_job(world, state=ImportState.CHECKING, minutes_ago=15))

    assert (status["text"], status["finished"]) == (INTERRUPTED, False)


def test_an_import_within_the_time_limit_shows_its_progress(world, settings):
    settings.IMPORT_TIME_LIMIT_SECONDS = 600

    status = rows_import_status(job=_job(world, state=ImportState.CHECKING, minutes_ago=2))

    assert status["text"] != INTERRUPTED and "250" in status["text"] and "5000" in status["text"]
