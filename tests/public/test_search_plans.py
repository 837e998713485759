"""Every kind of search reaches the notices through its GIN index first, whatever the planner
estimates, at a size where the estimate matters (30,000 notices), and answers what the ordered
query answers. PostgreSQL only: SQLite keeps a plain scan."""

import io
import json
import random
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import District
from announcements.enums import Kind
from announcements.selectors import announcements_published
from public import paging
from public.paging import after_position, capped_rows, capped_statement
from public.rendering import LIST_COLUMNS, list_queryset
from public.search import PublicNoticeFilter, grams_for, search_text_parts
from tests.public.conftest import make_notice

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes"),
]


@pytest.fixture(scope="module", autouse=True)
def vacuumed_afterwards(django_db_setup, django_db_blocker):
    """The 30,000 rows each test copies in are rolled back, but stay in the table and its indexes
    as dead rows, and ANALYZE's row count stays (pg_class is updated in place): the files that run
    after this one on the same database would be planned against a table that is not theirs. VACUUM
    ANALYZE (outside any transaction) once this module is done."""
    yield
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock():
        connection.close()
        connection.ensure_connection()
        connection.connection.autocommit = True
        with connection.connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE announcements_announcement")
        connection.close()


FILLER = 30_000
GRAMS, TRIGRAMS = "announcement_search_grams", "announcement_search_trgm"
# (what a reader types, other filters, the GIN indexes its words need)
KINDS = {
    "1 char absent": ({"q": "鲸"}, {GRAMS}),
    "1 char frequent": ({"q": "服"}, {GRAMS}),
    "2 chars rare": ({"q": "鳕鱼"}, {GRAMS}),
    "2 chars absent": ({"q": "鲸落"}, {GRAMS}),
    "2 chars frequent": ({"q": "物业"}, {GRAMS}),
    "2 chars in a tenth": ({"q": "保温"}, {GRAMS}),
    "3 chars rare": ({"q": "鳕鱼罐"}, {TRIGRAMS}),
    "4 chars rare": ({"q": "鳕鱼罐头"}, {TRIGRAMS}),
    "4 chars absent": ({"q": "海豚表演"}, {TRIGRAMS}),
    "4 chars frequent": ({"q": "网络安全"}, {TRIGRAMS}),
    "several words": ({"q": "物业 网络安全 鳕鱼"}, {GRAMS, TRIGRAMS}),
    "2 chars with 地区": ({"q": "物业", "district": "310118"}, {GRAMS}),
    "2 chars rare with 年份": ({"q": "鳕鱼", "year": "2024"}, {GRAMS}),
    "4 chars with dates": ({"q": "网络安全", "date_from": "2025-01-01", "date_to": "2025-06-30"}, {TRIGRAMS}),
}


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


@pytest.fixture
def corpus(world):
    """A few notices of the rare words (made as the tests make notices), then FILLER copies of a
    published notice with other titles and projects (COPY, search fields by public.search), so
    that 物业 is in half, 网络安全 in a fifth, 保温 in a tenth and 鲸 in none."""
    now = timezone.now()
    for years_ago, district in ((0, "310107"), (1, "310118"), (2, "310107")):
        make_notice(
            institution=world.unit,
            title=f"鳕鱼罐头专项公告{years_ago}",
            rows=[("鳕鱼罐头采购", "1", "1")],
            published_at=now - timedelta(days=365 * years_ago + 3),
            year=2024 - years_ago,
            district_code=district,
        )
    copy_filler(world, lambda i, published: {})


def copy_filler(world, overrides):
    """FILLER copies of a published notice (COPY), `overrides(i, published_at)` changing columns."""
    now = timezone.now()
    template = make_notice(institution=world.outsider, title="模板公告")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM announcements_announcement WHERE id = %s", [template.pk])
        names = [c.name for c in cursor.description]
        values = dict(zip(names, cursor.fetchone(), strict=True))
    names.remove("id")
    districts = list(District.objects.filter(code__in=["310107", "310118"]).values_list("pk", flat=True))
    rng = random.Random(29)
    out = io.StringIO()
    for i in range(FILLER):
        words = [
            "物业服务" if i % 2 else "保洁",
            "网络安全" if i % 5 == 0 else "办公设备",
            "保温材料" if i % 10 == 3 else "",
            f"第{i}号",
        ]
        title = f"{''.join(words)}项目执行情况公告"
        parts = search_text_parts(title=title, unit="上海市青浦区外单位", project_names=[f"{words[0]}采购"])
        published = now - timedelta(minutes=50 * i + rng.randrange(50))
        row = values | {
            "public_id": f"bulk{i:08d}",
            "title": title,
            "year": None,  # the unique (institution, year) of a live notice: no report behind these
            "report_id": None,
            "district_id": districts[i % 2],
            "published_at": published,
            "created_at": published,
            "updated_at": published,
            "search_text": "\n".join(parts),
            "search_grams": grams_for(parts),
        }
        row |= overrides(i, published)
        out.write("\t".join(_copy_value(row[n]) for n in names) + "\n")
    out.seek(0)
    with connection.cursor() as cursor:
        # A GIN index filled row by row would take minutes: dropped and built again after the
        # copy (the test's transaction puts everything back).
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname IN (%s, %s)", [GRAMS, TRIGRAMS])
        definitions = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"DROP INDEX {GRAMS}, {TRIGRAMS}")
        cursor.cursor.copy_expert(f"COPY announcements_announcement ({', '.join(names)}) FROM STDIN", out)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no index while foreign-key checks are pending
        for definition in definitions:
            cursor.execute(definition)
        cursor.execute("ANALYZE announcements_announcement")


