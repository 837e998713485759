"""Benchmark: import 5,000 reserved-project rows from an .xlsx into a draft (target < 5 s).

Sets Django up itself: a throwaway SQLite database unless DATABASE_URL is set, in which case
it works in that database and removes what it created. Prints a one-line table.
"""

import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ROWS = 5_000
TARGET_SECONDS = 5.0
REPEAT = 3

throwaway = None
if not os.environ.get("DATABASE_URL"):
    throwaway = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)
    os.environ["DATABASE_URL"] = f"sqlite:///{throwaway.name}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import translation  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from accounts.enums import Position  # noqa: E402
from accounts.models import District, Institution, User  # noqa: E402
from announcements.enums import PublishMode  # noqa: E402
from announcements.models import Announcement  # noqa: E402
from announcements.services import announcement_create_sme, announcement_rows_import  # noqa: E402
from reservations import excel  # noqa: E402


def spreadsheet() -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(excel.headers())
    options = ["采购项目整体预留", "设置专门采购包", "要求以联合体形式参加", "要求合同分包"]
    for n in range(1, ROWS + 1):
        option = options[n % 4]
        sme = round(10 + (n % 997) * 1.37, 6)
        sheet.append([
            n, f"基准测试项目{n}", f"BENCH-{n:05d}", ["货物", "工程", "服务"][n % 3], option,
            None if n % 4 == 0 else 30 + n % 70, 500 + n, sme, round(sme * 0.6, 6),
            f"https://www.zfcg.sh.gov.cn/site/detail?articleId={n}",
        ])  # fmt: skip
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("bench.xlsx", buffer.getvalue())


def main() -> int:
    translation.activate("zh-hans")
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import Group

    from accounts.enums import POSITION_GROUP_NAMES

    institution = Institution.objects.create(
        name="基准测试单位", district=District.objects.get(code="310107"), kind="budget_unit", is_test=True
    )
    user = User.objects.create(username=f"bench-{time.time_ns()}", full_name="基准", institution=institution)
    user.groups.set(Group.objects.filter(name=POSITION_GROUP_NAMES[Position.HANDLER]))
    notice = announcement_create_sme(
        user=user, district=institution.district, year=2025, publish_mode=PublishMode.ON_APPROVAL
    )
    upload = spreadsheet()
    runs = []
    try:
        # Best of REPEAT: the machine is shared, and the minimum is the least disturbed run.
        for _ in range(REPEAT):
            started, cpu = time.perf_counter(), time.process_time()
            result = excel.read_rows(upload)
            read = time.perf_counter() - started
            assert result.ok, result.errors[:3]
            announcement_rows_import(announcement=notice, user=user, rows=result.rows, replace=True)
            runs.append((time.perf_counter() - started, read, time.process_time() - cpu))
        stored = notice.report.rows.count()
    finally:
        report = notice.report
        Announcement.objects.filter(pk=notice.pk).delete()
        report.delete()
        user.delete()
        institution.delete()
        if throwaway is not None:
            Path(throwaway.name).unlink(missing_ok=True)
    total, read, cpu = min(runs)
    verdict = "ok" if total < TARGET_SECONDS and stored == ROWS else "SLOW"
    print(
        f"{'benchmark':<18}{'db':<12}{'rows':>6}{'read+validate s':>17}{'total s':>9}{'cpu s':>7}"
        f"{'target s':>10}  result"
    )
    print(
        f"{'import xlsx rows':<18}{connection.vendor:<12}{stored:>6}{read:>17.2f}{total:>9.2f}{cpu:>7.2f}"
        f"{TARGET_SECONDS:>10.1f}  {verdict} (best of {REPEAT})"
    )
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
