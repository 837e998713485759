"""Mixed load (run by bench/bench_mixed.sh): the public reads and searches while staff sign in,
create, submit and approve notices, all at once against gunicorn (2 workers) on PostgreSQL and
Redis, on 127.0.0.1, for BENCH_MIXED_SECONDS (default 300).

Closed loop: BENCH_MIXED_READERS public threads and BENCH_MIXED_STAFF staff threads each send
their next request as soon as the previous one is answered, so the rate is the highest the
machine holds. An error is a connection failure, a 5xx, or any answer other than the one the
step expects (200 for pages, 302 after a form). Prints requests/s, p50/p99 per kind and errors;
exits non-zero if there was any error.
"""

import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")

SECONDS = float(os.environ.get("BENCH_MIXED_SECONDS", "300"))
READERS = int(os.environ.get("BENCH_MIXED_READERS", "8"))
STAFF = int(os.environ.get("BENCH_MIXED_STAFF", "2"))
BACKGROUND = int(os.environ.get("BENCH_MIXED_NOTICES", "5000"))
# A staff thread signs in again (all three roles) after this many notices.
RELOGIN_EVERY = int(os.environ.get("BENCH_MIXED_RELOGIN_EVERY", "10"))
# Seconds a staff thread waits between two notices (0: as fast as possible). Every publication
# invalidates the public page cache, so this sets how often the public reads miss it.
STAFF_PAUSE = float(os.environ.get("BENCH_MIXED_STAFF_PAUSE", "0"))
DATABASE_URL = os.environ.get(
    "BENCH_MIXED_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sme_bench_mixed"
)
CACHE_URL = os.environ.get("BENCH_MIXED_CACHE_URL", "redis://127.0.0.1:6379/12")
PASSWORD = os.environ.get("DEMO_PASSWORD", "demo-pass-2026")
SEARCH_WORDS = [
    "保洁",
    "物业服务",
    "绿化养护",
    "食堂",
    "印刷",
    "维修",
    "街道",
    "2024",
    "%",
    "_",
    "上海市普陀区",
]
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DETAIL_RE = re.compile(r'href="/notices/([0-9a-f]{32})/"')
EDIT_RE = re.compile(r"/console/notices/([0-9a-f]{32})/")


def env_for() -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=DATABASE_URL,
        CACHE_URL=CACHE_URL,
        DEBUG="0",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-only-secret-key-not-for-production-" + "x" * 20,
        ALLOWED_HOSTS="127.0.0.1",
        # Plain HTTP on the loopback: production sits behind a TLS proxy instead.
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=str(ROOT / "var" / "bench-static"),
        MEDIA_ROOT=str(ROOT / "var" / "bench-media"),
        CONN_MAX_AGE="60",
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        # The staff sign in again and again; lockouts are for failures only, but stay clear of them.
        AXES_FAILURE_LIMIT="1000",
        # The staff threads sign in with a password; production asks demo-finance for a second
        # factor (OTP_REQUIRED_POSITIONS), which would send its approvals to the TOTP page.
        OTP_REQUIRED_POSITIONS="",
    )
    return env


def manage(*args, capture=False, **extra):
    result = subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env={**env_for(), **extra},
        check=True,
        text=True,
        capture_output=True,
    )
    return result.stdout if capture else None


def fresh_database():
    import psycopg2
    import redis

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    conn = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    # The bench's own Redis database (12 by default): stale pages from an earlier run must go.
    redis.Redis.from_url(CACHE_URL).flushdb()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """One visitor: a keep-alive connection and its cookies."""

    def __init__(self, port):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = None

    def request(self, method, path, body=None):
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            body = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # gunicorn recycles workers (--max-requests): reconnect once, as a browser would.
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), text


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.errors = defaultdict(int)
        self.samples = []

    def record(self, kind, seconds, ok, detail=""):
        with self.lock:
            self.latencies[kind].append(seconds)
            if not ok:
                self.errors[kind] += 1
                if len(self.samples) < 10:
                    self.samples.append(f"{kind}: {detail}")


def timed(stats, kind, browser, method, path, expect, body=None):
    started = time.perf_counter()
    try:
        status, location, text = browser.request(method, path, body)
    except OSError as exc:
        stats.record(kind, time.perf_counter() - started, False, f"{path}: {exc!r}")
        return None, "", ""
    ok = status == expect
    stats.record(kind, time.perf_counter() - started, ok, f"{method} {path} → {status}")
    return status, location, text


def reader(port, stop, stats, ids):
    browser = Browser(port)
    rng = random.Random()
    while not stop.is_set():
        roll = rng.random()
        if roll < 0.35:
            timed(stats, "public list", browser, "GET", f"/notices/?page={rng.randint(1, 20)}", 200)
        elif roll < 0.65:
            word = rng.choice(SEARCH_WORDS)
            timed(stats, "public search", browser, "GET", f"/notices/?q={quote(word)}", 200)
        elif roll < 0.9:
            timed(stats, "public detail", browser, "GET", f"/notices/{rng.choice(ids)}/", 200)
        else:
            timed(
                stats, "public api/feed", browser, "GET", rng.choice(["/api/notices/", "/notices/feed/"]), 200
            )


def sign_in(port, stats, username):
    browser = Browser(port)
    _, _, page = timed(stats, "staff sign-in", browser, "GET", "/accounts/login/", 200)
    token = CSRF_RE.search(page or "")
    timed(
        stats,
        "staff sign-in",
        browser,
        "POST",
        "/accounts/login/",
        302,
        {"csrfmiddlewaretoken": token.group(1) if token else "", "username": username, "password": PASSWORD},
    )
    return browser


