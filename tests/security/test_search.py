"""The public search takes SQL and LIKE metacharacters literally: % _ \\ and quotes match themselves."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from announcements.enums import State
from announcements.models import Announcement
from public.services import announcement_search_fields_fill

TITLES = [
    "完成率100%的保洁服务公告",
    "完成率100X的保洁服务公告",
    "A_B街道绿化养护公告",
    "AXB街道绿化养护公告",
    "路径C\\D印刷服务公告",
    "路径CXD印刷服务公告",
    "O'Brien食堂服务公告",
]


@pytest.fixture
def published(world):
    units = [world.unit, world.other_unit, world.outsider]
    for index, title in enumerate(TITLES):
        notice = Announcement.objects.create(
            institution=units[index % 3],
            district=units[index % 3].district,
            year=2018 + index,
            title=title,
            state=State.PUBLISHED,
            published_at=timezone.now(),
            published_html=f"<p>{title}</p>",
        )
        announcement_search_fields_fill(announcement=notice)
    cache.clear()


def _found(client, q):
    html = client.get("/notices/", {"q": q}).content.decode()
    return sorted(t for t in TITLES if t.replace("'", "&#x27;") in html or t in html)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("%", ["完成率100%的保洁服务公告"]),
        ("100%", ["完成率100%的保洁服务公告"]),
        ("_", ["A_B街道绿化养护公告"]),
        ("A_B", ["A_B街道绿化养护公告"]),
        ("\\", ["路径C\\D印刷服务公告"]),
        ("C\\D", ["路径C\\D印刷服务公告"]),
        ("%_\\", []),
        ("'", ["O'Brien食堂服务公告"]),
        ("' OR '1'='1", []),
    ],
)
def test_public_search_takes_metacharacters_literally(client, published, query, expected):
    assert _found(client, query) == sorted(expected)


def test_public_search_plain_word_still_finds_both(client, published):
    assert _found(client, "保洁服务") == sorted(["完成率100X的保洁服务公告", "完成率100%的保洁服务公告"])
