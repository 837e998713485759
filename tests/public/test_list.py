import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from announcements.enums import State
from announcements.models import Announcement
from public.listeners import publication_changed
from tests import factories
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [n.title for n in response.context["notices"]]


def test_list_shows_published_notice_with_district_and_date(client, world):
    notice = make_notice(institution=world.unit, title="真如镇街道2025年面向中小企业预留项目执行情况公告")

    response = client.get(reverse("public:list"))

    html = response.content.decode()
    assert "【普陀区】真如镇街道2025年面向中小企业预留项目执行情况公告" in html
    assert timezone.localtime(notice.published_at).strftime("%Y-%m-%d") in html
    assert f'href="/notices/{notice.public_id}/"' in html


def test_home_is_the_list(client, world):
    make_notice(institution=world.unit, title="首页可见的公告")

    response = client.get("/")

    assert "首页可见的公告" in response.content.decode()


def test_list_marks_notices_of_the_last_three_days_new(client, world):
    make_notice(institution=world.unit, title="新公告", published_at=timezone.now() - timedelta(days=1))
    make_notice(institution=world.unit, title="旧公告", published_at=timezone.now() - timedelta(days=4))

    html = client.get(reverse("public:list")).content.decode()

    new_item = html[html.index("新公告") : html.index("</li>", html.index("新公告"))]
    old_item = html[html.index("旧公告") : html.index("</li>", html.index("旧公告"))]
    assert "NEW" in new_item
    assert "NEW" not in old_item


def test_list_hides_revoked_draft_and_test_data(client, world):
    make_notice(institution=world.unit, title="正式公告")
    make_notice(institution=world.unit, title="已撤回公告", state=State.REVOKED)
    make_notice(institution=world.unit, title="草稿公告", state=State.DRAFT)
    make_notice(institution=world.unit, title="测试公告", is_test=True)
    test_unit = factories.institution(name="测试机构", is_test=True)
    make_notice(institution=test_unit, title="测试机构的公告")

    response = client.get(reverse("public:list"))

    assert titles(response) == ["正式公告"]
    assert "已撤回公告" not in response.content.decode()


def test_list_is_newest_first_with_total_and_pages(client, world):
    now = timezone.now()
    for i in range(23):
        make_notice(institution=world.unit, title=f"公告{i:02d}", published_at=now - timedelta(hours=i))

    first = client.get(reverse("public:list"))
    second = client.get(reverse("public:list"), {"page": 2})

    assert titles(first)[:3] == ["公告00", "公告01", "公告02"]
    assert len(titles(first)) == 20
    assert titles(second) == ["公告20", "公告21", "公告22"]
    assert "共 23 条" in first.content.decode()
    assert 'rel="next"' in first.content.decode()


@pytest.mark.parametrize(
    "keyword",
    ["曹杨", "物业", "曹杨新村街道", "物业管理服务", "主管", "保洁 物业"],
    ids=["2-char unit", "2-char project", "unit", "project", "competent unit", "two words"],
)
def test_search_finds_title_unit_and_project_names(client, keyword):
    unit = factories.institution(name="上海市普陀区曹杨新村街道办事处")
    make_notice(
        institution=unit,
        title="2025年度公告",
        rows=[("物业管理服务", "10", "5"), ("保洁服务", "3", "1")],
        competent_unit="上海市普陀区主管部门",
    )
    make_notice(title="别的公告", rows=[("办公设备", "10", "5")])

    response = client.get(reverse("public:list"), {"q": keyword})

    assert titles(response) == ["2025年度公告"]


def test_search_matches_latin_letters_regardless_of_case_and_width(client, world):
    make_notice(institution=world.unit, title="IT运维公告", rows=[("Web系统运维", "10", "5")])

    for keyword in ("it", "ＩＴ", "web", "WEB系统"):
        assert titles(client.get(reverse("public:list"), {"q": keyword})) == ["IT运维公告"], keyword


def test_search_takes_like_wildcards_literally(client, world):
    make_notice(institution=world.unit, title="完成率100%的公告")
    make_notice(institution=world.unit, title="下划线a_b公告")
    make_notice(institution=world.unit, title="普通公告甲")

    assert titles(client.get(reverse("public:list"), {"q": "%"})) == ["完成率100%的公告"]
    assert titles(client.get(reverse("public:list"), {"q": "_"})) == ["下划线a_b公告"]
    assert titles(client.get(reverse("public:list"), {"q": "0%的"})) == ["完成率100%的公告"]
    assert titles(client.get(reverse("public:list"), {"q": "\\"})) == []


