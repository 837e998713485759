"""Forms speak the project's words with 您: none of Django's own zh_Hans wording (“你的密码…”,
“这个密码太常见了。”, “为了校验…”, “电子邮件地址”) reaches a rendered form or its errors."""

import re
from pathlib import Path

import django
import polib
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

DJANGO_CATALOGUES = [
    Path(django.__file__).parent / "conf" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po",
    Path(django.__file__).parent / "contrib" / "auth" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po",
]


def _informal_django_strings() -> set[str]:
    """Django's translations that address the reader as 你, read like a machine (这个…, 为了校验…)
    or use another term (电子邮件地址 for our 电子邮箱)."""
    found = set()
    for catalogue in DJANGO_CATALOGUES:
        for entry in polib.pofile(str(catalogue)):
            for text in [entry.msgstr, *entry.msgstr_plural.values()]:
                if "你" in text or text.startswith(("这个", "为了校验")) or text == "电子邮件地址":
                    # Placeholders differ per use: compare the words before the first one.
                    found.add(re.split(r"%\(?\w*\)?[sd]", text)[0].strip())
    return {text for text in found if len(text) >= 4}


INFORMAL = _informal_django_strings()


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _assert_formal(text: str):
    assert "你" not in text
    assert [s for s in INFORMAL if s in text] == []


def test_the_scan_knows_djangos_informal_wording():
    assert {"你的密码不能全都是数字。", "这个密码太常见了。", "电子邮件地址"} <= INFORMAL


def test_password_change_form_and_its_errors_say_nin(world, login):
    client = login(world.handler)
    _assert_formal(_text(client.get(reverse("accounts:password_change"))))

    for new1, new2 in [
        ("password", "password"),
        ("12345678901", "12345678901"),
        ("abc", "abc"),
        ("Qx7!pLm2#v", "x"),
    ]:
        page = _text(
            client.post(
                reverse("accounts:password_change"),
                {"old_password": "wrong", "new_password1": new1, "new_password2": new2},
            )
        )
        _assert_formal(page)
    assert "该密码过于常见，请换一个。" in _text(
        client.post(
            reverse("accounts:password_change"),
            {"old_password": "x", "new_password1": "password", "new_password2": "password"},
        )
    )


def test_staff_forms_say_dianzi_youxiang_and_nin(world, login):
    client = login(world.admin)
    create = _text(client.get(reverse("accounts:staff_create")))
    _assert_formal(create)
    assert "电子邮箱" in create
    refused = _text(
        client.post(
            reverse("accounts:staff_create"),
            {"username": "new01", "full_name": "新同事", "password1": "12345678", "password2": "12345679"},
        )
    )
    _assert_formal(refused)
    assert "两次输入的密码不一致" in refused or "该密码全部是数字。" in refused
    _assert_formal(_text(client.get(reverse("accounts:staff_update", args=[world.handler.pk]))))
    _assert_formal(_text(client.get(reverse("accounts:account"))))


def test_sign_in_and_forgotten_password_pages_say_nin(client):
    _assert_formal(_text(client.get(reverse("accounts:login"))))
    _assert_formal(_text(client.get(reverse("accounts:password_forgot"))))
    _assert_formal(_text(client.post(reverse("accounts:login"), {"username": "x", "password": "y"})))
