"""Finding #5: nobody can poison the shared page cache. A key is the exact query the view reads;
an invalid filter answers 400 and is never stored; the OCDS package's `uri` is built from the
known parameters only."""

import json

import pytest
from django.urls import reverse

from .conftest import make_notice

LIST = "/notices/"


@pytest.fixture
def notice(world):
    return make_notice(institution=world.unit, title="普陀区缓存公告", year=2025)


@pytest.mark.parametrize(
    ("poison", "clean"),
    [
        ("?district=310107%20", "?district=310107"),
        ("?year=2025%20", "?year=2025"),
        ("?q=" + "普" * 101, "?q=" + "普" * 100),
    ],
)
def test_invalid_filter_answers_400_and_never_reaches_the_clean_key(client, notice, poison, clean):
    poisoned = client.get(LIST + poison)
    later = client.get(LIST + clean)

    assert poisoned.status_code == 400
    assert "errorlist" in poisoned.content.decode() or "_error" in poisoned.content.decode()
    assert later.status_code == 200
    html = later.content.decode()
    assert "_error" not in html
    if "q=" not in clean:
        assert "普陀区缓存公告" in html


def test_invalid_filter_is_never_served_from_the_cache(client, notice):
    client.get(LIST + "?district=999999")

    again = client.get(LIST + "?district=999999")

    assert again.status_code == 400
    assert again.context is not None  # rendered again, not read back from the cache


def test_unknown_parameter_does_not_change_the_cached_page(client, notice):
    first = client.get(LIST, {"district": "310107", "note": "<b>x</b>"})
    second = client.get(LIST, {"district": "310107"})

    assert first.status_code == second.status_code == 200
    assert second.context is None  # one entry for both: the junk parameter is not part of the key
    assert "note=" not in second.content.decode()


def test_ocds_uri_is_canonical_for_every_reader(client, notice):
    url = reverse("public:ocds_releases")
    first = client.get(url, {"limit": "1", "note": "攻击者的文字"})
    later = client.get(url, {"limit": "1"})

    uris = [json.loads(r.content)["uri"] for r in (first, later)]
    assert uris[0] == uris[1]
    assert uris[1].endswith("/api/ocds/releases/?limit=1")
    assert "note" not in uris[0] and "攻击者" not in uris[0]
