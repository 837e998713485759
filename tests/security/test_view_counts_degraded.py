"""浏览次数 while Redis is down: the degrading cache answers "not added" for every window, so the
database counts the views with this process keeping the readers' windows; an IPv6 reader counts
once per /64."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from announcements.models import Announcement
from public import services
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"


@pytest.fixture
def redis_down(settings):
    """The production cache backend pointed at a closed port: every call degrades to a miss."""
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.DegradingRedisCache",
            "LOCATION": "redis://127.0.0.1:6399/0",
            "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1, "DEGRADE_SECONDS": 5.0},
        }
    }
    services._local_windows.clear()
    yield caches["default"]
    services._local_windows.clear()


def _read(client, notice, ip):
    return client.get(
        reverse("public:detail", args=[notice.public_id]), HTTP_USER_AGENT=CHROME, REMOTE_ADDR=ip
    )


def _views(notice) -> int:
    return Announcement.objects.get(pk=notice.pk).view_count


def test_views_are_counted_in_the_database_while_redis_is_down(client, world, redis_down):
    notice = make_notice(institution=world.unit)

    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.1"):
        response = _read(client, notice, ip)

    assert response.status_code == 200
    assert _views(notice) == 2


def test_ipv6_readers_of_one_64_count_once(client, world):
    notice = make_notice(institution=world.unit)

    for ip in ("2001:db8:5:6::1", "2001:db8:5:6::2", "2001:db8:5:6:ffff::9", "2001:db8:5:7::1"):
        _read(client, notice, ip)

    assert _views(notice) == 2
