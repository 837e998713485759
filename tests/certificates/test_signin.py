"""证书登录 through the proxy's header: trusted only behind the proxy, checked again, and the
account's own rules (active, lockout, 登录记录, second factor, positions that require it)."""

from urllib.parse import quote

import pytest
from django.contrib.auth import SESSION_KEY as AUTH_USER_KEY
from django.urls import reverse

from accounts.models import SignInRecord
from certificates.services import certificate_bind
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
SIGNIN = reverse("certificates:signin")
CONSOLE = reverse("accounts:console")


def header(issued) -> dict:
    # nginx's $ssl_client_escaped_cert: the PEM, URL-encoded.
    return {"HTTP_X_SSL_CLIENT_CERT": quote(issued.pem.decode())}


@pytest.fixture
def bound(world, pki, settings):
    settings.BEHIND_PROXY = True
    certificate_bind(user=world.finance, data=pki.person.pem)
    return pki.person


def test_sign_in_page_offers_certificate_sign_in(client):
    page = client.get(reverse("accounts:login")).content.decode()

    assert f'href="{SIGNIN}"' in page
    assert "证书登录" in page


def test_bound_certificate_signs_in_its_account(client, world, bound):
    response = client.post(SIGNIN, **header(bound))

    assert response.status_code == 302
    assert client.session[AUTH_USER_KEY] == str(world.finance.pk)
    record = SignInRecord.objects.get()
    assert (record.user, record.succeeded) == (world.finance, True)


def test_header_is_ignored_when_not_behind_proxy(client, world, bound, settings):
    settings.BEHIND_PROXY = False

    response = client.post(SIGNIN, **header(bound))

    assert AUTH_USER_KEY not in client.session
    assert "浏览器未出示证书" in response.content.decode()


def test_unbound_certificate_is_refused_and_recorded(client, world, pki, bound):
    stranger = pki.issue(cn="路人")

    response = client.post(SIGNIN, **header(stranger))

    assert AUTH_USER_KEY not in client.session
    assert "该证书未绑定任何账号" in response.content.decode()
    record = SignInRecord.objects.get()
    assert (record.succeeded, record.step) == (False, "certificate")


def test_certificate_revoked_after_binding_no_longer_signs_in(client, world, pki, bound):
    pki.revoke(bound)

    response = client.post(SIGNIN, **header(bound))

    assert AUTH_USER_KEY not in client.session
    assert "证书已被吊销" in response.content.decode()


def test_disabled_account_cannot_sign_in_by_certificate(client, world, bound):
    world.finance.is_active = False
    world.finance.save(update_fields=["is_active"])

    response = client.post(SIGNIN, **header(bound))

    assert AUTH_USER_KEY not in client.session
    assert "已停用或已删除" in response.content.decode()


def test_repeated_failures_lock_out_like_passwords(client, world, pki, bound, settings):
    stranger = pki.issue(cn="路人")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(SIGNIN, **header(stranger))

    response = client.post(SIGNIN, **header(bound))

    assert response.status_code == 429
    assert AUTH_USER_KEY not in client.session


def test_account_with_authenticator_still_gives_its_code(client, world, bound):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=world.finance, name="TOTP", confirmed=True)

    response = client.post(SIGNIN, **header(bound))

    assert response["Location"] == reverse("accounts:login_code")
    assert AUTH_USER_KEY not in client.session


def test_position_requiring_a_certificate_refuses_a_password_session(client, world, bound, settings):
    settings.CA_REQUIRED_POSITIONS = ["finance_reviewer"]
    client.post(reverse("accounts:login"), {"username": world.finance.username, "password": PASSWORD})

    response = client.get(CONSOLE, follow=True)

    assert response.redirect_chain[-1][0] == SIGNIN
    assert AUTH_USER_KEY not in client.session
    assert "您的岗位须使用数字证书登录" in response.content.decode()

    client.post(SIGNIN, **header(bound))
    assert client.get(CONSOLE).status_code == 200


def test_position_not_requiring_a_certificate_keeps_its_password_session(client, world, settings):
    settings.CA_REQUIRED_POSITIONS = ["finance_reviewer"]
    client.post(reverse("accounts:login"), {"username": world.handler.username, "password": PASSWORD})

    assert client.get(CONSOLE).status_code == 200
