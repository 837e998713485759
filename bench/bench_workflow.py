"""Review workflow: the 其他政府采购公告 list and 公告详情 with 5,000 notices in one district, and the
cost of one transition through `apply_action`. Targets: list and detail under 150 ms, a
transition under 50 ms (issue 4).

Runs Django on its own SQLite file (or BENCH_WORKFLOW_DATABASE_URL), creates the data in bulk,
times the pages with the test client and prints a table.
"""

import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_FILE = ROOT / "var" / "bench-workflow.sqlite3"
os.environ["DATABASE_URL"] = os.environ.get("BENCH_WORKFLOW_DATABASE_URL", f"sqlite:///{DB_FILE}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

NOTICES = 5_000
RUNS = 9
TARGETS_MS = {"list": 150, "detail": 150, "transition": 50}


def setup():
    import django

    DB_FILE.parent.mkdir(exist_ok=True)
    if DB_FILE.exists() and "BENCH_WORKFLOW_DATABASE_URL" not in os.environ:
        DB_FILE.unlink()
    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)


def create_data():
    from django.contrib.auth.models import Group
    from django.db import transaction

    from accounts.enums import POSITION_GROUP_NAMES, InstitutionKind, Position
    from accounts.models import District, Institution, User
    from announcements.enums import State
    from announcements.models import Announcement
    from reservations.enums import ReservationOption
    from reservations.models import Report, ReservedProject

    states = [State.PUBLISHED] * 4 + [
        State.DRAFT,
        State.PURCHASER_REVIEW,
        State.FINANCE_REVIEW,
        State.REVOKED,
    ]
    with transaction.atomic():
        putuo = District.objects.get(code="310107")
        finance_bureau = Institution.objects.create(
            name="普陀区财政局", district=putuo, kind=InstitutionKind.FINANCE_BUREAU
        )
        units = Institution.objects.bulk_create(
            [
                Institution(name=f"单位{i}", district=putuo, kind=InstitutionKind.BUDGET_UNIT)
                for i in range(NOTICES // 5)
            ]
        )
        reports = Report.objects.bulk_create(
            [
                Report(
                    institution=unit, year=2020 + y, competent_unit_name=unit.name, sme_total=Decimal("100")
                )
                for unit in units
                for y in range(5)
            ]
        )
        ReservedProject.objects.bulk_create(
            [
                ReservedProject(
                    report=r,
                    name=f"项目{n}",
                    option=ReservationOption.WHOLE,
                    ratio=Decimal("100"),
                    sme_amount=Decimal("50"),
                    small_micro_amount=Decimal("40"),
                    contract_url="https://www.zfcg.sh.gov.cn/x",
                )
                for r in reports
                for n in range(2)
            ]
        )
        Announcement.objects.bulk_create(
            [
                Announcement(
                    institution_id=r.institution_id,
                    district=putuo,
                    year=r.year,
                    report=r,
                    title=f"单位{i}{r.year}年公告",
                    state=states[i % len(states)],
                )
                for i, r in enumerate(reports)
            ]
        )
        finance = User.objects.create_user("bench-finance", full_name="财政", institution=finance_bureau)
        finance.groups.set(Group.objects.filter(name=POSITION_GROUP_NAMES[Position.FINANCE_REVIEWER]))
        handler = User.objects.create_user("bench-handler", full_name="经办", institution=units[0])
        handler.groups.set(Group.objects.filter(name=POSITION_GROUP_NAMES[Position.HANDLER]))
    return finance


def timed(fn, runs=RUNS):
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def main():
    setup()
    finance = create_data()
    from django.test import Client
    from django.urls import reverse

    from announcements import workflow
    from announcements.enums import State
    from announcements.models import Announcement

    client = Client()
    client.force_login(finance, backend="accounts.backends.ActiveStaffBackend")
    list_url = reverse("announcements:list")
    detail = Announcement.objects.filter(state=State.PUBLISHED).first()
    detail_url = reverse("announcements:detail", args=[detail.public_id])
    rows = [
        ("list 我的待办", *timed(lambda: client.get(list_url)), TARGETS_MS["list"]),
        (
            "list 全部 page 3",
            *timed(lambda: client.get(list_url, {"tab": "all", "page": 3})),
            TARGETS_MS["list"],
        ),
        (
            "list 全部 title search",
            *timed(lambda: client.get(list_url, {"tab": "all", "title": "单位99"})),
            150,
        ),
        ("detail", *timed(lambda: client.get(detail_url)), TARGETS_MS["detail"]),
    ]
    pending = list(Announcement.objects.filter(state=State.FINANCE_REVIEW).select_related("report")[:RUNS])
    it = iter(pending)
    rows.append(
        (
            "finance_approve (apply_action)",
            *timed(
                lambda: workflow.apply_action(announcement=next(it), action="finance_approve", actor=finance)
            ),
            TARGETS_MS["transition"],
        )
    )
    print(
        f"{NOTICES} notices in 普陀区, {RUNS} runs each, database {os.environ['DATABASE_URL'].split(':')[0]}"
    )
    print(f"{'page':34} {'median ms':>10} {'max ms':>8} {'target':>7}  ok")
    for name, median, worst, target in rows:
        print(f"{name:34} {median:10.1f} {worst:8.1f} {target:7d}  {'yes' if median < target else 'NO'}")


if __name__ == "__main__":
    main()
