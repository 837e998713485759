"""Public reads run under a short statement timeout (PUBLIC_STATEMENT_TIMEOUT_MS): a search that
would take longer answers at once with the filter form and a request to narrow it, and the access
log counts the cancelled read. PostgreSQL only (SQLite has no statement timeout)."""

import logging
import re
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.public.conftest import make_notice

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL statement timeout"),
]

TOO_BROAD = "搜索范围过大，请缩小范围（选择地区、年份）后重试"


@pytest.fixture
def access_log():
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("config.request")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield records
    logger.removeHandler(handler)
    logger.setLevel(level)


def slow_search(execute, sql, params, many, context):
    """The search takes 3 s (as a too-broad one would), every other query runs as it is."""
    if "search_grams" in sql:
        sql = "SELECT pg_sleep(3); " + sql
    return execute(sql, params, many, context)


# Transactional: a cancelled statement would abort a test's surrounding transaction, and the
# public pages run outside one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "params,reads_over",
    [
        # Within a 地区 the search is the planner's one ordered query (public.rendering).
        ({"q": "物业", "district": "310107"}, 1),
        # Words alone: the matches' collection ran over, then the ordered walk did too.
        ({"q": "物业"}, 2),
    ],
)
def test_search_over_the_budget_answers_at_once_asking_to_narrow_it(
    world, settings, access_log, params, reads_over
):
    settings.PUBLIC_CACHE_SECONDS = 0
    settings.PUBLIC_STATEMENT_TIMEOUT_MS = 50
    make_notice(institution=world.unit, title="物业服务公告")
    Client().get(reverse("public:list"))  # templates compiled, memos filled
    access_log.clear()

    started = time.monotonic()
    with connection.execute_wrapper(slow_search):
        response = Client().get(reverse("public:list"), params)
    waited = time.monotonic() - started
    after = Client().get(reverse("public:list"), {"q": "物业"})

    page = response.content.decode()
    assert response.status_code == 503 and response["Cache-Control"] == "no-store"
    assert TOO_BROAD in page
    assert re.search(r'name="q"[^>]* value="物业"', page)
    assert ('<option value="310107" selected>' in page) == ("district" in params)
    assert "物业服务公告" not in page
    assert waited < 2.0  # the budget, not the 3 s the search would have taken
    assert [(r.path, r.status, r.budget_hits) for r in access_log] == [
        ("/notices/", 503, reads_over),
        ("/notices/", 200, 0),
    ]
    assert "物业服务公告" in after.content.decode()  # the connection is fine for the next reader


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_other_public_pages_over_the_budget_answer_503_at_once(world, settings, access_log):
    settings.PUBLIC_CACHE_SECONDS = 0
    settings.PUBLIC_STATEMENT_TIMEOUT_MS = 50
    notice = make_notice(institution=world.unit, title="物业服务公告")

    def slow_detail(execute, sql, params, many, context):
        # The notice's query, as SQL or as its prepared statement (public.prepared).
        if "published_html" in sql or "EXECUTE public_prepared" in sql:
            sql = "SELECT pg_sleep(3); " + sql
        return execute(sql, params, many, context)

    with connection.execute_wrapper(slow_detail):
        response = Client().get(reverse("public:detail", args=[notice.public_id]))

    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "物业服务公告" not in response.content.decode()
    assert [(r.status, r.budget_hits) for r in access_log] == [(503, 1)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_collecting_matches_over_the_budget_falls_back_to_the_ordered_walk(world, settings, access_log):
    """Collecting every match of a very frequent word can take longer than the budget while
    walking the list finds a page of them at once: the reader gets the page, not the message."""
    settings.PUBLIC_CACHE_SECONDS = 0
    settings.PUBLIC_STATEMENT_TIMEOUT_MS = 50
    make_notice(institution=world.unit, title="物业服务公告")

    def slow_collection(execute, sql, params, many, context):
        if "MATERIALIZED" in sql:
            sql = "SELECT pg_sleep(3); " + sql
        return execute(sql, params, many, context)

    with connection.execute_wrapper(slow_collection):
        first = Client().get(reverse("public:list"), {"q": "物业"})
        again = Client().get(reverse("public:list"), {"q": "物业"})

    assert [first.status_code, again.status_code] == [200, 200]
    assert "物业服务公告" in first.content.decode() and "物业服务公告" in again.content.decode()
    # Cancelled once; the process then knows the word goes straight to the walk.
    assert [r.budget_hits for r in access_log] == [1, 0]
