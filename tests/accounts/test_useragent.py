"""登录记录 names the browser as a person knows it (“Chrome 131 · Windows”), not the raw header."""

import pytest
from django.urls import reverse

from accounts.models import SignInRecord
from accounts.useragent import describe

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.mark.parametrize(
    ("agent", "words"),
    [
        (CHROME_WINDOWS, "Chrome 131 · Windows"),
        (CHROME_WINDOWS + " Edg/131.0.2903.70", "Edge 131 · Windows"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari 17 · iOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/116.0.0.0 "
            "Mobile Safari/537.36 MicroMessenger/8.0.47.2560",
            "微信 8 · Android",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:128.0) Gecko/20100101 Firefox/128.0",
            "Firefox 128 · macOS",
        ),
        ("curl/8.5.0", "未知浏览器"),
        ("", ""),
    ],
)
def test_a_user_agent_reads_as_browser_version_and_system(agent, words):
    assert describe(agent) == words


@pytest.mark.django_db
def test_the_sign_in_records_page_shows_the_browser_in_words(world, login):
    SignInRecord.objects.create(user=world.handler, username="x", succeeded=True, user_agent=CHROME_WINDOWS)

    page = login(world.handler).get(reverse("accounts:sign_ins")).content.decode()

    assert f'<td title="{CHROME_WINDOWS}">Chrome 131 · Windows</td>' in page