def staff(port, stop, stats, ids, counter):
    while not stop.is_set():
        handler, reviewer, finance = (
            sign_in(port, stats, u) for u in ("demo-handler", "demo-reviewer", "demo-finance")
        )
        for _ in range(RELOGIN_EVERY):
            if stop.is_set():
                return
            public_id = create_and_publish(stats, handler, reviewer, finance)
            if public_id:
                ids.append(public_id)
                counter.append(public_id)
            stop.wait(STAFF_PAUSE)


def create_and_publish(stats, handler, reviewer, finance):
    _, _, page = timed(stats, "staff pages", handler, "GET", "/console/notices/new/manual/", 200)
    token = CSRF_RE.search(page or "")
    district = re.search(r'<option value="(\d+)"[^>]*selected', page or "")
    if not token or not district:
        stats.record("staff create", 0, False, "no form on the create page")
        return None
    title = f"压力测试公告 {uuid.uuid4().hex[:8]}"
    _, location, _ = timed(
        stats,
        "staff create",
        handler,
        "POST",
        "/console/notices/new/manual/",
        302,
        {
            "csrfmiddlewaretoken": token.group(1),
            "district": district.group(1),
            "title": title,
            "body_html": "<p>本单位预留项目执行情况如下。</p>",
            "publish_mode": "on_approval",
            "scheduled_at": "",
        },
    )
    match = EDIT_RE.search(location or "")
    if not match:
        return None
    public_id = match.group(1)
    for browser, action in (
        (handler, "submit"),
        (reviewer, "purchaser_approve"),
        (finance, "finance_approve"),
    ):
        _, _, page = timed(stats, "staff pages", browser, "GET", f"/console/notices/{public_id}/", 200)
        token = CSRF_RE.search(page or "")
        timed(
            stats,
            "staff actions",
            browser,
            "POST",
            f"/console/notices/{public_id}/action/{action}/",
            302,
            {"csrfmiddlewaretoken": token.group(1) if token else ""},
        )
    return public_id


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def main():
    print(
        f"Mixed load: {SECONDS:.0f} s, {READERS} public readers, {STAFF} staff threads "
        f"(pause {STAFF_PAUSE:g} s), PostgreSQL {urlsplit(DATABASE_URL).path.lstrip('/')}, cache {CACHE_URL}"
    )
    fresh_database()
    manage("migrate", "--noinput", "-v", "0")
    # The seeders live in the devdata app, which only DEBUG installs; the server runs without it.
    manage("seed_demo", DEBUG="1")
    if BACKGROUND:
        manage("seed_bulk", "--notices", str(BACKGROUND), "--rows", "4", DEBUG="1")
    manage("collectstatic", "--noinput", "-v", "0")
    port = free_port()
    log_path = ROOT / "var" / "bench-mixed.log"
    log_path.parent.mkdir(exist_ok=True)
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [
                GUNICORN,
                "config.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
                "--max-requests",
                "2000",
                "--max-requests-jitter",
                "200",
            ],
            cwd=ROOT,
            env=env_for(),
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    try:
        probe = Browser(port)
        for _ in range(100):
            try:
                if probe.request("GET", "/readyz")[0] == 200:
                    break
            except OSError:
                probe.conn = None
                time.sleep(0.2)
        _, _, page = probe.request("GET", "/notices/")
        ids = list(dict.fromkeys(DETAIL_RE.findall(page)))
        if not ids:
            raise SystemExit("no published notice on /notices/")
        stats, stop, created = Stats(), threading.Event(), []
        threads = [threading.Thread(target=reader, args=(port, stop, stats, ids)) for _ in range(READERS)]
        threads += [
            threading.Thread(target=staff, args=(port, stop, stats, ids, created)) for _ in range(STAFF)
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        time.sleep(SECONDS)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        elapsed = time.perf_counter() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    report(stats, elapsed, created, log_path)


def report(stats, elapsed, created, log_path):
    all_latencies = [x for values in stats.latencies.values() for x in values]
    total_errors = sum(stats.errors.values())
    print(f"{'kind':<18}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for kind in sorted(stats.latencies):
        values = stats.latencies[kind]
        print(
            f"{kind:<18}{len(values):>10}{len(values) / elapsed:>9.1f}{percentile(values, 0.5) * 1000:>9.1f}"
            f"{percentile(values, 0.99) * 1000:>9.1f}{stats.errors[kind]:>8}"
        )
    print(
        f"{'all':<18}{len(all_latencies):>10}{len(all_latencies) / elapsed:>9.1f}"
        f"{percentile(all_latencies, 0.5) * 1000:>9.1f}{percentile(all_latencies, 0.99) * 1000:>9.1f}"
        f"{total_errors:>8}"
    )
    access_lines = 0
    with open(log_path) as log:
        for line in log:
            try:
                access_lines += json.loads(line).get("logger") == "config.request"
            except ValueError:
                pass
    print(
        f"notices created and published: {len(created)}; JSON access-log lines: {access_lines} "
        f"(server log {log_path.relative_to(ROOT)})"
    )
    rate, p99 = len(all_latencies) / elapsed, percentile(all_latencies, 0.99) * 1000
    print(f"RESULT requests/s={rate:.1f} p99_ms={p99:.1f} errors={total_errors}")
    for sample in stats.samples:
        print("  error:", sample)
    if total_errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
