"""The database goes away and comes back under a running gunicorn: a friendly 503 page meanwhile,
and recovery without a restart. The database is reached through a TCP relay that the test owns,
so "stopping the database" is closing the relay (the shared PostgreSQL keeps running for others)."""

import http.client
import json
import os
import re
import secrets
import select
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings

from tests.waiting import wait_until

ROOT = Path(settings.BASE_DIR)
PG = ("127.0.0.1", 5432)
PASSWORD = "outage-test-pass-2026"


def _postgres_up() -> bool:
    try:
        socket.create_connection(PG, timeout=1).close()
        return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _postgres_up(), reason="PostgreSQL is not running on 127.0.0.1:5432")


class Relay:
    """A TCP relay to PostgreSQL that can be switched off (refuses and cuts every connection) and on."""

    def __init__(self, target):
        self.target = target
        self.port = _free_port()
        self.server = None
        self.connections: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self):
        self.server = socket.create_server(("127.0.0.1", self.port))
        self.server.settimeout(0.2)
        self.running = True
        self.acceptor = threading.Thread(target=self._accept, daemon=True)
        self.acceptor.start()

    def stop(self):
        self.running = False
        # The port is free again only once the accepting thread has left accept(): wait for it,
        # so that start() can listen on the same port at once.
        self.acceptor.join(timeout=5)
        assert not self.acceptor.is_alive(), "the relay's accepting thread did not stop"
        self.server.close()
        with self.lock:
            for sock in self.connections:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.connections.clear()

    def _accept(self):
        server = self.server
        while self.running:
            try:
                client, _ = server.accept()
            except (TimeoutError, OSError):
                continue
            upstream = socket.create_connection(self.target)
            with self.lock:
                self.connections += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while True:
                readable, _, _ = select.select([a, b], [], [], 1)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (b if sock is a else a).sendall(data)
        except (OSError, ValueError):
            return


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port, path, cookies=None):
    return _request(port, "GET", path, cookies=cookies)[:2]


def _request(port, method, path, body=None, cookies=None):
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    text = response.read().decode()
    conn.close()
    new_cookies = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            new_cookies[name] = rest.split(";", 1)[0]
    return response.status, text, new_cookies


def _sign_in(port, username, password):
    _, page, cookies = _request(port, "GET", "/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
    status, _, more = _request(port, "POST", "/accounts/login/", body=body, cookies=cookies)
    assert status == 302, "sign-in failed"
    return {**cookies, **more}


def _admin_sql(sql):
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", user="postgres", host=PG[0], port=PG[1])
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


@pytest.fixture
def server_behind_relay(tmp_path):
    db_name = f"sme_ops_down_{uuid.uuid4().hex[:8]}"
    _admin_sql(f'CREATE DATABASE "{db_name}"')
    relay = Relay(PG)
    relay.start()
    port = _free_port()
    server_log = tmp_path / "gunicorn.log"
    log_file = server_log.open("w")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL="http://127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        # Persistent connections: the hard case, a worker holds a connection that dies under it.
        CONN_MAX_AGE="60",
        # Production refuses a per-process cache (config.E001); Redis at a closed port degrades
        # to misses, so this server also runs without its cache.
        CACHE_URL="redis://127.0.0.1:6399/0",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        LOG_LEVEL="WARNING",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{relay.port}/{db_name}",
    )
    create_user = (
        "from accounts.models import User; u = User(username='outage', full_name='停机测试');"
        f"u.set_password('{PASSWORD}'); u.save()"
    )
    for args in (
        ["migrate", "--noinput", "-v", "0"],
        ["collectstatic", "--noinput", "-v", "0"],
        ["shell", "-v", "0", "-c", create_user],
    ):
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=300,
            capture_output=True,
        )
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "-w",
            "1",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )
    try:
        wait_until(
            lambda: _get(port, "/healthz")[0] == 200,
            timeout=30,
            ignore=(OSError,),
            message="gunicorn never answered /healthz",
        )
        yield port, relay, server_log
    finally:
        server.terminate()
        server.wait(timeout=10)
        log_file.close()
        relay.stop()
        _admin_sql(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


def _uncached_page():
    # Public pages are cached: a search nobody made before must reach the database.
    return f"/notices/?q={uuid.uuid4().hex[:6]}"


def test_database_outage_shows_503_page_and_recovers_without_restart(server_behind_relay):
    port, relay, server_log = server_behind_relay
    up_status, _ = _get(port, _uncached_page())
    ready_status, _ = _get(port, "/readyz")
    staff = _sign_in(port, "outage", PASSWORD)
    console_up, _ = _get(port, "/console/", cookies=staff)

    relay.stop()
    down_status, down_body = _get(port, _uncached_page())
    down_again, _ = _get(port, _uncached_page())
    not_ready, not_ready_body = _get(port, "/readyz")
    alive, _ = _get(port, "/healthz")
    # Signed in: the user is loaded by middleware, before any view, and that fails too.
    console_down, console_down_body = _get(port, "/console/", cookies=staff)

    relay.start()
    back_status, back_body = _get(port, _uncached_page())
    ready_again, _ = _get(port, "/readyz")
    console_back, console_back_body = _get(port, "/console/", cookies=staff)

    assert (up_status, ready_status) == (200, 200)
    assert (down_status, down_again) == (503, 503)
    assert "服务暂时不可用" in down_body and 'class="site-header"' in down_body
    assert "系统正在维护或暂时无法访问，请几分钟后再试。" in down_body
    # The cause goes to the log for the operator, never to the page.
    assert "OperationalError" not in down_body and str(relay.port) not in down_body
    assert not_ready == 503 and '"database": "error"' in not_ready_body
    assert alive == 200
    assert back_status == 200 and "服务暂时不可用" not in back_body
    assert ready_again == 200
    assert (console_up, console_down, console_back) == (200, 503, 200)
    assert "服务暂时不可用" in console_down_body and "停机测试" not in console_down_body
    assert "停机测试" in console_back_body
    outages = [
        json.loads(line)
        for line in server_log.read_text().splitlines()
        if line.startswith("{") and "database unavailable" in line
    ]
    assert len(outages) >= 2 and {o["logger"] for o in outages} == {"config.middleware"}
    assert all(str(relay.port) in o["message"] for o in outages)
