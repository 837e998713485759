"""登录记录 and the last sign-in: address (proxy-aware), place (offline ip2region file), browser."""

import pytest
from django.urls import reverse
from freezegun import freeze_time

from accounts.ipregion import place_for
from accounts.models import SignInRecord
from tests.factories import PASSWORD

from .xdb import write_xdb

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")
AGENT = "Mozilla/5.0 (Windows NT 10.0) Chrome/120"


@pytest.fixture
def region_db(tmp_path, settings):
    path = tmp_path / "ip2region.xdb"
    write_xdb(
        path,
        [
            ("101.84.0.0", "101.84.255.255", "中国|0|上海|上海市|电信"),
            ("61.152.0.0", "61.152.255.255", "中国|0|上海|上海市|电信"),
            ("8.8.8.0", "8.8.8.255", "美国|0|0|0|Level3"),
        ],
    )
    settings.IP_REGION_DB = str(path)
    return path


def sign_in(client, user, password=PASSWORD, **meta):
    return client.post(
        LOGIN, {"username": user.username, "password": password}, HTTP_USER_AGENT=AGENT, **meta
    )


def test_place_reads_intranet_for_private_ranges_and_unknown_without_data(settings):
    settings.IP_REGION_DB = ""
    assert place_for("10.1.2.3") == "内网"
    assert place_for("192.168.0.8") == "内网"
    assert place_for("127.0.0.1") == "内网"
    assert place_for("101.84.16.250") == "未知"
    assert place_for(None) == "未知"


def test_place_comes_from_the_data_file(region_db):
    assert place_for("101.84.16.250") == "上海市"
    assert place_for("8.8.8.8") == "美国"
    assert place_for("1.1.1.1") == "未知"  # not in the file
    assert place_for("2400:3200::1") == "未知"  # the IPv4 file cannot place IPv6


def test_a_broken_data_file_reads_unknown(tmp_path, settings):
    broken = tmp_path / "broken.xdb"
    broken.write_bytes(b"not an xdb")
    settings.IP_REGION_DB = str(broken)
    assert place_for("101.84.16.250") == "未知"


def test_sign_in_records_address_place_and_browser(client, world, region_db):
    response = sign_in(client, world.handler, REMOTE_ADDR="101.84.16.250")
    assert response.status_code == 302
    record = SignInRecord.objects.get(user=world.handler)
    assert (record.succeeded, record.address, record.place) == (True, "101.84.16.250", "上海市")
    assert record.user_agent == AGENT


def test_behind_a_proxy_the_forwarded_client_address_is_recorded(client, world, region_db, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    # The client typed a fake first entry; the proxy appended the address it saw.
    sign_in(client, world.handler, REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="8.8.8.8, 61.152.3.4")
    record = SignInRecord.objects.get(user=world.handler)
    assert (record.address, record.place) == ("61.152.3.4", "上海市")


def test_without_a_proxy_the_forwarded_header_is_ignored(client, world, region_db, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 0
    sign_in(client, world.handler, REMOTE_ADDR="101.84.1.1", HTTP_X_FORWARDED_FOR="8.8.8.8")
    record = SignInRecord.objects.get(user=world.handler)
    assert (record.address, record.place) == ("101.84.1.1", "上海市")


def test_failed_attempt_is_recorded_for_the_account(client, world, region_db):
    sign_in(client, world.handler, password="wrong-password", REMOTE_ADDR="8.8.8.8")
    record = SignInRecord.objects.get()
    assert (record.user, record.succeeded, record.step, record.place) == (
        world.handler,
        False,
        "password",
        "美国",
    )


def test_home_shows_the_previous_sign_in_not_the_current_one(client, world, region_db):
    with freeze_time("2026-06-29 01:36:15"):  # 09:36:15 in Shanghai
        sign_in(client, world.handler, REMOTE_ADDR="101.84.16.250")
    client.logout()
    with freeze_time("2026-06-30 02:00:00"):
        sign_in(client, world.handler, REMOTE_ADDR="192.168.3.4")
        html = client.get(reverse("accounts:console")).content.decode()
    assert "上次登录地址：上海市" in html
    assert "上次网络地址：101.84.16.250" in html
    assert "上次登录时间：2026/06/29 09:36:15" in html


def test_first_sign_in_says_so(client, world):
    sign_in(client, world.handler, REMOTE_ADDR="192.168.3.4")
    html = client.get(reverse("accounts:console")).content.decode()
    assert "这是您第一次登录。" in html


def test_sign_in_records_page_lists_the_users_last_20(client, world, region_db):
    sign_in(client, world.handler, password="wrong-password", REMOTE_ADDR="8.8.8.8")
    for _ in range(21):
        sign_in(client, world.handler, REMOTE_ADDR="192.168.3.4")
        client.logout()
    sign_in(client, world.reviewer, REMOTE_ADDR="101.84.16.250")  # someone else's
    client.logout()
    sign_in(client, world.handler, REMOTE_ADDR="101.84.16.250")
    response = client.get(reverse("accounts:sign_ins"))
    records = list(response.context["records"])
    assert len(records) == 20
    assert all(r.user_id == world.handler.pk for r in records)
    html = response.content.decode()
    assert "101.84.16.250" in html and "上海市" in html and "内网" in html
    assert "密码错误" not in html  # the failure is older than the last 20