def test_search_without_match_says_so(client, world):
    make_notice(institution=world.unit, title="某公告")

    response = client.get(reverse("public:list"), {"q": "不存在的词"})

    assert titles(response) == []
    assert "没有符合条件的公告" in response.content.decode()


def test_filters_by_district_and_year(client, world):
    make_notice(institution=world.unit, title="普陀2024", year=2024)
    make_notice(institution=world.unit, title="普陀2023", year=2023)
    make_notice(institution=world.outsider, title="青浦2024", year=2024)

    assert titles(client.get(reverse("public:list"), {"district": "310118"})) == ["青浦2024"]
    assert titles(client.get(reverse("public:list"), {"year": "2024", "district": "310107"})) == ["普陀2024"]


def test_filters_by_publication_date_range(client, world):
    now = timezone.now()
    make_notice(institution=world.unit, title="五天前", published_at=now - timedelta(days=5))
    make_notice(institution=world.unit, title="二十天前", published_at=now - timedelta(days=20))
    start = timezone.localdate(now - timedelta(days=6)).isoformat()
    end = timezone.localdate(now - timedelta(days=4)).isoformat()

    response = client.get(reverse("public:list"), {"date_from": start, "date_to": end})

    assert titles(response) == ["五天前"]
    assert '<details class="more-filters" open>' in response.content.decode()


def test_bad_date_shows_message_next_to_field_and_no_500(client, world):
    make_notice(institution=world.unit, title="某公告")

    response = client.get(reverse("public:list"), {"date_from": "2025-13-45"})

    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_date_from_error"' in html
    assert "请填写正确的日期" in html
    assert titles(response) == ["某公告"]
    # A date input's value must be a date (HTML): the mistyped one is not echoed into it.
    assert re.search(r'name="date_from"[^>]*aria-invalid="true"', html)
    assert 'value="2025-13-45"' not in html


def test_form_has_labelled_fields_search_and_reset(client, world):
    html = client.get(reverse("public:list")).content.decode()

    for field, label in (("q", "关键词"), ("district", "地区"), ("year", "年份")):
        assert f'<label for="id_{field}">{label}</label>' in html
    assert '<span class="when-closed">展开</span><span class="when-open">收起</span></summary>' in html
    assert ">搜索</button>" in html
    assert ">重置</a>" in html
    assert 'role="search"' in html and "<main" in html


def test_new_publication_shows_at_once_despite_cache(client, world):
    make_notice(institution=world.unit, title="先发布的公告")
    assert titles(client.get(reverse("public:list"))) == ["先发布的公告"]
    cached = client.get(reverse("public:list"))
    assert cached.context is None  # served from the cache, no template rendered

    later = make_notice(institution=world.unit, title="刚发布的公告", published_at=timezone.now())
    publication_changed(later)

    assert "刚发布的公告" in client.get(reverse("public:list")).content.decode()


def test_revocation_leaves_the_cached_list_at_once(client, world):
    notice = make_notice(institution=world.unit, title="将被撤回的公告")
    assert "将被撤回的公告" in client.get(reverse("public:list")).content.decode()

    notice.state = State.REVOKED
    notice.save()
    publication_changed(notice)

    assert "将被撤回的公告" not in client.get(reverse("public:list")).content.decode()


@pytest.mark.parametrize("count", [1, 30])
def test_list_queries_do_not_grow_with_notices(client, world, django_assert_max_num_queries, count):
    for i in range(count):
        make_notice(institution=world.unit, title=f"公告{i}")

    # the page, the district's choices and the published years (both then cached), the chosen
    # district's validation; no count
    with django_assert_max_num_queries(4):
        response = client.get(reverse("public:list"), {"q": "公告", "district": "310107"})

    assert len(titles(response)) == min(count, 20)


def test_search_total_is_not_counted_beyond_the_page(client, world, django_assert_max_num_queries):
    for i in range(23):
        make_notice(
            institution=world.unit, title=f"物业公告{i:02d}", published_at=timezone.now() - timedelta(hours=i)
        )
    client.get(reverse("public:list"))  # reads the district choices once

    with django_assert_max_num_queries(1):  # the page (21 rows), no COUNT
        searched = client.get(reverse("public:list"), {"q": "物业"})
    last = client.get(reverse("public:list"), {"q": "物业", "page": 2})

    assert "至少 21 条" in searched.content.decode()
    assert len(titles(searched)) == 20
    assert "共 23 条" in last.content.decode()  # the last page knows the total
    assert titles(last) == ["物业公告20", "物业公告21", "物业公告22"]


