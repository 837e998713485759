"""The production topology rehearsed on one machine (`make cluster`, ops/cluster/): nginx with TLS in
front of two app servers, two task workers, a PostgreSQL primary with a streaming replica, Redis
and an S3 store. Each scenario does to it what happens in production — a publication on one
server read on the other, a replica that stops or lags, an app server or worker killed, a rolling
deploy, a backup restored elsewhere — and checks what users see and what the data keeps.

One file, so that `--dist loadfile` keeps every scenario on one xdist worker and one cluster runs.
The cluster is started once for the module and stopped at its end, also when a scenario fails.
The scenarios run in order: the last ones stop parts of the cluster for good.
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg2
import pytest
import requests
import urllib3
from django.conf import settings
from django.db import connection
from django.urls import reverse

from tests.waiting import wait_until

ROOT = Path(settings.BASE_DIR)
VAR = ROOT / "var" / "cluster"
NGINX = "https://127.0.0.1:9443"
SERVERS = {"a": "http://127.0.0.1:9401", "b": "http://127.0.0.1:9402"}
PORTS = {"primary": 5532, "replica": 5533, "restore": 5534}
ALL_PORTS = [
    5532,
    5533,
    5534,
    6389,
    9401,
    9402,
    9425,
    9430,
    9431,
    9432,
    9433,
    9443,
    9480,
    19430,
    19431,
    19432,
    19433,
]
PDF = b"%PDF-1.4\n% cluster rehearsal attachment\n%%EOF\n"

pytestmark = [
    pytest.mark.cluster,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the cluster rehearsal runs in the PostgreSQL half (DATABASE_URL=postgres://…)",
    ),
]

# Figures for the README: how long each failure was visible to users (0 failed requests = never).
FIGURES: dict[str, object] = {}


def cluster_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    for line in (VAR / "cluster.env").read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            env[key] = value
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return env


def run(*command: str, env: dict | None = None, timeout: float = 180) -> str:
    done = subprocess.run(
        list(command), cwd=ROOT, env=env or cluster_env(), capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def sql(node: str, query: str, params=()) -> list[tuple]:
    db = psycopg2.connect(host="127.0.0.1", port=PORTS[node], user="postgres", dbname="sme_cluster")
    try:
        db.autocommit = True  # ALTER SYSTEM and the replay functions refuse a transaction block
        with db.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        db.close()


def pid_of(name: str) -> int:
    return int((VAR / "run" / f"{name}.pid").read_text())


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def port_open(port: int) -> bool:
    import socket

    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


class Browser:
    """One person's browser. `via` picks the way in: nginx over TLS, or one app server directly
    with the headers nginx adds (Host, X-Forwarded-Proto), so "through server A" is exact. The
    cookies are kept here, since the session cookie is Secure and server A is plain HTTP."""

    def __init__(self):
        self.http = requests.Session()
        self.http.trust_env = False  # no proxy, and the cluster's certificate, not the CA bundle
        self.http.verify = str(VAR / "nginx" / "cert.pem")
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, *, via: str = "nginx", **kwargs) -> requests.Response:
        headers = {"Origin": NGINX, "Referer": NGINX + path, **kwargs.pop("headers", {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if via == "nginx":
            url = NGINX + path
        else:
            url = SERVERS[via] + path
            headers.update({"Host": "127.0.0.1:9443", "X-Forwarded-Proto": "https"})
        response = self.http.request(
            method, url, headers=headers, allow_redirects=False, timeout=30, **kwargs
        )
        for header in response.raw.headers.getlist("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict, *, form_page: str | None = None, via: str = "nginx", **kwargs):
        page = self.get(form_page or path, via=via).text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request("POST", path, via=via, data={"csrfmiddlewaretoken": token, **data}, **kwargs)

    def sign_in(self, username: str, password: str, *, code: str | None = None, via: str = "nginx"):
        login = reverse("accounts:login")
        answer = self.post(login, {"username": username, "password": password}, via=via)
        assert answer.status_code == 302, answer.text[:2000]
        if code is not None:
            assert answer.headers["Location"] == reverse("accounts:login_code")
            answer = self.post(reverse("accounts:login_code"), {"code": code}, via=via)
        assert answer.status_code == 302 and answer.headers["Location"] == reverse("accounts:console")
        return self


def anonymous_get(path: str, via: str = "nginx") -> requests.Response:
    return Browser().get(path, via=via)


class Load:
    """Anonymous readers through nginx (list, search, detail, API, feed), in threads, until
    stopped; every answer that is not 200 is kept with its time. Bounded: at most `seconds`."""

    def __init__(self, paths: list[str], *, threads: int = 6, seconds: float = 60):
        self.paths, self.threads, self.seconds = paths, threads, seconds
        self.stop, self.results, self.lock = threading.Event(), [], threading.Lock()

    def _reader(self, offset: int):
        http = requests.Session()
        http.trust_env = False
        http.verify = str(VAR / "nginx" / "cert.pem")
        # As browsers do: a GET on a kept-alive connection that nginx closed (its graceful reload
        # closes idle ones) is sent again once on a new connection. Answers are never retried.
        retry = urllib3.Retry(total=1, connect=1, read=1, other=0, status=0, redirect=0)
        http.mount("https://", requests.adapters.HTTPAdapter(max_retries=retry))
        deadline, i = time.monotonic() + self.seconds, offset
        while not self.stop.is_set() and time.monotonic() < deadline:
            path = self.paths[i % len(self.paths)]
            i += 1
            started = time.monotonic()
            try:
                status = http.get(NGINX + path, timeout=30).status_code
            except requests.RequestException as error:
                status = type(error).__name__
            with self.lock:
                self.results.append((started, time.monotonic() - started, path, status))

    @contextmanager
    def running(self):
        workers = [threading.Thread(target=self._reader, args=(n,), daemon=True) for n in range(self.threads)]
        for w in workers:
            w.start()
        try:
            yield self
        finally:
            self.stop.set()
            for w in workers:
                w.join(60)

    def failures(self) -> list:
        return [r for r in self.results if r[3] != 200]

    def slowest(self) -> float:
        return max(r[1] for r in self.results)


@pytest.fixture(scope="module")
def cluster():
    """`make cluster`, the scenarios' people and notices, and `make cluster-stop` at the end
    whatever happened."""
    urllib3.disable_warnings()
    try:
        started = time.monotonic()
        subprocess.run(["make", "-s", "cluster"], cwd=ROOT, check=True, timeout=300)
        FIGURES["cluster up (s)"] = round(time.monotonic() - started, 1)
        world = json.loads(run(sys.executable, "-m", "tests.cluster.seed", uuid.uuid4().hex[:8]))
        yield world
    finally:
        subprocess.run(["make", "-s", "cluster-stop"], cwd=ROOT, timeout=180)
        (VAR / "figures.json").parent.mkdir(parents=True, exist_ok=True)
        (VAR / "figures.json").write_text(json.dumps(FIGURES, ensure_ascii=False, indent=2))


@pytest.fixture(scope="module")
def finance(cluster):
    """The finance reviewer, signed in (password and a recovery code) through app server A."""
    return Browser().sign_in(
        cluster["finance"], cluster["password"], code=cluster["finance_codes"][0], via="a"
    )


@pytest.fixture(scope="module")
def handler(cluster):
    return Browser().sign_in(cluster["handler"], cluster["password"], via="a")


def public_paths(notice_id: str) -> list[str]:
    return [
        reverse("public:list"),
        reverse("public:list") + "?q=集群",
        f"/notices/{notice_id}/",
        reverse("public:api_list"),
        reverse("public:feed"),
    ]


def test_notice_published_through_a_is_listed_through_b_within_a_second(cluster, finance):
    notice = cluster["to_publish"]
    probes: list[float] = []

    def listed_on_b() -> bool:
        probes.append(time.monotonic())
        return notice["title"] in anonymous_get(reverse("public:list"), via="b").text

    assert not listed_on_b()  # B has the list cached without it

    approved = finance.post(
        f"/console/notices/{notice['id']}/action/finance_approve/",
        {"comment": ""},
        form_page=f"/console/notices/{notice['id']}/",
        via="a",
    )
    published_at = time.monotonic()
    assert approved.status_code == 302
    wait_until(listed_on_b, timeout=2, interval=0.02, message="not on B's public list")
    # When the request that first showed it was sent: B re-reads the shared publication version
    # every PUBLIC_VERSION_CHECK_SECONDS (1 s); the probes are 20 ms apart plus their answer time.
    visible_after = probes[-1] - published_at
    FIGURES["publication on A visible on B (s)"] = round(visible_after, 2)
    assert visible_after <= 1.1
    detail = anonymous_get(f"/notices/{notice['id']}/", via="b")
    assert notice["title"] in detail.text


@contextmanager
def statements_logged():
    """Every statement on both nodes written to their logs (var/cluster/pg/<node>.log)."""
    for node in ("primary", "replica"):
        sql(node, "ALTER SYSTEM SET log_statement = 'all'")
        sql(node, "SELECT pg_reload_conf()")
    try:
        yield lambda node, marker: marker in (VAR / "pg" / f"{node}.log").read_text(errors="replace")
    finally:
        for node in ("primary", "replica"):
            sql(node, "ALTER SYSTEM RESET log_statement")
            sql(node, "SELECT pg_reload_conf()")


def test_public_reads_hit_the_replica_and_staff_pages_the_primary(cluster, handler):
    # An unknown notice id is a marker that only the lookup of that request can write into SQL.
    public_marker, staff_marker = uuid.uuid4().hex, uuid.uuid4().hex
    with statements_logged() as logged:
        # A backend applies the reloaded setting before its next statement: ask until it shows.
        wait_until(
            lambda: (
                anonymous_get(f"/notices/{public_marker}/").status_code == 404
                and logged("replica", public_marker)
            ),
            timeout=10,
            message="the anonymous detail lookup never reached the replica",
        )
        wait_until(
            lambda: (
                handler.get(f"/console/notices/{staff_marker}/").status_code == 404
                and logged("primary", staff_marker)
            ),
            timeout=10,
            message="the console lookup never reached the primary",
        )

        assert not logged("primary", public_marker)
        assert not logged("replica", staff_marker)


def test_replica_stopped_public_pages_fall_back_to_the_primary(cluster):
    notice = cluster["to_publish"]
    pgbin = "/usr/lib/postgresql/15/bin"
    replica = str(VAR / "pg" / "replica")
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    load = Load(public_paths(notice["id"]), seconds=60)
    with load.running():
        wait_until(lambda: len(load.results) > 20, timeout=20)
        stopped_at = time.monotonic()
        run(*as_pg, f"{pgbin}/pg_ctl", "-D", replica, "-m", "fast", "-w", "stop")
        wait_until(lambda: not port_open(PORTS["replica"]), timeout=10)
        served = len(load.results)
        wait_until(
            lambda: len(load.results) > served + 50, timeout=30, message="no answers without the replica"
        )
        page = anonymous_get(f"/notices/{notice['id']}/?fresh={uuid.uuid4().hex}")
        run(*as_pg, f"{pgbin}/pg_ctl", "-D", replica, "-l", str(VAR / "pg" / "replica.log"), "-w", "start")
    streaming = lambda: sql("primary", "SELECT state FROM pg_stat_replication") == [("streaming",)]  # noqa: E731
    wait_until(streaming, timeout=30, message="the replica did not resume streaming")

    assert notice["title"] in page.text
    assert load.failures() == []
    failing = [r for r in load.results if r[0] >= stopped_at and r[3] != 200]
    FIGURES["replica stopped: failed requests"] = len(failing)
    FIGURES["replica stopped: slowest answer (s)"] = round(
        max(r[1] for r in load.results if r[0] >= stopped_at), 2
    )


def test_replica_lagging_the_handler_still_sees_the_draft_just_saved(cluster, handler):
    draft = cluster["draft"]
    name = f"滞后时上传{uuid.uuid4().hex[:6]}.pdf"
    sql("replica", "SELECT pg_wal_replay_pause()")
    try:
        uploaded = handler.post(
            f"/console/notices/{draft['id']}/attachments/",
            {},
            form_page=f"/console/notices/{draft['id']}/edit/",
            files={"attachments": (name, PDF, "application/pdf")},
            via="a",
        )
        edit_page_on_b = handler.get(f"/console/notices/{draft['id']}/edit/", via="b").text
        on_replica = sql(
            "replica", "SELECT count(*) FROM announcements_attachment WHERE original_name = %s", [name]
        )
    finally:
        sql("replica", "SELECT pg_wal_replay_resume()")

    assert uploaded.status_code == 302
    assert name in edit_page_on_b  # read from the primary: the replica does not have it yet
    assert on_replica == [(0,)]
    wait_until(
        lambda: (
            sql("replica", "SELECT count(*) FROM announcements_attachment WHERE original_name = %s", [name])
            == [(1,)]
        ),
        timeout=10,
        message="the replica did not catch up after replay resumed",
    )


def test_attachment_uploaded_through_a_is_downloaded_through_b_from_the_object_store(cluster, handler):
    draft = cluster["draft"]
    name = f"合同{uuid.uuid4().hex[:6]}.pdf"
    body = PDF + name.encode()
    handler.post(
        f"/console/notices/{draft['id']}/attachments/",
        {},
        form_page=f"/console/notices/{draft['id']}/edit/",
        files={"attachments": (name, body, "application/pdf")},
        via="a",
    )
    edit_page = handler.get(f"/console/notices/{draft['id']}/edit/", via="b").text
    link = re.search(
        rf'href="(/console/notices/{draft["id"]}/attachments/\d+/)">{re.escape(name)}<', edit_page
    )

    download = handler.get(link.group(1), via="b")
    (key,) = sql("primary", "SELECT file FROM announcements_attachment WHERE original_name = %s", [name])[0]
    listed = run(sys.executable, "ops/cluster/bucket.py", "download", "sme-notices", str(VAR / "tmp-objects"))

    assert download.status_code == 200 and download.content == body
    assert (VAR / "tmp-objects" / key).read_bytes() == body and "objects copied" in listed
    assert not (ROOT / "var" / "media" / key).exists()  # not on an app server's disk


def test_app_server_killed_under_load_no_get_fails_and_posts_are_whole_or_refused(cluster):
    draft, marker = cluster["draft"], uuid.uuid4().hex[:8]
    uploader = Browser().sign_in(cluster["handler"], cluster["password"])
    posts: list[tuple[str, object, bool]] = []
    stop = threading.Event()

    def upload_attachments():  # a handler adding attachments, through nginx, while it happens
        for i in range(500):
            if stop.is_set():
                return
            name = f"kill-{marker}-{i}.pdf"
            try:
                answer = uploader.post(
                    f"/console/notices/{draft['id']}/attachments/",
                    {},
                    form_page=f"/console/notices/{draft['id']}/edit/",
                    files={"attachments": (name, PDF + name.encode(), "application/pdf")},
                )
                posts.append((name, answer.status_code, "服务暂时不可用" in answer.text))
            except requests.RequestException as error:
                posts.append((name, type(error).__name__, False))

    load = Load(public_paths(cluster["to_publish"]["id"]) + ["/healthz"], threads=5, seconds=60)
    writer = threading.Thread(target=upload_attachments, daemon=True)
    with load.running():
        writer.start()
        wait_until(lambda: len(load.results) > 50 and len(posts) > 3, timeout=30)
        killed_at = time.monotonic()
        os.killpg(pid_of("app-a"), signal.SIGKILL)  # the master and its workers, no goodbye
        wait_until(lambda: time.monotonic() - killed_at > 12, timeout=20, interval=0.5)
        stop.set()
        writer.join(60)
    run("bash", "ops/cluster/app.sh", "start", "app-a")

    after_kill = [r for r in load.results if r[0] >= killed_at]
    assert load.failures() == []
    assert len(after_kill) > 100
    # Each POST was done (302) or refused with the page that says so (502); every attachment row
    # that exists has its object in the bucket, and every POST answered 302 has its row.
    assert {(status, clear) for _, status, clear in posts} <= {(302, False), (502, True)}
    stored = dict(
        sql(
            "primary",
            "SELECT original_name, file FROM announcements_attachment WHERE original_name LIKE %s",
            [f"kill-{marker}-%"],
        )
    )
    assert {name for name, status, _ in posts if status == 302} <= set(stored)
    objects = VAR / "tmp-objects-kill"
    run(sys.executable, "ops/cluster/bucket.py", "download", "sme-notices", str(objects))
    assert [name for name, key in stored.items() if not (objects / key).is_file()] == []
    FIGURES["app server killed: POSTs done / refused"] = (
        f"{sum(1 for p in posts if p[1] == 302)} / {sum(1 for p in posts if p[1] == 502)}"
    )
    FIGURES["app server killed: GETs during 12 s / failed"] = f"{len(after_kill)} / {len(load.failures())}"
    FIGURES["app server killed: slowest answer (s)"] = round(max(r[1] for r in after_kill), 2)


def test_worker_killed_mid_mail_task_runs_again_once_and_mails_each_address_once(cluster, handler):
    notice, emails = cluster["to_submit"], cluster["reviewer_emails"]

    def running_mail_tasks():
        return sql(
            "primary",
            "SELECT id, worker_ids FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'"
            " AND task_path LIKE %s ORDER BY started_at",
            ["%outbox_send_task"],
        )

    mail_log, hang_after, hanging = (
        VAR / "mail" / "accepted.jsonl",
        VAR / "mail" / "hang_after",
        VAR / "mail" / "hanging",
    )
    already = len(mail_log.read_text().splitlines()) if mail_log.exists() else 0
    ((since,),) = sql("primary", "SELECT now()")
    hanging.unlink(missing_ok=True)
    hang_after.write_text(str(already + 1))  # the first mail goes out, the second one hangs
    try:
        submitted = handler.post(
            f"/console/notices/{notice['id']}/action/submit/",
            {"comment": ""},
            form_page=f"/console/notices/{notice['id']}/",
        )
        assert submitted.status_code == 302
        wait_until(hanging.exists, timeout=60, message="no worker reached the second mail")
        stuck_id, worker_ids = running_mail_tasks()[0]
        killed = worker_ids[-1]
        os.killpg(pid_of(killed), signal.SIGKILL)  # mid-send: the task row stays RUNNING
    finally:
        hang_after.unlink(missing_ok=True)
        hanging.unlink(missing_ok=True)
    # The other worker may have been held at the mail server too: it goes on now. Once only the
    # dead worker's task is left RUNNING, the cron job of docs/production.md puts it back.
    wait_until(lambda: [t[0] for t in running_mail_tasks()] == [stuck_id], timeout=30)
    run(sys.executable, "manage.py", "requeue_stale_tasks", "--older-than", "0")

    def mail_tasks():
        return sql(
            "primary",
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s"
            " AND enqueued_at >= %s ORDER BY enqueued_at",
            ["%outbox_send_task", since],
        )

    # One task per message: the three reviewers' mails (and whatever else the submission sends).
    wait_until(lambda: {t[0] for t in mail_tasks()} == {"SUCCESSFUL"} and len(mail_tasks()) >= 3, timeout=60)
    run("bash", "ops/cluster/app.sh", "start", killed)
    sent = [json.loads(line)["to"] for line in mail_log.read_text().splitlines()[already:]]

    per_address = Counter(r for to in sent for r in to)
    assert set(emails) <= set(per_address)
    assert {address: n for address, n in per_address.items() if n != 1} == {}
    survivor = "worker-2" if killed == "worker-1" else "worker-1"
    assert [t[1] for t in mail_tasks() if len(t[1]) > 1] == [[killed, survivor]]  # run again once


def test_rolling_deploy_under_load_no_request_fails(cluster):
    # Four readers: enough to keep both servers busy, few enough that a restarted one boots fast.
    load = Load(public_paths(cluster["to_publish"]["id"]) + ["/healthz"], threads=4, seconds=120)
    with load.running():
        wait_until(lambda: len(load.results) > 50, timeout=20)
        started = time.monotonic()
        run(sys.executable, "manage.py", "migrate", "--noinput")  # the release step, from one place
        run("bash", "ops/cluster/app.sh", "restart", "app-a", "app-b", timeout=240)
        FIGURES["rolling deploy of both app servers (s)"] = round(time.monotonic() - started, 1)
        served = len(load.results)
        wait_until(lambda: len(load.results) > served + 20, timeout=20)

    during = [r for r in load.results if r[0] >= started]
    assert load.failures() == []
    FIGURES["rolling deploy: requests / failed"] = f"{len(during)} / {len(load.failures())}"
    FIGURES["rolling deploy: slowest answer (s)"] = round(max(r[1] for r in during), 2)


def test_backup_restored_into_a_fresh_cluster_is_identical(cluster, tmp_path):
    # A maintenance window: nothing writes while the copy is taken (workers flush view counts).
    run("bash", "ops/cluster/app.sh", "stop", "app-a", "app-b", "worker-1", "worker-2")
    env = cluster_env()
    run(sys.executable, "manage.py", "export_dataset", str(tmp_path / "live"), env=env)
    run("bash", "ops/cluster/backup.sh", str(tmp_path / "backup"))

    restored_env = dict(env)
    for line in run("bash", "ops/cluster/restore.sh", str(tmp_path / "backup")).splitlines():
        key, value = line.split("=", 1)
        restored_env[key] = value
    restored_env.pop("DATABASE_REPLICA_URL")
    run(sys.executable, "manage.py", "export_dataset", str(tmp_path / "restored"), env=restored_env)

    live = json.loads((tmp_path / "live" / "manifest.json").read_text())
    restored = json.loads((tmp_path / "restored" / "manifest.json").read_text())
    assert restored["data"]["sha256"] == live["data"]["sha256"]  # every row, byte for byte
    assert restored["counts"] == live["counts"]
    assert restored["counts"]["announcements.announcement"] >= 3
    assert sorted((f["name"], f["sha256"]) for f in restored["files"]) == sorted(
        (f["name"], f["sha256"]) for f in live["files"]
    )
    assert len(live["files"]) >= 2


def test_cluster_stop_leaves_nothing_running(cluster):
    pids = {p.stem: int(p.read_text()) for p in (VAR / "run").glob("*.pid")}
    postmasters = {
        node: int((VAR / "pg" / node / "postmaster.pid").read_text().split()[0])
        for node in ("primary", "replica", "restore")
        if (VAR / "pg" / node / "postmaster.pid").exists()
    }

    subprocess.run(["make", "-s", "cluster-stop"], cwd=ROOT, check=True, timeout=180)

    assert [port for port in ALL_PORTS if port_open(port)] == []
    assert [name for name, pid in {**pids, **postmasters}.items() if process_alive(pid)] == []
    assert port_open(5432)  # the machine's own PostgreSQL is not ours to stop
