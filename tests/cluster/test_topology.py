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
import shutil
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


def run(*command: str, env: dict | None = None, timeout: float = 180, cwd: Path = ROOT) -> str:
    done = subprocess.run(
        list(command), cwd=cwd, env=env or cluster_env(), capture_output=True, text=True, timeout=timeout
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


class Uploads:
    """A handler adding attachments to their draft through nginx, in threads, until stopped; each
    POST kept as (file name, status or error, whether the answer is the page saying the service
    was unavailable)."""

    def __init__(self, cluster, marker: str):
        self.draft, self.marker = cluster["draft"], marker
        self.browser = Browser().sign_in(cluster["handler"], cluster["password"])
        self.posts: list[tuple[str, object, bool]] = []
        self.stop, self.lock = threading.Event(), threading.Lock()

    def post_one(self, name: str, browser: Browser | None = None):
        try:
            answer = (browser or self.browser).post(
                f"/console/notices/{self.draft['id']}/attachments/",
                {},
                form_page=f"/console/notices/{self.draft['id']}/edit/",
                files={"attachments": (name, PDF + name.encode(), "application/pdf")},
            )
            post = (name, answer.status_code, "服务暂时不可用" in answer.content.decode("utf-8", "replace"))
        except requests.RequestException as error:
            post = (name, type(error).__name__, False)
        with self.lock:
            self.posts.append(post)

    def held_on_the_way(self, name: str) -> tuple[threading.Thread, threading.Event]:
        """One upload in its own thread and browser session (so several can wait at once), its form
        fetched first; the event is set once nginx has the whole POST, which it then sends on at
        once to a server of its current list."""
        browser = Browser()
        browser.cookies = dict(self.browser.cookies)
        page = browser.get(f"/console/notices/{self.draft['id']}/edit/").text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body, content_type = urllib3.encode_multipart_formdata(
            {"csrfmiddlewaretoken": token, "attachments": (name, PDF + name.encode(), "application/pdf")}
        )
        handed_over = threading.Event()

        def chunks():
            yield body
            handed_over.set()  # asked for the next chunk: the body is on the wire (nginx buffers it)

        def post():
            try:
                answer = browser.request(
                    "POST",
                    f"/console/notices/{self.draft['id']}/attachments/",
                    data=chunks(),
                    headers={"Content-Type": content_type},
                )
                outcome = (
                    name,
                    answer.status_code,
                    "服务暂时不可用" in answer.content.decode("utf-8", "replace"),
                )
            except requests.RequestException as error:
                outcome = (name, type(error).__name__, False)
            with self.lock:
                self.posts.append(outcome)

        thread = threading.Thread(target=post, daemon=True)
        thread.start()
        return thread, handed_over

    def _loop(self):
        for i in range(500):
            if self.stop.is_set():
                return
            self.post_one(f"{self.marker}-{i}.pdf")

    @contextmanager
    def running(self):
        thread = threading.Thread(target=self._loop, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.stop.set()
            thread.join(60)

    def stored(self) -> dict[str, str]:
        """Attachment rows of these uploads: file name → object key."""
        return dict(
            sql(
                "primary",
                "SELECT original_name, file FROM announcements_attachment WHERE original_name LIKE %s",
                [f"{self.marker}-%"],
            )
        )

    def assert_whole_or_refused(self):
        # Each POST was done (302) or refused with the page that says so (502); every attachment
        # row that exists has its object in the bucket, and every POST answered 302 has its row.
        assert {(status, clear) for _, status, clear in self.posts} <= {(302, False), (502, True)}
        stored = self.stored()
        assert {name for name, status, _ in self.posts if status == 302} <= set(stored)
        objects = VAR / f"tmp-objects-{self.marker}"
        run(sys.executable, "ops/cluster/bucket.py", "download", "sme-notices", str(objects))
        assert [name for name, key in stored.items() if not (objects / key).is_file()] == []
        return stored


def send_new_requests_to(*names: str):
    """nginx's upstream list with only `names` taking new requests, then a reload. Unlike the
    deploy's drain (app.sh), this does not wait for the old nginx worker to finish what it holds."""
    lines = [
        f"server 127.0.0.1:{port} max_fails=1 fail_timeout=5s{'' if name in names else ' down'};"
        for name, port in (("app-a", 9401), ("app-b", 9402))
    ]
    (VAR / "nginx" / "upstreams.conf").write_text("\n".join(lines) + "\n")
    master = (VAR / "run" / "nginx.pid").read_text().strip()

    def workers() -> set[str]:
        return set(subprocess.run(["pgrep", "-P", master], capture_output=True, text=True).stdout.split())

    before = workers()
    os.kill(int(master), signal.SIGHUP)
    wait_until(lambda: workers() - before, timeout=20)  # a new worker takes the new connections
    time.sleep(0.2)


def test_app_server_killed_under_load_no_get_fails_and_posts_are_whole_or_refused(cluster):
    uploads = Uploads(cluster, f"kill-{uuid.uuid4().hex[:8]}")
    load = Load(public_paths(cluster["to_publish"]["id"]) + ["/healthz"], threads=5, seconds=60)
    with load.running(), uploads.running():
        wait_until(lambda: len(load.results) > 50 and len(uploads.posts) > 3, timeout=30)
        # POSTs that are on A when it dies: two uploads sent while B takes no new request, held
        # on A by a stalled object store (stopped, not killed: it resumes where it was).
        send_new_requests_to("app-a")
        os.killpg(pid_of("s3"), signal.SIGSTOP)
        try:
            caught = [uploads.held_on_the_way(f"{uploads.marker}-caught-{i}.pdf") for i in range(2)]
            for _, handed_over in caught:
                assert handed_over.wait(30)
            time.sleep(1)  # nginx sends them to A, which reads them and waits for the store
            assert all(thread.is_alive() for thread, _ in caught)
            send_new_requests_to("app-a", "app-b")
            killed_at = time.monotonic()
            os.killpg(pid_of("app-a"), signal.SIGKILL)  # the master and its workers, no goodbye
        finally:
            os.killpg(pid_of("s3"), signal.SIGCONT)
        for thread, _ in caught:
            thread.join(30)
        wait_until(lambda: time.monotonic() - killed_at > 12, timeout=20, interval=0.5)
    run("bash", "ops/cluster/app.sh", "start", "app-a")

    after_kill = [r for r in load.results if r[0] >= killed_at]
    assert load.failures() == []
    assert len(after_kill) > 100
    stored = uploads.assert_whole_or_refused()
    # The two caught on A were refused with the page that says the upload may not have completed,
    # and left nothing: no row (and so no attachment the handler would see).
    caught_posts = [p for p in uploads.posts if "-caught-" in p[0]]
    assert sorted(status for _, status, _ in caught_posts) == [502, 502]
    assert [name for name in stored if "-caught-" in name] == []
    FIGURES["app server killed: POSTs done / refused"] = (
        f"{sum(1 for p in uploads.posts if p[1] == 302)} / {sum(1 for p in uploads.posts if p[1] == 502)}"
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


# The next release's one change: attachments gain a column. Backward compatible, as the runbook
# asks of a migration that runs before the servers restart: the database fills it in (db_default),
# so the release still serving, which does not know the column, keeps inserting attachments.
NEXT_RELEASE_FIELD = (
    '    release_label = models.CharField(max_length=20, blank=True, default="", db_default="")\n'
)
NEXT_RELEASE_ANCHOR = '    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)\n'


def next_release() -> Path:
    """The code of the next release, as a deploy brings it: this code, the new field, and the
    migration `makemigrations` writes for it."""
    release = VAR / "release-next"
    shutil.rmtree(release, ignore_errors=True)
    top_level_only = {".git", ".venv", "var", "node_modules"}
    shutil.copytree(
        ROOT,
        release,
        ignore=lambda folder, names: top_level_only & set(names) if Path(folder) == ROOT else set(),
    )
    models_py = release / "announcements" / "models.py"
    text = models_py.read_text()
    assert text.count(NEXT_RELEASE_ANCHOR) == 1
    models_py.write_text(text.replace(NEXT_RELEASE_ANCHOR, NEXT_RELEASE_ANCHOR + NEXT_RELEASE_FIELD))
    run(
        sys.executable,
        "manage.py",
        "makemigrations",
        "announcements",
        "-n",
        "attachment_release_label",
        cwd=release,
    )
    assert list((release / "announcements" / "migrations").glob("*_attachment_release_label.py"))
    return release


def test_rolling_deploy_of_a_release_with_a_migration_under_load_no_request_fails(cluster):
    release = next_release()
    uploads = Uploads(cluster, f"deploy-{uuid.uuid4().hex[:8]}")
    # Four readers: enough to keep both servers busy, few enough that a restarted one boots fast.
    load = Load(public_paths(cluster["to_publish"]["id"]) + ["/healthz"], threads=4, seconds=300)
    with load.running(), uploads.running():
        wait_until(lambda: len(load.results) > 50 and len(uploads.posts) > 2, timeout=20)
        started = time.monotonic()
        # The release step, from one place, with the new release's code; the old one keeps serving.
        run(sys.executable, "manage.py", "migrate", "--noinput", cwd=release)
        migrated, posts_before = time.monotonic(), len(uploads.posts)
        wait_until(lambda: len(uploads.posts) > posts_before + 2, timeout=30)  # old code, new table
        run(
            "bash",
            "ops/cluster/app.sh",
            "restart",
            "app-a",
            "app-b",
            env={**cluster_env(), "RELEASE_DIR": str(release)},
            timeout=240,
        )
        FIGURES["rolling deploy of both app servers (s)"] = round(time.monotonic() - started, 1)
        served, posts_after = len(load.results), len(uploads.posts)
        wait_until(
            lambda: len(load.results) > served + 20 and len(uploads.posts) > posts_after + 2, timeout=30
        )

    during = [r for r in load.results if r[0] >= started]
    assert load.failures() == []
    assert {status for _, status, _ in uploads.posts} == {302}  # a deploy refuses nobody
    uploads.assert_whole_or_refused()
    # Both app servers run the new release, and every attachment — those the old code inserted
    # after the migration included — has the column, filled in by the database.
    assert {os.readlink(f"/proc/{pid_of(name)}/cwd") for name in ("app-a", "app-b")} == {str(release)}
    labels = sql(
        "primary",
        "SELECT release_label, count(*) FROM announcements_attachment WHERE original_name LIKE %s GROUP BY 1",
        [f"{uploads.marker}-%"],
    )
    assert labels == [("", len(uploads.posts))]
    assert migrated > started
    FIGURES["rolling deploy: requests / failed"] = f"{len(during)} / {len(load.failures())}"
    FIGURES["rolling deploy: uploads during it / refused"] = f"{len(uploads.posts)} / 0"
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