def test_next_link_carries_a_cursor_and_a_bare_page_number_still_works(client, world):
    now = timezone.now()
    for i in range(45):
        make_notice(institution=world.unit, title=f"公告{i:02d}", published_at=now - timedelta(hours=i))
    second = client.get(reverse("public:list"), {"page": 2})
    link = re.search(r'href="\?([^"]*)" rel="next"', second.content.decode()).group(1).replace("&amp;", "&")

    third_by_cursor = client.get(reverse("public:list") + "?" + link)
    third_by_number = client.get(reverse("public:list"), {"page": 3})
    later = make_notice(institution=world.unit, title="新公告", published_at=now)
    publication_changed(later)
    third_after_publication = client.get(reverse("public:list") + "?" + link)

    assert link.startswith("page=3&after=")
    assert (
        titles(third_by_cursor)
        == titles(third_by_number)
        == ["公告40", "公告41", "公告42", "公告43", "公告44"]
    )
    assert titles(third_after_publication) == titles(third_by_cursor)  # the cursor does not shift
    assert "第 3 页，共 3 页" in third_by_number.content.decode()


@pytest.mark.parametrize("filters", [{}, {"q": "公告"}, {"q": "公告", "district": "310107"}])
def test_bare_page_number_is_found_once_per_publication(client, world, settings, filters):
    settings.PUBLIC_CACHE_SECONDS = 0  # the database path, where finding page 3's start costs a query
    now = timezone.now()
    for i in range(45):
        make_notice(institution=world.unit, title=f"公告{i:02d}", published_at=now - timedelta(hours=i))
    client.get(reverse("public:list"), filters)  # the district choices, read once

    with CaptureQueriesContext(connection) as finding:
        first = client.get(reverse("public:list"), {**filters, "page": 3})
    with CaptureQueriesContext(connection) as known:
        again = client.get(reverse("public:list"), {**filters, "page": 3})
    finding_queries, known_queries = len(finding), len(known)  # before the next request resets the log
    later = make_notice(institution=world.unit, title="新公告", published_at=now)
    publication_changed(later)
    after_publication = client.get(reverse("public:list"), {**filters, "page": 3})

    assert known_queries == finding_queries - 1  # where page 3 starts is known
    assert titles(first) == titles(again) == ["公告40", "公告41", "公告42", "公告43", "公告44"]
    assert titles(after_publication) == ["公告39", "公告40", "公告41", "公告42", "公告43", "公告44"]


def test_page_beyond_the_end_says_so(client, world):
    make_notice(institution=world.unit, title="唯一公告")

    response = client.get(reverse("public:list"), {"page": 9, "after": "garbage"})

    assert titles(response) == []
    assert "本页没有公告" in response.content.decode()
    assert 'rel="prev"' in response.content.decode()


def test_unfiltered_total_counted_once_per_publication(client, world, django_assert_num_queries):
    make_notice(institution=world.unit, title="公告甲")
    client.get(reverse("public:list"), {"page": 1, "year": ""})  # counts, fills the district choices

    with django_assert_num_queries(1):  # the page only; the total comes from the cache
        response = client.get(reverse("public:list"), {"after": "x"})

    later = make_notice(institution=world.unit, title="公告乙", published_at=timezone.now())
    publication_changed(later)
    assert "共 1 条" in response.content.decode()
    assert "共 2 条" in client.get(reverse("public:list")).content.decode()


def test_flash_message_of_one_visitor_never_reaches_the_shared_cache(client, world):
    make_notice(institution=world.unit, title="某公告")
    client.cookies["messages"] = "whatever"

    with_cookie = client.get(reverse("public:list"))
    client.cookies.clear()
    fresh = client.get(reverse("public:list"))

    assert with_cookie.context is not None
    assert fresh.context is not None  # the page built for the visitor with a message was not stored


def test_start_date_after_end_date_says_so_next_to_the_field(client, world):
    make_notice(institution=world.unit, title="某公告")

    response = client.get(reverse("public:list"), {"date_from": "2025-06-01", "date_to": "2025-05-01"})

    html = response.content.decode()
    assert 'id="id_date_to_error"' in html
    assert "结束日期早于开始日期" in html
    assert '<details class="more-filters" open>' in html