def filtered(data):
    filterset = PublicNoticeFilter(data, queryset=list_queryset())
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


def nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def capped_plan(queryset, start=None) -> list[dict]:
    sql, params = capped_statement(queryset, LIST_COLUMNS, per_page=20, start=start)
    with connection.cursor() as cursor:
        cursor.execute(paging._BITMAPS_ONLY)  # as a public read sends them (outside a transaction)
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        result = cursor.fetchone()[0]
    return list(nodes((json.loads(result) if isinstance(result, str) else result)[0]["Plan"]))


def ordered_ids(queryset, start=None):
    if start is not None:
        queryset = after_position(queryset, *start)
    return list(queryset.values_list("pk", flat=True)[:21])


def test_every_kind_of_search_starts_from_its_gin_index(corpus):
    seen = {}
    for kind, (data, indexes) in KINDS.items():
        plan = capped_plan(filtered(data))
        on_notices = [n for n in plan if n.get("Relation Name") == "announcements_announcement"]
        seen[kind] = (
            {n["Index Name"] for n in plan if n["Node Type"] == "Bitmap Index Scan"} >= indexes,
            {n["Node Type"] for n in on_notices} <= {"Bitmap Heap Scan"},
        )

    assert seen == {kind: (True, True) for kind in KINDS}


