from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from announcements.enums import State
from public.services import publication_changed
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
    assert response.status_code == 200
    assert 'id="id_date_from_error"' in html
    assert "输入一个有效的日期" in html
    assert titles(response) == ["某公告"]
    # A date input's value must be a date (HTML): the mistyped one is not echoed into it.
    assert 'name="date_from" aria-invalid="true"' in html
    assert 'value="2025-13-45"' not in html


def test_form_has_labelled_fields_search_and_reset(client, world):
    html = client.get(reverse("public:list")).content.decode()

    for field, label in (("q", "关键词"), ("district", "地区"), ("year", "年份")):
        assert f'<label for="id_{field}">{label}</label>' in html
    assert "<summary>展开</summary>" in html
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

    # count, page, the district's choices, the chosen district's validation
    with django_assert_max_num_queries(4):
        response = client.get(reverse("public:list"), {"q": "公告", "district": "310107"})

    assert len(titles(response)) == min(count, 20)


def test_keyword_search_total_stops_at_the_cap(client, world, monkeypatch):
    monkeypatch.setattr("public.views.pages.SEARCH_COUNT_CAP", 3)
    for i in range(5):
        make_notice(institution=world.unit, title=f"物业公告{i}")

    searched = client.get(reverse("public:list"), {"q": "物业"})
    listed = client.get(reverse("public:list"))

    assert "超过 3 条" in searched.content.decode()
    assert len(titles(searched)) == 3
    assert "共 5 条" in listed.content.decode()


def test_flash_message_of_one_visitor_never_reaches_the_shared_cache(client, world):
    make_notice(institution=world.unit, title="某公告")
    client.cookies["messages"] = "whatever"

    with_cookie = client.get(reverse("public:list"))
    client.cookies.clear()
    fresh = client.get(reverse("public:list"))

    assert with_cookie.context is not None
    assert fresh.context is not None  # the page built for the visitor with a message was not stored
