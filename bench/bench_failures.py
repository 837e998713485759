"""Failing dependencies, timed: how long a reader waits for the 503 page while another session
locks the notices table (bounded by the web process's lock_timeout), that /healthz and /readyz
stay fast meanwhile, and what Redis at a closed port costs a request (the first one pays the
connect timeout, later ones skip the cache while its circuit is open).

The tests (tests/ops/test_failures.py) assert the behaviour; the timings live here because a
shared 2-core machine makes sub-second assertions flaky. Needs PostgreSQL: its own database
`sme_bench_failures` (or BENCH_FAILURES_DATABASE_URL); without a server it says so and stops.
"""

import os
import socket
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get(
    "BENCH_FAILURES_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sme_bench_failures"
)
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

CLOSED_PORT = 6399
RUNS = 5
LOCKED_RUNS = 3  # each waits for the whole lock_timeout


def postgres_reachable() -> bool:
    parts = urlsplit(DATABASE_URL)
    try:
        socket.create_connection((parts.hostname, parts.port or 5432), timeout=1).close()
        return True
    except OSError:
        return False


def setup() -> None:
    import django
    import psycopg2

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)


def time_requests(client, url: str, runs: int) -> tuple[set[int], list[float]]:
    statuses, samples = set(), []
    for _ in range(runs):
        started = time.perf_counter()
        statuses.add(client.get(url).status_code)
        samples.append((time.perf_counter() - started) * 1000)
    return statuses, samples


class TableLock:
    """Another session holding ACCESS EXCLUSIVE on the notices table, as a long migration would."""

    def __enter__(self):
        import psycopg2
        from django.db import connection

        from announcements.models import Announcement

        params = connection.get_connection_params()
        params.pop("options", None)
        self.conn = psycopg2.connect(
            **{k: v for k, v in params.items() if k not in {"cursor_factory", "context"}}
        )
        with self.conn.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Announcement._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        return self

    def __exit__(self, *exc):
        self.conn.rollback()
        self.conn.close()


def main() -> None:
    if not postgres_reachable():
        print(f"skipped: no PostgreSQL at {urlsplit(DATABASE_URL).netloc}")
        return
    setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from config import cache as degrading

    client = Client(raise_request_exception=False)
    public_list, healthz, readyz = reverse("public:list"), reverse("healthz"), reverse("readyz")
    rows = []
    with override_settings(PUBLIC_CACHE_SECONDS=0):
        rows.append(("public list", *time_requests(client, public_list, RUNS)))
        with TableLock():
            rows.append(("public list, table locked", *time_requests(client, public_list, LOCKED_RUNS)))
            rows.append(("/healthz, table locked", *time_requests(client, healthz, RUNS)))
            rows.append(("/readyz, table locked", *time_requests(client, readyz, RUNS)))
    redis_down = {
        "default": {
            "BACKEND": "config.cache.DegradingRedisCache",
            "LOCATION": f"redis://127.0.0.1:{CLOSED_PORT}/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    with override_settings(CACHES=redis_down):
        failures = degrading.stats.failures
        rows.append(("public list, Redis down: first", *time_requests(client, public_list, 1)))
        rows.append(("public list, Redis down: later", *time_requests(client, public_list, RUNS)))
        failures = degrading.stats.failures - failures

    print(
        f"lock_timeout {settings.DB_LOCK_TIMEOUT_MS} ms, statement_timeout "
        f"{settings.DB_STATEMENT_TIMEOUT_MS} ms; Redis at 127.0.0.1:{CLOSED_PORT} "
        f"({failures} failed connection attempts)"
    )
    print(f"{'request':<34}{'status':>8}{'runs':>6}{'median ms':>11}{'max ms':>9}")
    for label, statuses, samples in rows:
        status = "/".join(str(s) for s in sorted(statuses))
        print(
            f"{label:<34}{status:>8}{len(samples):>6}{statistics.median(samples):>11.1f}{max(samples):>9.1f}"
        )


if __name__ == "__main__":
    main()