def test_every_kind_of_search_answers_what_the_ordered_query_answers(corpus, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    answers, frequent = {}, set()
    for kind, (data, _) in KINDS.items():
        queryset = filtered(data)
        first = capped_rows(queryset, LIST_COLUMNS, per_page=20)
        if first is None:  # more matches than the cap: the ordered query answers
            frequent.add(kind)
            continue
        expected = ordered_ids(queryset)
        deep = None
        if len(expected) == 21:  # the page after the cursor of its 20th row
            start = tuple(queryset.values_list("published_at", "pk")[19])
            deep = [r[0] for r in capped_rows(queryset, LIST_COLUMNS, per_page=20, start=start)]
            deep = deep == ordered_ids(queryset, start)
        answers[kind] = ([r[0] for r in first] == expected, deep)

    assert frequent == {"1 char frequent", "2 chars frequent", "4 chars frequent", "2 chars with 地区"}
    assert answers == {
        kind: (True, True if kind in {"2 chars in a tenth", "4 chars with dates"} else None)
        for kind in KINDS
        if kind not in frequent
    }

    # What the reader sees: the list page, above and below the cap.
    shown = {}
    for words in ("物业", "保温", "鳕鱼", "鲸落"):
        page = Client().get(reverse("public:list"), {"q": words}).content.decode()
        shown[words] = re.findall(r'<li><a href="/notices/(bulk\d+|[0-9a-f]{32})/">', page)
    assert shown == {
        words: list(filtered({"q": words}).values_list("public_id", flat=True)[:20]) for words in shown
    }


def test_a_search_past_the_cap_goes_straight_to_the_ordered_walk_until_a_publication(world, monkeypatch):
    from django.test.utils import CaptureQueriesContext

    from accounts.memos import forget_published

    monkeypatch.setattr(paging, "SEARCH_CAP", 2)
    monkeypatch.setattr(paging, "SEARCH_CAP_PER_ROOT", 0)
    for i in range(3):
        make_notice(institution=world.unit, title=f"物业公告{i}")
    queryset = filtered({"q": "物业", "district": "310107"})

    with CaptureQueriesContext(connection) as first:
        assert capped_rows(queryset, LIST_COLUMNS, per_page=20) is None
    with CaptureQueriesContext(connection) as again:
        assert capped_rows(queryset, LIST_COLUMNS, per_page=20) is None
    forget_published()
    with CaptureQueriesContext(connection) as published:
        assert capped_rows(queryset, LIST_COLUMNS, per_page=20) is None

    assert (len(first), len(again), len(published)) == (1, 0, 1)


def test_a_word_just_past_the_fixed_cap_is_still_collected_through_its_gin_index(
    world, monkeypatch, settings
):
    """The cap grows with the table (SEARCH_CAP_PER_ROOT × √notices, from the planner's row
    estimate): a word with a few more matches than the fixed floor is collected through the grams'
    GIN index and ordered, not walked along the publication-time index. Small numbers stand for
    5,000 and 10 (at 1,000,000 notices 竖新's 5,364 matches fell to the walk)."""
    settings.PUBLIC_CACHE_SECONDS = 0
    monkeypatch.setattr(paging, "SEARCH_CAP", 10)
    monkeypatch.setattr(paging, "SEARCH_CAP_PER_ROOT", 0)  # the old fixed cap
    now = timezone.now()
    for i in range(12):
        make_notice(institution=world.unit, title=f"竖新物业公告{i}", published_at=now - timedelta(hours=i))
    make_notice(institution=world.unit, title="办公设备公告", published_at=now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE announcements_announcement")
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'announcements_announcement'::regclass")
        estimate = cursor.fetchone()[0]
    queryset = filtered({"q": "竖新"})
    expected = ordered_ids(queryset)
    assert len(expected) == 12 and estimate >= 13

    assert capped_rows(queryset, LIST_COLUMNS, per_page=20) is None  # past a fixed cap of 10

    monkeypatch.setattr(paging, "SEARCH_CAP_PER_ROOT", 4)  # 4 × √13 > 14: the cap grew
    rows = capped_rows(queryset, LIST_COLUMNS, per_page=20)
    assert rows is not None and [r[0] for r in rows] == expected
    plan = capped_plan(queryset)
    assert GRAMS in {n["Index Name"] for n in plan if n["Node Type"] == "Bitmap Index Scan"}
    assert {n["Node Type"] for n in plan if n.get("Relation Name") == "announcements_announcement"} == {
        "Bitmap Heap Scan"
    }

    # The list page, through the filter form and through the prepared statement of a keyword alone.
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            page = Client().get(reverse("public:list"), {"q": "竖新"}).content.decode()
        searched = [q["sql"] for q in queries if "@>" in q["sql"]]
        assert searched and all("WITH c (cap)" in sql for sql in searched)
        assert re.findall(r'<li><a href="/notices/([0-9a-f]{32})/">', page) == list(
            queryset.values_list("public_id", flat=True)
        )


DISTRICT_YEAR = "announcement_district_year"


@pytest.fixture
def dated_corpus(world):
    """The filler with 年份 (the year each was published; 手工录入 notices, which may share a
    unit and year) and every district in turn, so that one district's year is a few percent of
    the notices, as at national scale."""
    districts = list(District.objects.order_by("code").values_list("pk", flat=True))
    assert len(districts) >= 10

    def overrides(i, published):
        year = timezone.localtime(published).year
        return {"kind": Kind.MANUAL, "year": year, "district_id": districts[i % len(districts)]}

    copy_filler(world, overrides)


def test_the_list_and_a_search_by_district_and_year_read_their_index(dated_corpus):
    """地区 + 年份, newest first: one range of the (district, year, published_at) index read in
    order, for a past year too (the publication-time index would pass every newer notice), and
    a search narrowed by both collects its matches through that index as well."""
    past = timezone.localtime(timezone.now() - timedelta(minutes=50 * FILLER)).year + 1  # a whole year
    data = {"district": "310118", "year": str(past)}
    listing = filtered(data).values_list(*LIST_COLUMNS)
    sql, params = listing[:21].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        result = cursor.fetchone()[0]
    list_plan = list(nodes((json.loads(result) if isinstance(result, str) else result)[0]["Plan"]))
    on_notices = [n for n in list_plan if n.get("Relation Name") == "announcements_announcement"]
    search = filtered({**data, "q": "物业"})
    search_plan = capped_plan(search)

    assert [(n["Node Type"], n.get("Index Name")) for n in on_notices] == [("Index Scan", DISTRICT_YEAR)]
    assert not [n for n in list_plan if n["Node Type"] == "Sort"]
    assert DISTRICT_YEAR in {n.get("Index Name") for n in search_plan}
    # What they answer: the newest 20 of that district and year, and the search's matches among them.
    expected = [
        pk
        for pk, district, year in announcements_published()
        .order_by("-published_at", "-id")
        .values_list("pk", "district__code", "year")
        if district == "310118" and year == past
    ]
    assert len(expected) > 21
    assert [row[0] for row in listing[:20]] == expected[:20]
    rows = capped_rows(search, LIST_COLUMNS, per_page=20)
    assert rows is not None and [r[0] for r in rows] == ordered_ids(search)[:21]


def visited(plan_nodes) -> int:
    """Notices read by a plan (EXPLAIN ANALYZE): the rows its scans of them gave or dropped."""
    return sum(
        n.get("Actual Rows", 0)
        + n.get("Rows Removed by Filter", 0)
        + n.get("Rows Removed by Index Recheck", 0)
        for n in plan_nodes
        if n.get("Relation Name") == "announcements_announcement"
    )


def test_a_search_within_a_district_reads_few_notices_whatever_the_word(corpus):
    """With a 地区 the list asks the planner's own ordered query (public.rendering): a frequent word
    walks the newest notices and stops after a page, a rare or absent one starts from its GIN
    index; neither reads more than a few hundred of the district's 15,000 notices."""
    read = {}
    for words in ("物业", "网络安全", "保温", "鳕鱼", "鲸落", "鲸", "海豚表演"):
        rows = filtered({"q": words, "district": "310118"}).values_list(*LIST_COLUMNS, "search_text")[:21]
        sql, params = rows.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            result = cursor.fetchone()[0]
        read[words] = visited(nodes((json.loads(result) if isinstance(result, str) else result)[0]["Plan"]))

    assert {words: count <= 600 for words, count in read.items()} == {words: True for words in read}, read
