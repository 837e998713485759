"""忘记密码: by a code to the verified 绑定手机 and by an e-mailed link, with no account enumeration."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import phones, sms
from accounts.enums import StaffAction
from accounts.models import VerificationCode
from tests import factories as F

FORGOT = reverse("accounts:password_forgot")
NEW = "Autumn-leaf-2026"


@pytest.fixture(autouse=True)
def empty_outbox(django_capture_on_commit_callbacks):
    global _committing
    _committing = django_capture_on_commit_callbacks
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def _committed(request):
    # Codes and mails leave after the commit (on_commit); run those callbacks as a real commit would.
    def wrapper(*args, **kwargs):
        with _committing(execute=True):
            return request(*args, **kwargs)

    return wrapper


@pytest.fixture
def handler(world):
    world.handler.phone = "13812345678"
    world.handler.phone_verified = True
    world.handler.save()
    return world.handler


def _ask(client, username, phone="13812345678"):
    return _committed(client.post)(FORGOT, {"username": username, "phone": phone})


def _reset(client, code_url, code, password=NEW):
    return client.post(
        code_url, {"code": code, "new_password1": password, "new_password2": password}, follow=True
    )


def _page_words(response):
    # The page without the signed token and the CSRF token: what a visitor reads.
    html = re.sub(r"/accounts/password/forgot/code/[^/]+/", "", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_reset_by_phone_code_sets_the_password_and_records_it(client, handler):
    response = _ask(client, handler.username)
    code_url = response.url
    assert [m.phone for m in sms.outbox] == ["13812345678"]

    done = _reset(client, code_url, sms.outbox[-1].code)

    handler.refresh_from_db()
    assert handler.check_password(NEW)
    assert "您的密码已重置" in done.content.decode()
    change = handler.changes.get()
    assert (change.action, change.actor, change.detail) == (
        StaffAction.FORGOT_PASSWORD,
        handler,
        "通过绑定手机验证码",
    )


def test_reset_by_phone_wrong_code_counts_down_and_changes_nothing(client, handler):
    code_url = _ask(client, handler.username).url
    wrong = "000000" if sms.outbox[-1].code != "000000" else "111111"

    response = _reset(client, code_url, wrong)

    assert "验证码不正确，还可以尝试4次" in response.content.decode()
    handler.refresh_from_db()
    assert handler.check_password(F.PASSWORD)
    assert handler.changes.count() == 0


def test_reset_by_phone_five_wrong_tries_spend_the_code(client, handler):
    code_url = _ask(client, handler.username).url
    right = sms.outbox[-1].code
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(phones.MAX_TRIES):
        _reset(client, code_url, wrong)

    response = _reset(client, code_url, right)

    assert "验证码错误次数过多" in response.content.decode()
    handler.refresh_from_db()
    assert handler.check_password(F.PASSWORD)


def test_reset_by_phone_expired_code_is_refused(client, handler):
    code_url = _ask(client, handler.username).url
    VerificationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = _reset(client, code_url, sms.outbox[-1].code)

    assert "验证码已失效" in response.content.decode()
    handler.refresh_from_db()
    assert handler.check_password(F.PASSWORD)


def test_reset_by_phone_code_works_once(client, handler):
    code_url = _ask(client, handler.username).url
    code = sms.outbox[-1].code
    _reset(client, code_url, code)

    response = _reset(client, code_url, code, password="Another-pass-2027")

    assert "验证码已失效" in response.content.decode()
    handler.refresh_from_db()
    assert handler.check_password(NEW)


@pytest.mark.parametrize(
    "who",
    ["unknown account", "wrong phone", "unverified phone", "disabled account"],
)
def test_reset_by_phone_unknown_account_is_answered_like_a_known_one(client, handler, who):
    known = _ask(client, handler.username)
    known_page = _page_words(client.get(known.url))
    known_wrong = _page_words(
        _reset(client, known.url, "999999" if sms.outbox[-1].code != "999999" else "888888")
    )
    sms.outbox.clear()
    username, phone = handler.username, "13812345678"
    if who == "unknown account":
        username = "nobody-here"
    elif who == "wrong phone":
        phone = "13900000000"
    elif who == "unverified phone":
        F.user(institution=handler.institution, username="unverified", phone="13812345678")
        username = "unverified"
    else:
        F.user(
            institution=handler.institution,
            username="gone",
            phone=phone,
            phone_verified=True,
            is_active=False,
        )
        username = "gone"

    other = _ask(client, username, phone)

    assert other.status_code == known.status_code == 302
    assert _page_words(client.get(other.url)) == known_page.replace("138****5678", phones.mask_phone(phone))
    assert _page_words(_reset(client, other.url, "999999")) == known_wrong.replace(
        "138****5678", phones.mask_phone(phone)
    )
    assert list(sms.outbox) == []


def test_reset_by_phone_account_limit_sends_no_more_codes_but_answers_the_same(client, handler):
    first = _ask(client, handler.username)
    second = _ask(client, handler.username)  # within a minute of the first

    assert (first.status_code, second.status_code) == (302, 302)
    assert len(sms.outbox) == 1
    VerificationCode.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    for _ in range(phones.ACCOUNT_LIMIT):
        VerificationCode.objects.filter(pk=VerificationCode.objects.latest("pk").pk).update(
            created_at=timezone.now() - timedelta(minutes=2)
        )
        _ask(client, handler.username)
    assert len(sms.outbox) == phones.ACCOUNT_LIMIT


def test_reset_by_phone_address_limit_refuses_with_a_message(client, handler):
    for n in range(phones.ADDRESS_LIMIT):
        _ask(client, f"someone{n}")

    response = _ask(client, handler.username)

    assert response.status_code == 200
    assert "您所在网络的请求过于频繁" in response.content.decode()
    assert list(sms.outbox) == []


def test_reset_ends_every_session_of_the_account(client, handler, login, django_user_model):
    from django.test import Client

    signed_in = Client()
    signed_in.force_login(handler, backend="accounts.backends.ActiveStaffBackend")
    assert signed_in.get(reverse("accounts:console")).status_code == 200

    code_url = _ask(client, handler.username).url
    _reset(client, code_url, sms.outbox[-1].code)

    response = signed_in.get(reverse("accounts:console"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_login_page_links_to_forgot_password(client):
    html = client.get(reverse("accounts:login")).content.decode()

    assert f'href="{FORGOT}"' in html and "忘记密码" in html


def test_forged_code_link_is_404(client):
    response = client.get(reverse("accounts:password_forgot_code", args=["forged"]))

    assert response.status_code == 404 and "页面不存在" in response.content.decode()


# --- by e-mail -----------------------------------------------------------------------------------


def _ask_mail(client, email):
    return _committed(client.post)(reverse("accounts:password_forgot_email"), {"email": email})


def test_reset_by_email_link_sets_the_password_and_records_it(client, world):
    response = _ask_mail(client, world.handler.email.upper())
    assert response.url == reverse("accounts:password_forgot_email_sent")
    assert [m.to for m in mail.outbox] == [[world.handler.email]]
    link = re.search(r"^https?://[^/\s]+(/accounts/password/reset/\S+/)$", mail.outbox[0].body, re.M).group(1)

    form_url = client.get(link).url  # Django swaps the token for a session value
    done = client.post(form_url, {"new_password1": NEW, "new_password2": NEW}, follow=True)

    world.handler.refresh_from_db()
    assert world.handler.check_password(NEW)
    assert "您的密码已重置" in done.content.decode()
    assert world.handler.changes.get().detail == "通过邮件链接"
    assert client.get(link, follow=True).context["validlink"] is False


def test_reset_link_is_built_from_site_url_not_the_host_header(client, world, settings):
    settings.SITE_URL = "https://notices.example.gov.cn"
    settings.ALLOWED_HOSTS = ["*"]

    _committed(client.post)(
        reverse("accounts:password_forgot_email"),
        {"email": world.handler.email},
        HTTP_HOST="evil.example.com",
    )

    assert "https://notices.example.gov.cn/accounts/password/reset/" in mail.outbox[0].body
    assert "evil.example.com" not in mail.outbox[0].body


def test_reset_by_email_unknown_address_is_answered_like_a_known_one(client, world):
    known = _ask_mail(client, world.handler.email)
    unknown = _ask_mail(client, "nobody@example.cn")

    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert len(mail.outbox) == 1
    assert VerificationCode.objects.filter(purpose="reset_email").count() == 2


def test_reset_by_email_account_limit_sends_one_mail_a_minute(client, world):
    _ask_mail(client, world.handler.email)
    again = _ask_mail(client, world.handler.email)

    assert again.url == reverse("accounts:password_forgot_email_sent")
    assert len(mail.outbox) == 1


def test_reset_by_email_ends_sessions(client, world):
    from django.test import Client

    signed_in = Client()
    signed_in.force_login(world.handler, backend="accounts.backends.ActiveStaffBackend")
    _ask_mail(client, world.handler.email)
    link = re.search(r"^https?://[^/\s]+(/accounts/password/reset/\S+/)$", mail.outbox[0].body, re.M).group(1)
    client.post(client.get(link).url, {"new_password1": NEW, "new_password2": NEW})

    response = signed_in.get(reverse("accounts:console"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_reset_lifts_a_sign_in_lockout(client, handler, settings):
    from django.test import Client

    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(reverse("accounts:login"), {"username": handler.username, "password": "wrong-guess"})
    locked = Client().post(reverse("accounts:login"), {"username": handler.username, "password": F.PASSWORD})
    assert "_auth_user_id" not in locked.client.session

    code_url = _ask(client, handler.username).url
    with _committing(execute=True):
        _reset(client, code_url, sms.outbox[-1].code)

    fresh = Client()
    fresh.post(reverse("accounts:login"), {"username": handler.username, "password": NEW})
    assert fresh.session["_auth_user_id"] == str(handler.pk)


def test_request_log_older_than_a_week_is_pruned(client, handler):
    _ask(client, "someone")
    VerificationCode.objects.update(created_at=timezone.now() - timedelta(days=phones.KEEP_DAYS, seconds=1))

    _ask(client, handler.username)

    assert list(VerificationCode.objects.values_list("user", flat=True)) == [handler.pk]


def test_reset_by_phone_wrong_code_keeps_the_new_password_typed(client, handler):
    code_url = _ask(client, handler.username).url
    wrong = "000000" if sms.outbox[-1].code != "000000" else "111111"

    response = _reset(client, code_url, wrong)
    html = response.content.decode()

    # Only the code was wrong: both new-password fields come back as typed, so that retyping the
    # code is enough.
    for name in ("new_password1", "new_password2"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'type="password"' in field and f'value="{NEW}"' in field
    assert "验证码不正确" in html and "no-store" in response["Cache-Control"]
