"""The search really uses its indexes on PostgreSQL (skipped on SQLite, which keeps a plain scan)."""

import json

import pytest
from django.core.management import call_command
from django.db import connection

from announcements.models import Announcement
from announcements.selectors import announcements_published
from public.rendering import list_queryset
from public.search import PublicNoticeFilter, keyword_filter
from tests.public.conftest import make_notice

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes"),
]


@pytest.fixture
def corpus(world):
    call_command("seed_bulk", notices=400, rows=4, batch=400, stdout=open("/dev/null", "w"))
    make_notice(institution=world.unit, title="鳕鱼罐头专项公告", rows=[("鳕鱼罐头采购", "1", "1")])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE announcements_announcement")


def plan(queryset) -> str:
    return queryset.explain()


def searched(word):
    """The public list's search for `word`, through its filter as the list page runs it."""
    filterset = PublicNoticeFilter({"q": word}, queryset=list_queryset())
    assert filterset.is_valid()
    return filterset.qs


def test_search_of_four_characters_uses_the_trigram_index(corpus):
    queryset = searched("鳕鱼罐头")[:20]

    assert "announcement_search_trgm" in plan(queryset)
    assert [n.title for n in queryset] == ["鳕鱼罐头专项公告"]


def test_search_of_two_characters_uses_the_gram_index(corpus):
    queryset = searched("鳕鱼")[:20]

    assert "announcement_search_grams" in plan(queryset)
    assert [n.title for n in queryset] == ["鳕鱼罐头专项公告"]


def test_search_of_one_character_uses_the_gram_index(corpus):
    queryset = keyword_filter(Announcement.objects.all(), "鳕")

    assert "announcement_search_grams" in plan(queryset)
    assert queryset.count() == 1


def test_frequent_word_still_finds_every_match(corpus):
    """A frequent word may walk the date index instead; the answer is the same."""
    total = searched("公告").count()

    assert total == Announcement.objects.filter(state="published", search_text__contains="公告").count()
    assert total > 300


def list_first_page(word):
    """The first page's queryset exactly as the public list builds it."""
    from public.search import PublicNoticeFilter

    queryset = (
        announcements_published()
        .select_related(None)
        .select_related("district")
        .only("public_id", "title", "published_at", "district__name")
        .order_by("-published_at", "-id")
    )
    return PublicNoticeFilter({"q": word}, queryset=queryset).qs[:21]


def visited(plan) -> int:
    rows = 0
    if "Scan" in plan["Node Type"] and plan.get("Relation Name") == "announcements_announcement":
        rows += plan["Actual Rows"] * plan.get("Actual Loops", 1) + plan.get("Rows Removed by Filter", 0)
    return rows + sum(visited(p) for p in plan.get("Plans", []))


def explained(queryset) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of `queryset` with the planner told what it would conclude at
    100,000 notices (no full scan, no sort of every match)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        result = cursor.fetchone()[0]
    return (json.loads(result) if isinstance(result, str) else result)[0]["Plan"]


PUBLICATION_ORDER_INDEXES = (
    "announcement_state_pub",
    "announcement_public_list",
    "announcements_announcement_published_at_",
)


@pytest.mark.parametrize("word", ["公告", "面向中小企业"], ids=["2 chars", "6 chars"])
def test_frequent_word_first_page_stops_early_in_publication_order(corpus, word):
    """At 400 notices a sequential scan is the cheapest plan, so the planner is told what it
    would conclude at 100,000 (no full scan, no sort of every match): the query then walks the
    publication-time index and stops after a page of matches. The same query at 100,000 notices
    with the default planner is measured by bench/bench_explain.py (`make bench`)."""
    queryset = list_first_page(word)
    plan = explained(queryset)

    # Any of the indexes in publication order (which one depends on the table's history, e.g. a
    # VACUUM after another file's rows were rolled back); the rows visited are what matters.
    assert any(name in json.dumps(plan) for name in PUBLICATION_ORDER_INDEXES)
    assert visited(plan) <= 30  # a page of 21 plus the few that do not match, not all 400
    assert len(list(queryset)) == 21


def test_deep_page_starts_at_its_cursor_in_the_index(corpus):
    """A page after a cursor (下一页 of page 15 here) begins where the cursor points in the
    publication-time index instead of reading and dropping every notice before it."""
    from public.paging import after_position

    newest_first = announcements_published().select_related(None).order_by("-published_at", "-id")
    everything = list(newest_first.values_list("pk", flat=True))
    start = newest_first[299]
    page = after_position(newest_first, start.published_at, start.pk)[:21]

    assert list(page.values_list("pk", flat=True)) == everything[300:321]
    assert visited(explained(page.values_list("pk", flat=True))) <= 30  # not the 300 before it
