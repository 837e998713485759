import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from announcements.enums import State
from public.listeners import publication_changed
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client, params=None):
    response = client.get(reverse("public:feed"), params or {})
    root = ET.fromstring(response.content)
    return (
        response,
        root,
        [(e.find(f"{ATOM}title").text, e.find(f"{ATOM}link").get("href")) for e in root.iter(f"{ATOM}entry")],
    )


def test_feed_lists_published_notices_with_canonical_links(client, world, settings):
    settings.SITE_URL = "https://notices.example.cn"
    notice = make_notice(institution=world.unit, title="普陀公告")
    make_notice(institution=world.unit, title="撤回公告", state=State.REVOKED)
    make_notice(institution=world.unit, title="测试公告", is_test=True)

    response, root, items = entries(client)

    assert response["Content-Type"].startswith("application/atom+xml")
    assert items == [("【普陀区】普陀公告", f"https://notices.example.cn/notices/{notice.public_id}/")]


def test_feed_filters_by_district(client, world):
    make_notice(institution=world.unit, title="普陀公告")
    make_notice(institution=world.outsider, title="青浦公告")

    _, root, items = entries(client, {"district": "310118"})

    assert [t for t, _ in items] == ["【青浦区】青浦公告"]
    assert "青浦区" in root.find(f"{ATOM}title").text


def test_feed_shows_new_publication_at_once(client, world):
    make_notice(institution=world.unit, title="第一条")
    assert len(entries(client)[2]) == 1

    later = make_notice(institution=world.unit, title="第二条")
    publication_changed(later)

    assert len(entries(client)[2]) == 2


@pytest.mark.parametrize("count", [1, 30])
def test_feed_queries_do_not_grow(client, world, django_assert_max_num_queries, count):
    for i in range(count):
        make_notice(institution=world.unit, title=f"公告{i}")

    with django_assert_max_num_queries(2):
        _, _, items = entries(client, {"district": "310107"})

    assert len(items) == count


def test_feed_escapes_markup_and_drops_control_characters(client, world):
    """The feed is written by hand: markup in a title or unit name stays text, and a control
    character (which XML 1.0 cannot carry) is dropped rather than breaking the whole feed."""
    world.unit.name = '普陀"区"<教育局> & 下属\x0b单位'
    world.unit.save(update_fields=["name"])
    make_notice(institution=world.unit, title="<b>公告</b> & 说明\x01")

    response, root, items = entries(client)  # ET.fromstring fails on malformed XML

    entry = root.find(f"{ATOM}entry")
    assert items[0][0] == "【普陀区】<b>公告</b> & 说明"
    assert entry.find(f"{ATOM}author/{ATOM}name").text == '普陀"区"<教育局> & 下属单位'
    assert b"<b>" not in response.content
