"""The demo CA (演示CA, never trusted by production settings) for `seed_demo`: a certificate for
demo-finance (bound to the account; its key beside it for `curl --cert` or to import into
Chromium), the seal of 上海市普陀区财政局 for the sealed notices, a server certificate and a
ready nginx configuration for trying 证书登录 with mutual TLS on https://127.0.0.1:8443/.

Everything is written where the DEBUG settings look: the directory of CA_TRUST_BUNDLE
(var/demo-ca/), the CRL named by CA_CRL_SOURCES, the seal in NOTICE_SEAL_DIR. Settings that
trust another CA are left alone. Idempotent: the CA and the certificates are made once; the CRL
is renewed on every run.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings

from certificates.issuing import Issued, certificate_authority, personal_certificate, revocation_list
from certificates.models import Certificate
from certificates.pki import CertificateRejected, facts, load_certificate
from certificates.services import certificate_bind

DEMO_CA_NAME = "演示CA（仅供演示，切勿信任）"
SEAL_HOLDER = "上海市普陀区财政局"
CLIENT_PASSWORD = b"demo-pass-2026"
NGINX_PORT = 8443
SITE_CONF = Path(settings.BASE_DIR) / "ops" / "nginx-mtls" / "site.conf"


def demo_directory() -> Path | None:
    """var/demo-ca/, when the settings trust the demo CA (its file name says so)."""
    bundle = settings.CA_TRUST_BUNDLE
    if not bundle or Path(bundle).name != "demo-ca.pem":
        return None
    return Path(bundle).parent


def _load(folder: Path, name: str) -> Issued | None:
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    if not (cert.is_file() and key.is_file()):
        return None
    certificate = x509.load_pem_x509_certificate(cert.read_bytes())
    if certificate.not_valid_after_utc < datetime.now(UTC) + timedelta(days=31):
        return None  # about to expire: make a fresh one
    return Issued(certificate, serialization.load_pem_private_key(key.read_bytes(), password=None))


def _save(folder: Path, name: str, issued: Issued) -> Issued:
    (folder / f"{name}.pem").write_bytes(issued.pem)
    key = folder / f"{name}.key"
    key.write_bytes(issued.key_pem)
    key.chmod(0o600)
    return issued


def _nginx_conf(folder: Path) -> None:
    site = SITE_CONF.read_text()
    for name, value in {
        "LISTEN": f"127.0.0.1:{NGINX_PORT}",
        "SERVER_CERT": folder / "server.pem",
        "SERVER_KEY": folder / "server.key",
        "CLIENT_CA": folder / "demo-ca.pem",
        "UPSTREAM": "127.0.0.1:8000",
    }.items():
        site = site.replace(f"@{name}@", str(value))
    (folder / "site.conf").write_text(site)
    # In the foreground, one process, every path here: `nginx -c var/demo-ca/nginx.conf`.
    (folder / "nginx.conf").write_text(
        f"daemon off; master_process off; pid {folder}/nginx.pid; error_log stderr;\n"
        "events { worker_connections 64; }\n"
        f"http {{ access_log off; client_body_temp_path {folder}/tmp; proxy_temp_path {folder}/tmp;\n"
        f"  include {folder}/site.conf; }}\n"
    )
    (folder / "tmp").mkdir(exist_ok=True)


def seed(context: dict) -> None:
    """Side effects: files under var/demo-ca/ and demo-finance's bound certificate.
    Puts `demo_ca` (the directory, or None when the settings trust another CA) into `context`."""
    folder = demo_directory()
    context["demo_ca"] = folder
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    ca = _load(folder, "demo-ca") or _save(folder, "demo-ca", certificate_authority(name=DEMO_CA_NAME))
    (folder / "demo-ca.crl").write_bytes(revocation_list(ca=ca))
    finance = context["users"]["demo-finance"]
    person = _load(folder, "demo-finance") or _save(
        folder, "demo-finance", personal_certificate(ca=ca, cn=finance.full_name, o=SEAL_HOLDER)
    )
    (folder / "demo-finance.p12").write_bytes(
        person.pkcs12(password=CLIENT_PASSWORD, name="demo-finance", chain=[ca])
    )
    if not _load(folder, "server"):
        _save(folder, "server", personal_certificate(ca=ca, cn="127.0.0.1", server_dns="localhost"))
    _nginx_conf(folder)
    if settings.NOTICE_SEAL_DIR:
        seals = Path(settings.NOTICE_SEAL_DIR)
        seals.mkdir(parents=True, exist_ok=True)
        seal_path = seals / "310107.p12"
        if not seal_path.is_file():
            seal = personal_certificate(ca=ca, cn=SEAL_HOLDER, o=SEAL_HOLDER, client_auth=False)
            password = settings.NOTICE_SEAL_PASSWORD.encode()
            seal_path.write_bytes(seal.pkcs12(password=password, name=SEAL_HOLDER, chain=[ca]))
    fingerprint = facts(load_certificate(person.pem)).fingerprint
    if not Certificate.objects.filter(fingerprint=fingerprint).exists():
        try:
            certificate_bind(user=finance, data=person.pem)
        except CertificateRejected as rejected:
            context.setdefault("notes", []).append(f"demo certificate not bound: {rejected}")
