"""seed_demo's demo CA: demo-finance's certificate, bound and able to sign in; the seal of
上海市普陀区财政局; an nginx configuration for 证书登录 that nginx accepts; idempotent."""

import asyncio
import shutil
import subprocess
from urllib.parse import quote

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from weasyprint import HTML

from certificates.models import Certificate
from certificates.sealing import pdf_seal, pdf_seal_verify
from devdata import accounts as demo_accounts
from devdata import certificates as demo_certificates

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_ca(settings, tmp_path):
    folder = tmp_path / "demo-ca"
    settings.CA_TRUST_BUNDLE = str(folder / "demo-ca.pem")
    settings.CA_CRL_SOURCES = [str(folder / "demo-ca.crl")]
    settings.NOTICE_SEAL_DIR = str(folder / "seals")
    settings.NOTICE_SEAL_PASSWORD = "demo-seal"
    context = {}
    demo_accounts.seed(context)
    demo_certificates.seed(context)
    return folder, context


def test_demo_finance_certificate_is_bound_and_signs_in(client, demo_ca, settings):
    folder, context = demo_ca
    settings.BEHIND_PROXY = True
    pem = (folder / "demo-finance.pem").read_text()

    client.post(reverse("certificates:signin"), HTTP_X_SSL_CLIENT_CERT=quote(pem))

    finance = context["users"]["demo-finance"]
    assert list(Certificate.objects.values_list("user", "issuer")) == [
        (finance.pk, demo_certificates.DEMO_CA_NAME)
    ]
    assert client.session[SESSION_KEY] == str(finance.pk)
    assert (folder / "demo-finance.key").stat().st_mode & 0o077 == 0


def test_demo_seal_signs_for_the_putuo_finance_bureau(demo_ca):
    pdf = HTML(string="<p>演示</p>").write_pdf()

    check = pdf_seal_verify(data=pdf_seal(pdf=pdf, district_code="310107", reason="演示", location="上海"))

    assert (check.valid, check.signer) == (True, "上海市普陀区财政局")


def test_the_seal_signs_and_verifies_in_a_thread_that_runs_an_event_loop(demo_ca):
    # As in CI after a Playwright test on the same worker (its loop runs in the main thread), or
    # under an ASGI server: pyHanko's own sync calls would refuse with asyncio.run's RuntimeError.
    pdf = HTML(string="<p>演示</p>").write_pdf()

    async def inside_a_running_loop():
        signed = pdf_seal(pdf=pdf, district_code="310107", reason="演示", location="上海")
        return pdf_seal_verify(data=signed)

    check = asyncio.run(inside_a_running_loop())

    assert (check.valid, check.signer) == (True, "上海市普陀区财政局")


def test_demo_ca_run_twice_keeps_the_ca_and_the_binding(demo_ca):
    folder, context = demo_ca
    ca = (folder / "demo-ca.pem").read_bytes()

    demo_certificates.seed(context)

    assert (folder / "demo-ca.pem").read_bytes() == ca
    assert Certificate.objects.count() == 1


def test_demo_nginx_configuration_is_accepted_by_nginx(demo_ca):
    folder, _context = demo_ca
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"

    result = subprocess.run(
        [nginx, "-t", "-c", str(folder / "nginx.conf"), "-p", str(folder)], capture_output=True, text=True
    )

    assert result.returncode == 0, result.stderr


def test_settings_that_trust_another_ca_get_no_demo_files(settings, tmp_path):
    settings.CA_TRUST_BUNDLE = str(tmp_path / "real-cas.pem")
    context = {}
    demo_accounts.seed(context)

    demo_certificates.seed(context)

    assert context["demo_ca"] is None
    assert Certificate.objects.count() == 0
    assert list(tmp_path.iterdir()) == []
