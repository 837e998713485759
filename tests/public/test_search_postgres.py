"""The search really uses its indexes on PostgreSQL (skipped on SQLite, which keeps a plain scan)."""

import pytest
from django.core.management import call_command
from django.db import connection

from announcements.models import Announcement
from public.search import keyword_filter, published_search
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


def test_search_of_four_characters_uses_the_trigram_index(corpus):
    queryset = published_search(keyword="鳕鱼罐头").order_by("-published_at")[:20]

    assert "announcement_search_trgm" in plan(queryset)
    assert [n.title for n in queryset] == ["鳕鱼罐头专项公告"]


def test_search_of_two_characters_uses_the_gram_index(corpus):
    queryset = published_search(keyword="鳕鱼").order_by("-published_at")[:20]

    assert "announcement_search_grams" in plan(queryset)
    assert [n.title for n in queryset] == ["鳕鱼罐头专项公告"]


def test_search_of_one_character_uses_the_gram_index(corpus):
    queryset = keyword_filter(Announcement.objects.all(), "鳕")

    assert "announcement_search_grams" in plan(queryset)
    assert queryset.count() == 1


def test_frequent_word_still_finds_every_match(corpus):
    """A frequent word may walk the date index instead; the answer is the same."""
    total = published_search(keyword="公告").count()

    assert total == Announcement.objects.filter(state="published", search_text__contains="公告").count()
    assert total > 300
