"""忘记密码 tells nobody whether an account owns a phone number or an e-mail address: the code page
compares the new password with the account only once the code is right, and the e-mail request
does the same work for every address."""

import re
import time

import pytest
from django.urls import reverse

from accounts import sms
from accounts.models import OutboxMessage, VerificationCode

pytestmark = pytest.mark.django_db
FORGOT = reverse("accounts:password_forgot")
FORGOT_EMAIL = reverse("accounts:password_forgot_email")


@pytest.fixture
def handler(world, django_capture_on_commit_callbacks):
    world.handler.username = "demo-handler"
    world.handler.phone = "13812345678"
    world.handler.phone_verified = True
    world.handler.email = "demo-handler@example.cn"
    world.handler.save()
    sms.outbox.clear()
    return world.handler


def _code_page(client, username, capture):
    with capture(execute=True):
        return client.post(FORGOT, {"username": username, "phone": "13812345678"}).url


def _try(client, url, code, password):
    return client.post(url, {"code": code, "new_password1": password, "new_password2": password})


def _errors(response) -> list[str]:
    return re.findall(r'class="error"[^>]*>([^<]*)<', response.content.decode())


def _words(response) -> str:
    html = re.sub(r"/accounts/password/forgot/code/[^/]+/", "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


@pytest.mark.parametrize("password", ["demo-handler", "demo-handler@example.cn"])
def test_a_password_like_the_account_reads_the_same_for_an_owned_and_an_unowned_phone(
    client, handler, django_capture_on_commit_callbacks, password
):
    owned = _code_page(client, handler.username, django_capture_on_commit_callbacks)
    unowned = _code_page(client, "nobody-here", django_capture_on_commit_callbacks)

    first = _try(client, owned, "000000", password)
    second = _try(client, unowned, "000000", password)

    assert not any("相似" in error for error in _errors(first))
    assert _words(first) == _words(second)
    assert sorted(VerificationCode.objects.values_list("attempts", flat=True)) == [1, 1]


def test_with_the_right_code_a_password_like_the_username_is_refused_and_the_code_kept(
    client, handler, django_capture_on_commit_callbacks
):
    url = _code_page(client, handler.username, django_capture_on_commit_callbacks)
    code = sms.outbox[-1].code

    similar = _try(client, url, code, "demo-handler")
    done = _try(client, url, code, "Autumn-leaf-2026")

    assert "密码与用户名过于相似。" in _errors(similar)
    assert done.status_code == 302
    handler.refresh_from_db()
    assert handler.check_password("Autumn-leaf-2026")


def test_an_email_reset_request_takes_as_long_for_a_known_and_an_unknown_address(client, handler, settings):
    settings.PASSWORD_RESET_EMAIL_MIN_SECONDS = 0.3
    timings = {}

    for email in (handler.email, "nobody@example.cn"):
        started = time.monotonic()
        response = client.post(FORGOT_EMAIL, {"email": email})
        timings[email] = time.monotonic() - started
        assert response.status_code == 302

    assert min(timings.values()) >= 0.3
    assert OutboxMessage.objects.filter(recipient=handler.email, topic="password-reset").count() == 1
