"""CA管理: binding a certificate checks its chain, validity, key usage and revocation; a
certificate binds to one account only; the institution admin sees who holds one."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.alerts import alerts_for
from certificates.issuing import certificate_authority, personal_certificate
from certificates.models import Certificate

pytestmark = pytest.mark.django_db
LIST = reverse("certificates:list")


def upload(client, data: bytes, name="mine.cer"):
    return client.post(LIST, {"file": SimpleUploadedFile(name, data)})


def errors(response) -> list[str]:
    return list(response.context["form"].errors["file"])


def test_bind_valid_der_certificate_lists_its_facts(world, login, pki):
    client = login(world.finance)

    response = upload(client, pki.person.der)

    assert response.status_code == 302
    certificate = Certificate.objects.get()
    assert (certificate.user, certificate.subject_cn, certificate.subject_o, certificate.issuer) == (
        world.finance,
        "财政甲",
        "普陀区财政局",
        "测试CA",
    )
    page = client.get(LIST).content.decode()
    assert certificate.fingerprint in page
    assert certificate.serial in page
    assert "有效" in page


def test_bind_pem_certificate(world, login, pki):
    response = upload(login(world.finance), pki.person.pem, name="mine.pem")

    assert response.status_code == 302
    assert Certificate.objects.get().user == world.finance


def test_bind_expired_certificate_is_refused(world, login, pki):
    old = pki.issue(not_before=datetime.now(UTC) - timedelta(days=400), days=365)

    response = upload(login(world.finance), old.pem)

    assert errors(response) == ["证书不在有效期内。"]
    assert Certificate.objects.count() == 0


def test_bind_certificate_of_another_ca_is_refused(world, login, pki):
    stranger = personal_certificate(ca=certificate_authority(name="别处CA"), cn="财政甲")

    response = upload(login(world.finance), stranger.pem)

    assert errors(response) == ["证书不是由受信任的证书颁发机构签发的。"]
    assert Certificate.objects.count() == 0


def test_bind_revoked_certificate_is_refused(world, login, pki):
    pki.revoke(pki.person)

    response = upload(login(world.finance), pki.person.pem)

    assert errors(response) == ["证书已被吊销。"]
    assert Certificate.objects.count() == 0


def test_bind_certificate_without_signing_usage_is_refused(world, login, pki):
    server = pki.issue(cn="www.example.cn", server_dns="www.example.cn")

    response = upload(login(world.finance), server.pem)

    assert errors(response) == ["证书的密钥用途不适用于登录或签名。"]


def test_bind_without_revocation_list_fails_closed(world, login, pki, settings):
    settings.CA_CRL_SOURCES = []

    response = upload(login(world.finance), pki.person.pem)

    assert errors(response) == ["现在无法检查证书的吊销状态（没有吊销列表），请稍后再试。"]
    settings.CA_CRL_UNAVAILABLE = "fail_open"
    assert upload(login(world.finance), pki.person.pem).status_code == 302


def test_bind_certificate_bound_elsewhere_is_refused_without_saying_whose(world, login, pki):
    upload(login(world.handler), pki.person.pem)

    response = upload(login(world.finance), pki.person.pem)

    assert errors(response) == ["该证书已绑定到一个账号，不能再次绑定。"]
    assert world.handler.full_name not in response.content.decode()
    assert world.handler.username not in response.content.decode()
    assert list(Certificate.objects.values_list("user", flat=True)) == [world.handler.pk]


def test_bind_a_file_that_is_no_certificate(world, login, pki):
    response = upload(login(world.finance), b"hello")

    assert errors(response) == ["该文件不是X.509证书（PEM或DER）。"]


def test_unbind_removes_only_own_certificate(world, login, pki):
    upload(login(world.finance), pki.person.pem)
    certificate = Certificate.objects.get()
    unbind = reverse("certificates:unbind", args=[certificate.pk])

    assert login(world.handler).post(unbind).status_code == 404
    assert Certificate.objects.count() == 1
    login(world.finance).post(unbind)
    assert Certificate.objects.count() == 0


def test_certificate_from_the_proxy_header_binds_only_behind_proxy(world, login, pki, settings):
    from urllib.parse import quote

    header = {"HTTP_X_SSL_CLIENT_CERT": quote(pki.person.pem.decode())}
    client = login(world.finance)
    settings.BEHIND_PROXY = False

    assert "您的浏览器出示的证书" not in client.get(LIST, **header).content.decode()
    client.post(reverse("certificates:bind_presented"), **header)
    assert Certificate.objects.count() == 0

    settings.BEHIND_PROXY = True
    assert "您的浏览器出示的证书" in client.get(LIST, **header).content.decode()
    client.post(reverse("certificates:bind_presented"), **header)
    assert Certificate.objects.get().user == world.finance


def test_expiring_certificate_is_a_warning_for_its_holder(world, login, pki):
    soon = pki.issue(days=20)
    upload(login(world.finance), soon.pem)

    alerts = alerts_for(world.finance)

    assert [a.kind for a in alerts] == ["certificate"]
    assert "财政甲" in alerts[0].text
    assert alerts_for(world.handler) == []


def test_institution_admin_sees_staff_certificates(world, login, pki):
    upload(login(world.handler), pki.person.pem)
    expiry = timezone.localtime(Certificate.objects.get().not_after).date().isoformat()

    page = login(world.admin).get(reverse("certificates:staff")).content.decode()

    assert world.handler.username in page
    assert expiry in page
    assert world.outsider_handler.username not in page
    assert login(world.handler).get(reverse("certificates:staff")).status_code == 404
