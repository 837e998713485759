"""What bench_import.py and bench_editor.py share (not named bench_* so run.sh skips it): Django
set up on a throwaway SQLite database unless DATABASE_URL is set (then the benchmark works there
and removes what it made), a 5,000-row spreadsheet, and a handler's draft notice.

Import this module before anything from Django. Tasks run in place (ImmediateBackend): the import
page's task is then part of the measured request, as its worker's work would be.
"""

import io
import os
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ROWS = 5_000

_throwaway = None
if not os.environ.get("DATABASE_URL"):
    _throwaway = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)
    os.environ["DATABASE_URL"] = f"sqlite:///{_throwaway.name}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["TASKS_BACKEND"] = "django.tasks.backends.immediate.ImmediateBackend"

import logging  # noqa: E402

import django  # noqa: E402

django.setup()
logging.getLogger("django.tasks").setLevel(logging.WARNING)  # a line per task would break the table

from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from accounts.enums import POSITION_GROUP_NAMES, Position  # noqa: E402
from accounts.models import District, Institution, User  # noqa: E402
from announcements.enums import PublishMode  # noqa: E402
from announcements.models import Announcement  # noqa: E402
from announcements.services import announcement_create_sme  # noqa: E402
from reservations import excel  # noqa: E402


def spreadsheet(rows: int = ROWS) -> bytes:
    """An .xlsx of `rows` valid rows, the four options and three categories in turn."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(excel.headers())
    options = ["采购项目整体预留", "设置专门采购包", "要求以联合体形式参加", "要求合同分包"]
    for n in range(1, rows + 1):
        sme = round(10 + (n % 997) * 1.37, 6)
        sheet.append([
            n, f"基准测试项目{n}", f"BENCH-{n:05d}", ["货物", "工程", "服务"][n % 3], options[n % 4],
            None if n % 4 == 0 else 30 + n % 70, 500 + n, sme, round(sme * 0.6, 6),
            f"https://www.zfcg.sh.gov.cn/site/detail?articleId={n}",
        ])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@contextmanager
def handler_notice(name: str):
    """(handler, draft notice) of a throwaway test institution; removed afterwards, with the
    throwaway database."""
    call_command("migrate", verbosity=0)
    institution = Institution.objects.create(
        name=name, district=District.objects.get(code="310107"), kind="budget_unit", is_test=True
    )
    user = User.objects.create(username=f"bench-{time.time_ns()}", full_name="基准", institution=institution)
    user.groups.set(Group.objects.filter(name=POSITION_GROUP_NAMES[Position.HANDLER]))
    notice = announcement_create_sme(
        user=user, district=institution.district, year=2025, publish_mode=PublishMode.ON_APPROVAL
    )
    try:
        yield user, notice
    finally:
        report = notice.report
        notice.rows_imports.all().delete()
        Announcement.objects.filter(pk=notice.pk).delete()
        report.delete()
        user.delete()
        institution.delete()
        if _throwaway is not None:
            Path(_throwaway.name).unlink(missing_ok=True)