def test_search_shows_the_matching_project_name_highlighted(client, world):
    make_notice(
        institution=world.unit,
        title="2025年度公告",
        rows=[("办公设备采购", "1", "1"), ("河道<保洁>养护", "2", "1")],
    )

    html = client.get(reverse("public:list"), {"q": "保洁"}).content.decode()

    assert '<small class="match-why">匹配：河道&lt;<mark>保洁</mark>&gt;养护</small>' in html


def test_search_matching_the_title_needs_no_explanation(client, world):
    make_notice(institution=world.unit, title="保洁服务公告", rows=[("保洁服务", "1", "1")])

    html = client.get(reverse("public:list"), {"q": "保洁"}).content.decode()

    assert "match-why" not in html


def test_list_facts_answer_when_the_cache_is_down(world, settings):
    """The total and the districts come from the database when Redis is down (the page cache
    around them degrades in public.cache, issue 14)."""
    from public.rendering import list_facts

    make_notice(institution=world.unit, title="缓存故障时的公告")
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.DegradingRedisCache",  # what settings use for a redis:// CACHE_URL
            "LOCATION": "redis://127.0.0.1:6399/0",  # a closed port
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }

    version, total, districts = list_facts(filtered=False)

    assert total == 1
    assert ("310107", "普陀区") in districts


def _year_options(response) -> list[str]:
    select = re.search(r'<select[^>]*name="year"[^>]*>(.*?)</select>', response.content.decode(), re.S)
    return re.findall(r'<option value="(\d*)"', select.group(1))


def test_year_filter_offers_only_years_with_published_notices(client, world):
    make_notice(institution=world.unit, title="2024年公告", year=2024)
    make_notice(institution=world.unit, title="2022年公告", year=2022)
    make_notice(institution=world.unit, title="撤回的2023年公告", year=2023, state=State.REVOKED)
    make_notice(institution=world.unit, title="测试的2025年公告", year=2025, is_test=True)

    assert _year_options(client.get(reverse("public:list"))) == ["", "2024", "2022"]
    assert _year_options(client.get(reverse("public:list"), {"q": "公告"})) == ["", "2024", "2022"]
    # A year the reader chose stays offered (and chosen), though nothing is published for it.
    chosen = client.get(reverse("public:list"), {"year": "2023"})
    assert _year_options(chosen) == ["", "2024", "2023", "2022"]
    assert '<option value="2023" selected>' in chosen.content.decode()
    # A publication in a new year offers it at once.
    later = make_notice(institution=world.outsider, title="2025年公告", year=2025)
    publication_changed(later)
    assert _year_options(client.get(reverse("public:list"))) == ["", "2025", "2024", "2022"]


@pytest.mark.parametrize(
    "params",
    [
        {"district": "310107"},
        {"year": "2024"},
        {"district": "310107", "year": "2024"},
        {"q": "物业", "district": "310107"},
        {"q": "物业", "district": "310107", "year": "2024"},
        {"q": "物业 维保", "district": "310118"},
        {"q": "物业", "year": "2024"},
    ],
)
def test_a_filter_asked_again_answers_the_same_from_its_compiled_query(client, world, settings, params):
    """The first answer goes through the filter form; once its form is kept, the same filters
    are read through queries compiled once per process (public.rendering._prepared_pages)."""
    settings.PUBLIC_CACHE_SECONDS = 0  # every answer is built, none served from the page cache
    make_notice(institution=world.unit, title="普陀物业服务2024", year=2024)
    make_notice(institution=world.unit, title="普陀物业服务2023", year=2023)
    make_notice(institution=world.other_unit, title="普陀绿化养护2024", year=2024)
    make_notice(institution=world.outsider, title="青浦物业维保2024", year=2024)
    make_notice(
        institution=factories.institution(district_code="310118"), title="青浦物业服务2024", year=2024
    )
    expected = {
        notice.title
        for notice in Announcement.objects.all()
        if ("district" not in params or notice.district.code == params["district"])
        and ("year" not in params or str(notice.year) == params["year"])
        and all(word in notice.title for word in params.get("q", "").split())
    }

    first = client.get(reverse("public:list"), params)
    again = client.get(reverse("public:list"), params)

    assert set(titles(first)) == expected
    assert titles(again) == titles(first)
    assert again.content == first.content
