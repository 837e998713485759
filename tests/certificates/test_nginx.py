"""证书登录 through a real nginx with mutual TLS (ops/nginx-mtls/site.conf) in front of the live
server: a client certificate made with `cryptography` signs in the account it is bound to.
`make test` installs Debian's nginx."""

import http.cookiejar
import re
import shutil
import socket
import ssl
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.urls import reverse

from certificates.services import certificate_bind
from tests.waiting import wait_until

SITE_CONF = Path(__file__).resolve().parents[2] / "ops" / "nginx-mtls" / "site.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def nginx(tmp_path, pki, live_server, settings):
    """nginx on a free port, TLS with a server certificate of the test CA, asking for client
    certificates of the same CA, proxying to the live server."""
    assert Path(NGINX).is_file(), "nginx is not installed: `make test` installs it (apt-get install nginx)"
    settings.BEHIND_PROXY = True
    server = pki.issue(cn="127.0.0.1", o="", server_dns="localhost")
    (tmp_path / "server.pem").write_bytes(server.pem)
    (tmp_path / "server.key").write_bytes(server.key_pem)
    port = free_port()
    site = SITE_CONF.read_text()
    for name, value in {
        "LISTEN": f"127.0.0.1:{port}",
        "SERVER_CERT": tmp_path / "server.pem",
        "SERVER_KEY": tmp_path / "server.key",
        "CLIENT_CA": pki.bundle,
        "UPSTREAM": live_server.url.removeprefix("http://"),
    }.items():
        site = site.replace(f"@{name}@", str(value))
    (tmp_path / "site.conf").write_text(site)
    # One process, in the foreground, every path in the test's directory: no root needed.
    (tmp_path / "nginx.conf").write_text(
        f"""daemon off; master_process off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {tmp_path}/body; proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi; uwsgi_temp_path {tmp_path}/uwsgi; scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/site.conf;
}}
"""
    )
    process = subprocess.Popen([NGINX, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)])
    try:
        wait_until(lambda: listening(port) or process.poll() is not None, timeout=10)
        assert process.poll() is None, (tmp_path / "error.log").read_text()
        yield f"https://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def opener(pki, tmp_path, client=None):
    context = ssl.create_default_context(cafile=str(pki.bundle))
    if client is not None:
        (tmp_path / "client.pem").write_bytes(client.pem)
        (tmp_path / "client.key").write_bytes(client.key_pem)
        context.load_cert_chain(tmp_path / "client.pem", tmp_path / "client.key")
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context), urllib.request.HTTPCookieProcessor(jar)
    )


def sign_in(browser, base: str) -> str:
    """GET the 证书登录 page, POST its form; returns the page reached."""
    page = browser.open(base + reverse("certificates:signin")).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "next": ""}).encode()
    try:
        return browser.open(base + reverse("certificates:signin"), data=body).read().decode()
    except urllib.error.HTTPError as error:
        return error.read().decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_certificate_signs_in_through_nginx_with_mutual_tls(nginx, pki, world, tmp_path):
    certificate_bind(user=world.finance, data=pki.person.pem)

    page = sign_in(opener(pki, tmp_path, client=pki.person), nginx)

    # The console: its header names the signed-in user and offers to sign out.
    assert "<summary>财政甲</summary>" in page
    assert "退出" in page


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_a_client_certificate_nginx_lets_the_password_sign_in_through(nginx, pki, world, tmp_path):
    browser = opener(pki, tmp_path)

    assert 'name="password"' in browser.open(nginx + reverse("accounts:login")).read().decode()
    assert "浏览器未出示证书" in sign_in(browser, nginx)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_header_forged_by_the_client_is_replaced_by_nginx(nginx, pki, world, tmp_path):
    from urllib.parse import quote

    certificate_bind(user=world.finance, data=pki.person.pem)
    browser = opener(pki, tmp_path)
    browser.addheaders = [("X-SSL-Client-Cert", quote(pki.person.pem.decode()))]

    assert "浏览器未出示证书" in sign_in(browser, nginx)
