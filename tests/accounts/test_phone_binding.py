"""A verified 绑定手机: a new number takes effect only after the code sent to it is entered."""

import pytest
from django.urls import reverse

from accounts import sms
from accounts.enums import StaffAction
from tests import factories as F

BIND = reverse("accounts:phone_bind")


@pytest.fixture(autouse=True)
def empty_outbox():
    sms.outbox.clear()


def _start(client, phone, capture):
    with capture(execute=True):
        return client.post(BIND, {"phone": phone})


def test_new_number_is_bound_only_after_its_code(world, login, django_capture_on_commit_callbacks):
    world.handler.phone = "13700000000"
    world.handler.save()
    client = login(world.handler)

    code_url = _start(client, "13812345678", django_capture_on_commit_callbacks).url
    world.handler.refresh_from_db()
    assert (world.handler.phone, world.handler.phone_verified) == ("13700000000", False)
    assert [m.phone for m in sms.outbox] == ["13812345678"]

    response = client.post(code_url, {"code": sms.outbox[-1].code}, follow=True)

    world.handler.refresh_from_db()
    assert (world.handler.phone, world.handler.phone_verified) == ("13812345678", True)
    assert "已验证" in response.content.decode()
    change = world.handler.changes.get()
    assert (change.action, change.detail) == (StaffAction.BIND_PHONE, "137****0000 → 138****5678")


def test_wrong_code_binds_nothing(world, login, django_capture_on_commit_callbacks):
    client = login(world.handler)
    code_url = _start(client, "13812345678", django_capture_on_commit_callbacks).url
    wrong = "000000" if sms.outbox[-1].code != "000000" else "111111"

    response = client.post(code_url, {"code": wrong})

    assert "验证码不正确" in response.content.decode()
    world.handler.refresh_from_db()
    assert (world.handler.phone, world.handler.phone_verified) == ("", False)


def test_another_users_code_link_binds_nothing(world, login, django_capture_on_commit_callbacks):
    code_url = _start(login(world.handler), "13812345678", django_capture_on_commit_callbacks).url
    code = sms.outbox[-1].code

    login(world.handler2).post(code_url, {"code": code})

    world.handler.refresh_from_db()
    world.handler2.refresh_from_db()
    assert (world.handler.phone, world.handler2.phone) == ("", "")


def test_second_request_within_a_minute_is_refused(world, login, django_capture_on_commit_callbacks):
    client = login(world.handler)
    _start(client, "13812345678", django_capture_on_commit_callbacks)

    response = _start(client, "13812345679", django_capture_on_commit_callbacks)

    assert "验证码刚刚已发送" in response.content.decode()
    assert len(sms.outbox) == 1


def test_admin_edit_of_phone_makes_it_unverified(world, login):
    world.handler2.phone, world.handler2.phone_verified = "13812345678", True
    world.handler2.save()

    login(world.admin).post(
        reverse("accounts:staff_update", args=[world.handler2.pk]),
        {"full_name": world.handler2.full_name, "phone": "13912345678", "email": ""},
    )

    world.handler2.refresh_from_db()
    assert (world.handler2.phone, world.handler2.phone_verified) == ("13912345678", False)


def test_staff_list_shows_whether_a_phone_is_verified(world, login):
    F.user(institution=world.unit, full_name="已验证者", phone="13812345678", phone_verified=True)
    F.user(institution=world.unit, full_name="未验证者", phone="13912345678")

    html = login(world.admin).get(reverse("accounts:staff_list")).content.decode()

    assert '13812345678 <span class="tag tag-verified">已验证</span>' in html
    assert '13912345678 <span class="tag tag-unverified">未验证</span>' in html


def test_account_page_offers_binding(world, login):
    html = login(world.handler).get(reverse("accounts:account")).content.decode()

    assert "账户管理" in html and f'href="{BIND}"' in html and world.handler.username in html
