"""A client's searches answered from the database are limited per minute (public.limits): a burst
of random words from one address is refused at once, without touching the notices, while other
readers and the plain list keep their answers; a cache outage refuses no one."""

import random

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from public import limits
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db

TOO_OFTEN = "您的搜索过于频繁，请稍候一分钟再试。"


def request_from(address):
    return RequestFactory().get("/notices/", {"q": "物业"}, REMOTE_ADDR=address)


def test_limit_allows_the_minutes_searches_then_refuses_that_client_only(settings, monkeypatch):
    settings.PUBLIC_SEARCHES_PER_MINUTE = 3
    monkeypatch.setattr(limits, "current_window", lambda: 100_000)

    first_minute = [limits.search_allowed(request_from("10.0.0.1")) for _ in range(5)]
    other_client = limits.search_allowed(request_from("10.0.0.2"))
    monkeypatch.setattr(limits, "current_window", lambda: 100_001)
    next_minute = limits.search_allowed(request_from("10.0.0.1"))

    assert first_minute == [True, True, True, False, False]
    assert (other_client, next_minute) == (True, True)


def test_limit_counts_an_ipv6_network_as_one_client(settings, monkeypatch):
    settings.PUBLIC_SEARCHES_PER_MINUTE = 2
    monkeypatch.setattr(limits, "current_window", lambda: 100_000)

    allowed = [limits.search_allowed(request_from(f"2001:db8:1:2::{n:x}")) for n in range(1, 4)]

    assert allowed == [True, True, False]


def test_limit_refuses_no_one_while_the_cache_is_down(settings, monkeypatch):
    settings.PUBLIC_SEARCHES_PER_MINUTE = 1

    def down(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(limits.cache, "add", down)
    monkeypatch.setattr(limits.cache, "incr", down)

    assert [limits.search_allowed(request_from("10.0.0.1")) for _ in range(3)] == [True, True, True]


def test_burst_of_random_searches_is_refused_at_once_and_the_list_keeps_answering(
    world, settings, monkeypatch
):
    settings.PUBLIC_CACHE_SECONDS = 0
    settings.PUBLIC_SEARCHES_PER_MINUTE = 5
    monkeypatch.setattr(limits, "current_window", lambda: 100_000)  # the burst within one minute
    make_notice(institution=world.unit, title="物业服务公告")
    burst, reader = Client(REMOTE_ADDR="10.9.9.9"), Client(REMOTE_ADDR="10.1.1.1")
    rng = random.Random(5)
    words = ["".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(2)) for _ in range(200)]

    answered = [burst.get(reverse("public:list"), {"q": w}).status_code for w in words[:5]]
    with CaptureQueriesContext(connection) as queries:
        refused = [burst.get(reverse("public:list"), {"q": w}) for w in words[5:]]
    listed = reader.get(reverse("public:list"))
    searched = reader.get(reverse("public:list"), {"q": "物业"})

    assert answered == [200] * 5
    assert {r.status_code for r in refused} == {429}
    assert TOO_OFTEN in refused[0].content.decode() and 'name="q"' in refused[0].content.decode()
    assert not [q for q in queries.captured_queries if "search" in q["sql"]]  # no search ran
    assert "物业服务公告" in listed.content.decode() and "物业服务公告" in searched.content.decode()
