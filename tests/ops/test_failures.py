"""Failing dependencies (issue 14, item 7): Redis at a closed port, a table locked by another
session, a mail server refusing connections, a task worker killed mid-task. The site degrades;
it does not fall over, and nothing committed is lost."""

import json
import logging
import os
import socket
import socketserver
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.tasks import TaskResultStatus
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from accounts.enums import Position
from accounts.models import OutboxMessage, User
from announcements.enums import State
from announcements.models import Announcement
from announcements.workflow import Action, apply_action
from config import cache as degrading
from tests import factories
from tests.announcements import workflow_factories as wf
from tests.public.conftest import make_notice
from tests.waiting import wait_until

ROOT = Path(django_settings.BASE_DIR)
CLOSED_PORT = 6399
DB_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _closed(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


# --- Redis unreachable ---------------------------------------------------------------------------


@pytest.fixture
def redis_down(settings):
    assert _closed(CLOSED_PORT)
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.DegradingRedisCache",
            "LOCATION": f"redis://127.0.0.1:{CLOSED_PORT}/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
    return degrading.stats.failures


@pytest.fixture
def published(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return make_notice(institution=world.unit, title="缓存故障时的公告", year=2025)


def test_redis_down_public_pages_api_and_feeds_still_answer(redis_down, published, client):
    urls = [
        reverse("public:list"),
        reverse("public:list") + "?q=缓存故障",
        reverse("public:detail", args=[published.public_id]),
        reverse("public:qr", args=[published.public_id]),
        reverse("public:api_list"),
        reverse("public:api_detail", args=[published.public_id]),
        reverse("public:ocds_releases"),
        reverse("public:feed"),
        reverse("public:sitemap"),
        reverse("public:download_xlsx"),
    ]

    answers = {url: client.get(url) for url in urls}

    assert degrading.stats.failures > redis_down  # the outage was really met (and logged)
    assert {url: r.status_code for url, r in answers.items()} == dict.fromkeys(urls, 200)
    assert "缓存故障时的公告" in answers[reverse("public:list")].content.decode()
    assert (
        json.loads(answers[reverse("public:api_list")].content)["results"][0]["title"] == "缓存故障时的公告"
    )


def test_redis_down_sign_in_console_and_logout_work(redis_down, world):
    client = Client()
    signed_in = client.post(
        reverse("accounts:login"), {"username": world.handler.username, "password": factories.PASSWORD}
    )
    console = client.get(reverse("accounts:console"))
    client.post(reverse("accounts:logout"))
    after = client.get(reverse("accounts:console"))

    assert signed_in.status_code == 302
    assert console.status_code == 200 and world.handler.full_name in console.content.decode()
    assert after.status_code == 302 and reverse("accounts:login") in after.url


def test_redis_down_publication_goes_out_and_shows(
    redis_down, world, client, django_capture_on_commit_callbacks
):
    notice = wf.notice(institution=world.unit, state=State.FINANCE_REVIEW, submitted_by=world.handler)

    with django_capture_on_commit_callbacks(execute=True):
        apply_action(announcement=notice, action=Action.FINANCE_APPROVE, actor=world.finance)

    notice.refresh_from_db()
    assert notice.state == State.PUBLISHED
    assert notice.title in client.get(reverse("public:list")).content.decode()
    assert [m.to for m in mail.outbox] == [[world.handler.email]]


def test_redis_down_readyz_stays_ready_and_says_degraded(redis_down, db, client):
    response = client.get(reverse("readyz"))

    body = json.loads(response.content)
    assert response.status_code == 200
    assert (body["database"], body["cache"]) == ("ok", "degraded")
    assert body["cache_errors"]["failures"] + body["cache_errors"]["skipped"] >= 1


def test_degraded_cache_stops_trying_for_a_while(redis_down, db):
    from django.core.cache import cache

    cache.get("a")
    failures, skipped = degrading.stats.failures, degrading.stats.skipped
    for _ in range(5):
        assert cache.get("b") is None
        assert cache.add("c", 1) is False

    assert degrading.stats.failures == failures  # the circuit is open: no new connection attempt
    assert degrading.stats.skipped == skipped + 10


# --- A table locked by another session (PostgreSQL) -----------------------------------------------


@pytest.fixture
def lock_holder():
    """Another session: `lock()` takes ACCESS EXCLUSIVE on the notices table until `release()`."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    import psycopg2

    params = connection.get_connection_params()
    params.pop("options", None)
    conn = psycopg2.connect(**{k: v for k, v in params.items() if k not in {"cursor_factory", "context"}})

    class Holder:
        def lock(self):
            with conn.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {Announcement._meta.db_table} IN ACCESS EXCLUSIVE MODE")

        def release(self):
            conn.rollback()

    yield Holder()
    conn.rollback()
    conn.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_locked_notices_table_answers_503_after_the_lock_timeout_and_recovers(
    lock_holder, settings, world, caplog
):
    # How long each answer takes is measured by bench/bench_failures.py; here, that the bounded
    # wait (the web process's lock_timeout) is what ends the request, and healthz never waits.
    settings.PUBLIC_CACHE_SECONDS = 0  # the page cache would hide the database; test the database
    # The public pages' shorter time budget would end the wait first (tests/public/test_time_budget.py);
    # here the bound every web request has, the lock_timeout.
    settings.PUBLIC_STATEMENT_TIMEOUT_MS = 0
    notice = make_notice(institution=world.unit, title="锁表测试公告")
    client = Client(raise_request_exception=False)
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        lock_timeout = cursor.fetchone()[0]
    lock_holder.lock()

    with caplog.at_level(logging.WARNING, logger="config.middleware"):
        locked = client.get(reverse("public:list"))
        api = client.get(reverse("public:api_detail", args=[notice.public_id]))
    with CaptureQueriesContext(connection) as health_queries:
        health = client.get(reverse("healthz"))
    lock_holder.release()
    recovered = client.get(reverse("public:list"))

    assert lock_timeout == f"{settings.DB_LOCK_TIMEOUT_MS // 1000}s" == "3s"
    assert locked.status_code == 503 and locked["Retry-After"] == "30"
    assert "服务暂时不可用" in locked.content.decode()
    assert api.status_code == 503
    assert [r.getMessage() for r in caplog.records if r.name == "config.middleware"] == [
        "database unavailable: canceling statement due to lock timeout"
    ] * 2
    assert (health.status_code, health.content, health_queries.captured_queries) == (200, b"ok", [])
    assert recovered.status_code == 200 and "锁表测试公告" in recovered.content.decode()


# --- A mail server refusing connections -----------------------------------------------------------


class FlakyMail:
    """A locmem mailer that refuses the first `failures` sends."""

    failures = 0


@pytest.fixture
def queue(settings):
    settings.TASKS = DB_QUEUE
    settings.MAIL_RETRY_SECONDS = 0


def _work_off_queue():
    call_command("db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0)


def _mail_tasks():
    return list(DBTaskResult.objects.filter(task_path__endswith="outbox_send_task").order_by("enqueued_at"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_smtp_refusing_connections_never_loses_the_transition_and_gives_up_visibly(queue, settings, world):
    port = 2599
    assert _closed(port)
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    notice = wf.notice(institution=world.unit, state=State.FINANCE_REVIEW, submitted_by=world.handler)

    apply_action(announcement=notice, action=Action.FINANCE_APPROVE, actor=world.finance)
    queued = _mail_tasks()
    _work_off_queue()

    notice.refresh_from_db()
    tasks = _mail_tasks()
    assert notice.state == State.PUBLISHED  # the transition stands
    assert [t.status for t in queued] == [TaskResultStatus.READY]  # the request only enqueued
    assert [t.status for t in tasks] == [TaskResultStatus.SUCCESSFUL] * 4 + [TaskResultStatus.FAILED]
    assert tasks[-1].exception_class_path == "accounts.tasks.MessageNotDelivered"
    failed = OutboxMessage.objects.get()
    assert tasks[-1].args_kwargs["kwargs"] == {"message_id": failed.pk}  # never the body
    assert (failed.recipient, failed.state, failed.attempts) == (world.handler.email, "failed", 5)
    # The platform administrator finds it among the failed tasks in the admin.
    admin = Client()
    admin.force_login(User.objects.create_superuser("platform", password="x-Platform-2026"))
    listing = admin.get("/admin/django_tasks_database/dbtaskresult/", {"status__exact": "FAILED"})
    assert listing.status_code == 200
    assert str(tasks[-1].id) in listing.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_mail_refused_once_is_sent_by_the_retry_exactly_once(queue, settings, world, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    real_send = EmailBackend.send_messages
    refusals = iter([True])

    def flaky(self, messages):
        if next(refusals, False):
            raise ConnectionRefusedError("mail server down")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", flaky)
    notice = wf.notice(institution=world.unit, state=State.FINANCE_REVIEW, submitted_by=world.handler)

    apply_action(announcement=notice, action=Action.FINANCE_APPROVE, actor=world.finance)
    _work_off_queue()

    assert [m.to for m in mail.outbox] == [[world.handler.email]]
    assert [t.status for t in _mail_tasks()] == [TaskResultStatus.SUCCESSFUL] * 2


# --- A task worker killed mid-task (PostgreSQL: the worker is another process) -----------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_task_of_a_killed_worker_runs_again_once(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a shared database")
    settings.TASKS = DB_QUEUE
    from tests.ops.tasks_for_tests import record_run

    marks = tmp_path / "runs.txt"
    marks.touch()
    result = record_run.enqueue(path=str(marks), slow_first=True)
    name = connection.settings_dict["NAME"]
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="1",
        LOG_LEVEL="WARNING",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
    )
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until(lambda: "run" in marks.read_text(), timeout=60, message="the task never started")
        worker.kill()  # SIGKILL mid-task: no cleanup, the row stays RUNNING
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    stuck = DBTaskResult.objects.get(pk=result.id)

    call_command("requeue_stale_tasks", older_than=0, stdout=open(os.devnull, "w"))
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    call_command("requeue_stale_tasks", older_than=0, stdout=open(os.devnull, "w"))
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )

    assert stuck.status == TaskResultStatus.RUNNING
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL
    assert marks.read_text().split() == ["run", "run"]  # killed once, run again once


class _SmtpServer(socketserver.ThreadingTCPServer):
    """A mail server on 127.0.0.1 that records what it accepts (recipients of each DATA). With
    `hang_after` set, once it has accepted that many messages it stops answering: the sender is
    stuck inside its next send, where the test kills it."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.accepted: list[list[str]] = []
        self.hang_after: int | None = None
        self.hanging = threading.Event()
        self.release = threading.Event()


class _SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self):
        server, recipients = self.server, []
        self.reply("220 test ESMTP")
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if (
                verb == b"MAIL"
                and server.hang_after is not None
                and len(server.accepted) >= server.hang_after
            ):
                server.hanging.set()
                server.release.wait(60)
                return
            if verb == b"RCPT":
                recipients.append(line.decode().split("<", 1)[1].split(">", 1)[0])
            if verb == b"DATA":
                self.reply("354 go on")
                while self.rfile.readline() not in (b".\r\n", b""):
                    pass
                server.accepted.append(recipients)
                recipients = []
                self.reply("250 queued")
            elif verb == b"QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_killed_mid_mail_task_mails_each_recipient_once_when_run_again(settings, world):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a shared database")
    settings.TASKS = DB_QUEUE
    reviewers = [
        world.reviewer,
        *[
            factories.user(
                institution=world.unit, positions=[Position.PURCHASER_REVIEWER], email=f"r{i}@example.cn"
            )
            for i in (2, 3)
        ],
    ]
    smtp = _SmtpServer()
    threading.Thread(target=smtp.serve_forever, daemon=True).start()
    smtp.hang_after = 1  # the first mail goes out, then the worker dies inside the second
    notice = wf.notice(institution=world.unit)
    apply_action(announcement=notice, action=Action.SUBMIT, actor=world.handler)
    name = connection.settings_dict["NAME"]
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="1",
        LOG_LEVEL="WARNING",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.server_address[1]}",
    )
    worker_command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
    try:
        worker = subprocess.Popen([*worker_command, "--interval", "0.2"], cwd=ROOT, env=env)
        try:
            assert smtp.hanging.wait(60), "the worker never reached the second mail"
            worker.kill()  # SIGKILL between two recipients: no cleanup, the task stays RUNNING
            worker.wait(10)
        finally:
            if worker.poll() is None:
                worker.kill()
        killed_after = [list(r) for r in smtp.accepted]
        smtp.hang_after = None
        smtp.release.set()

        call_command("requeue_stale_tasks", older_than=0, stdout=open(os.devnull, "w"))
        subprocess.run([*worker_command, "--batch"], cwd=ROOT, env=env, check=True, timeout=120)
    finally:
        smtp.shutdown()
        smtp.server_close()

    assert killed_after == [[reviewers[0].email]]
    assert sorted(r for accepted in smtp.accepted for r in accepted) == sorted(u.email for u in reviewers)
    assert [t.status for t in _mail_tasks()] == [TaskResultStatus.SUCCESSFUL] * 3


def test_single_mail_task_run_again_sends_nothing_more(db, settings, django_capture_on_commit_callbacks):
    from django.tasks import task_backends

    from accounts.outbox import mail_queue
    from accounts.tasks import outbox_send_task

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        rows = mail_queue(subject="重置密码", body="链接", to=["a@example.cn", "b@example.cn"])
    assert [r.kwargs for r in backend.results] == [{"message_id": row.pk} for row in rows]  # no body

    first = [outbox_send_task.call(**r.kwargs) for r in backend.results]
    again = [outbox_send_task.call(**r.kwargs) for r in backend.results]

    assert (first, again) == ([True, True], [False, False])
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.cn", "b@example.cn"]
    assert list(OutboxMessage.objects.values_list("state", flat=True)) == ["sent", "sent"]
