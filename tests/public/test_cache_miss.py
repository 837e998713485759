"""What a page-cache miss costs (PUBLIC_CACHE_SECONDS = 0, as after every publication): the detail
page is one query for the notice and one for its attachments (plus the view count without Redis),
the API page and the feed one query each; and the cheap paths answer exactly what the template,
the model serializer and Django's Atom writer answer."""

import io
import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from announcements.models import Announcement, Attachment
from announcements.selectors import announcements_published
from public import rendering as pages
from public.formats.json_api import notice_summary
from public.http import exact_json_dumps
from public.rendering import LIST_COLUMNS, detail_content, district_names, list_rows, render_rows
from public.search import keyword_filter
from reservations.models import Report
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"
AWKWARD = "A&B <采购> \"公告\" '单引号'"


@pytest.fixture(autouse=True)
def _page_cache_off(settings):
    settings.PUBLIC_CACHE_SECONDS = 0


def attach(notice, name="说明附件.pdf"):
    return Attachment.objects.create(
        announcement=notice,
        file=ContentFile(b"%PDF-1.4", name="x.pdf"),
        original_name=name,
        size=8,
        content_type="application/pdf",
    )


def get_detail(client, notice, ip="10.0.0.1"):
    return client.get(
        reverse("public:detail", args=[notice.public_id]), HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=ip
    )


def test_detail_miss_is_one_query_for_the_notice_and_one_for_attachments(client, world):
    notice = make_notice(institution=world.unit, rows=[(f"项目{i}", "1", "1") for i in range(30)])
    attach(notice)
    get_detail(client, make_notice(institution=world.unit))  # another notice: per-process set-up done

    with CaptureQueriesContext(connection) as queries:
        response = get_detail(client, notice)

    assert response.status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert len([s for s in sql if "published_html" in s]) == 1
    assert len([s for s in sql if "announcements_attachment" in s]) == 1
    # Without Redis the view is counted by one statement; nothing else (no rows, no session).
    assert len(sql) == 3
    assert "view_count" in sql[2]


def test_detail_miss_renders_only_the_content_partial_after_the_first_reader(client, world):
    get_detail(client, make_notice(institution=world.unit))
    notice = make_notice(institution=world.unit, title="第二条公告")

    response = get_detail(client, notice)

    # The page around it (head, header, footer) was rendered for the first reader.
    names = [t.name for t in response.templates]
    assert names[0] == "content"  # the partial of notice_detail.html (and what it includes)
    assert "public/notice_detail.html" not in names and "base.html" not in names
    assert '<h1 id="notice-title">第二条公告</h1>' in response.content.decode()


@pytest.mark.parametrize("with_attachment", [False, True])
def test_detail_shell_page_is_the_template_page(client, world, with_attachment):
    notice = make_notice(institution=world.unit, title=AWKWARD, html="<p>正文 &amp; 附表</p>")
    if with_attachment:
        attach(notice, name="附件<1>&.pdf")

    html = get_detail(client, notice).content.decode()

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    expected = render_to_string(
        "public/notice_detail.html", {"notice": detail_content(notice.public_id), "views": 1}, request
    )
    assert html == expected
    assert "A&amp;B &lt;采购&gt; &quot;公告&quot; &#x27;单引号&#x27;" in html
    assert ("附件&lt;1&gt;&amp;.pdf" in html) is with_attachment
    assert '<meta name="description" content="正文 &amp; 附表">' in html


def test_detail_description_is_cut_as_truncator_cuts_it(world):
    notice = make_notice(institution=world.unit, html="<p>" + "公告正文" * 50 + "</p>")

    description = detail_content(notice.public_id)["og_description"]

    assert len(description) == 120
    assert description.startswith("公告正文公告正文")


def test_api_page_miss_is_one_query_and_so_is_the_next_page(client, world, django_assert_num_queries):
    now = timezone.now()
    for i in range(5):
        make_notice(institution=world.unit, published_at=now - timedelta(hours=i))
    client.get(reverse("public:api_list"), {"limit": 2})  # per-process set-up done

    with django_assert_num_queries(1):
        first = json.loads(client.get(reverse("public:api_list"), {"limit": 2}).content)
    with django_assert_num_queries(1):
        second = json.loads(client.get(first["next"].removeprefix("http://127.0.0.1:8000")).content)

    assert len(first["results"]) == len(second["results"]) == 2
    assert {n["id"] for n in first["results"]}.isdisjoint(n["id"] for n in second["results"])


def test_api_page_items_are_what_the_notice_serializer_says(client, world):
    short = make_notice(institution=world.unit, rows=[("物业服务", "12.345678", "10.000001")])
    Report.objects.filter(pk=short.report_id).update(
        explanation=" 已在采购文件中说明。 ", needs_explanation=True
    )
    fine = make_notice(institution=world.outsider, title=AWKWARD, competent_unit="上海市青浦区主管部门")
    bare = make_notice(institution=world.unit, rows=[])
    Announcement.objects.filter(pk=bare.pk).update(report=None)

    listing = json.loads(client.get(reverse("public:api_list")).content, parse_float=Decimal)
    filtered = json.loads(
        client.get(reverse("public:api_list"), {"district": "310107"}).content, parse_float=Decimal
    )

    by_id = {item["id"]: item for item in listing["results"]}
    for notice in (short, fine, bare):
        model = Announcement.objects.select_related("institution", "district", "report").get(pk=notice.pk)
        expected = json.loads(exact_json_dumps(notice_summary(model)), parse_float=Decimal)
        assert by_id[notice.public_id] == expected
        assert list(by_id[notice.public_id]) == list(expected)  # the same keys in the same order
    assert by_id[short.public_id]["shortfall_explanation"] == "已在采购文件中说明。"
    assert by_id[bare.public_id]["totals"]["sme_amount_wan"] == 0
    assert {item["id"] for item in filtered["results"]} == {short.public_id, bare.public_id}
    assert [i for i in filtered["results"] if i["id"] == short.public_id] == [
        i for i in listing["results"] if i["id"] == short.public_id
    ]


def test_feed_miss_is_one_query(client, world, django_assert_num_queries):
    for i in range(3):
        make_notice(institution=world.unit, title=f"公告{i}")
    client.get(reverse("public:feed"))

    with django_assert_num_queries(1):
        response = client.get(reverse("public:feed"))

    assert response.content.count(b"<entry>") == 3


@pytest.mark.parametrize("district", ["", "310118", "999999"])
def test_feed_is_what_djangos_atom_writer_writes(client, world, settings, district):
    settings.SITE_URL = "https://notices.example.cn"
    now = timezone.now().replace(microsecond=123456)
    make_notice(institution=world.unit, title=AWKWARD, published_at=now - timedelta(hours=1))
    make_notice(institution=world.outsider, title="青浦公告", published_at=now - timedelta(hours=2))
    make_notice(institution=world.unit, title="普陀公告", published_at=now - timedelta(hours=3))

    response = client.get(reverse("public:feed"), {"district": district} if district else {})

    known = district == "310118"
    query = f"?district={district}" if known else ""
    feed = Atom1Feed(
        title="面向中小企业预留项目执行情况公告" + (" · 青浦区" if known else ""),
        link=f"https://notices.example.cn/notices/{query}",
        feed_url=f"https://notices.example.cn/notices/feed/{query}",
        description="",
        subtitle="上海政府采购网发布的面向中小企业预留项目执行情况公告",
        language="zh-hans",
    )
    notices = Announcement.objects.filter(state="published").order_by("-published_at", "-id")
    if known:
        notices = notices.filter(district__code=district)
    for n in notices.select_related("district", "institution"):
        url = f"https://notices.example.cn/notices/{n.public_id}/"
        feed.add_item(
            title=f"【{n.district.name}】{n.title}",
            link=url,
            description=f"{n.institution.name} · {n.published_at:%Y-%m-%d}",
            unique_id=url,
            pubdate=n.published_at,
            updateddate=n.published_at,
            author_name=n.institution.name,
        )
    expected = io.StringIO()
    feed.write(expected, "utf-8")
    assert response.content.decode() == expected.getvalue()
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"


def test_list_pages_miss_is_one_query_each(client, world, django_assert_num_queries):
    now = timezone.now()
    for i in range(25):
        make_notice(institution=world.unit, title=f"公告{i:02d}", published_at=now - timedelta(hours=i))
    client.get(reverse("public:list"))  # counts the total once, renders the form once

    with django_assert_num_queries(1):
        first = client.get(reverse("public:list")).content.decode()
    link = re.search(r'href="\?([^"]*)" rel="next"', first).group(1).replace("&amp;", "&")
    with django_assert_num_queries(1):
        second = client.get(reverse("public:list") + "?" + link).content.decode()

    assert "公告00" in first and "公告19" in first and "公告20" not in first
    assert "公告20" in second and "公告24" in second and "公告19" not in second


def test_list_rows_show_escaped_titles_new_marks_and_why_a_notice_matched(world):
    now = timezone.now()
    make_notice(institution=world.unit, title=AWKWARD, published_at=now)
    make_notice(institution=world.unit, title="旧的物业公告", published_at=now - timedelta(days=30))
    make_notice(
        institution=world.unit, title="保洁公告", rows=[("物业<保洁>服务", "1", "1")], published_at=now
    )
    queryset = announcements_published().order_by("-published_at", "-id")

    shown = {}
    for keyword in ("", "物业"):
        qs = keyword_filter(queryset, keyword) if keyword else queryset
        notices = list(qs.values_list(*LIST_COLUMNS, "search_text", named=True))
        shown[keyword] = str(render_rows(list_rows(notices, district_names(None), keyword=keyword)))

    items = shown[""].split("</li>")[:-1]
    awkward = [item for item in items if "A&amp;B &lt;采购&gt;" in item]
    old = [item for item in items if "旧的物业公告" in item]
    assert len(items) == 3 and len(awkward) == 1 and len(old) == 1
    assert "NEW" in awkward[0] and "NEW" not in old[0]
    # Why 保洁公告 matched: its project name, highlighted and escaped.
    assert '<small class="match-why">匹配：<mark>物业</mark>&lt;保洁&gt;服务</small>' in shown["物业"]


def test_repeated_search_is_one_query_and_the_same_page(client, world, django_assert_num_queries):
    for i in range(3):
        make_notice(institution=world.unit, title=f"公告{i}", rows=[(f"物业服务{i}", "1", "1")])
    make_notice(institution=world.unit, title="保洁公告")
    first = client.get(reverse("public:list"), {"q": " 物业 "})  # validates and renders the form

    with django_assert_num_queries(1):
        again = client.get(reverse("public:list"), {"q": " 物业 "})
    too_long = [client.get(reverse("public:list"), {"q": "物" * 101}) for _ in range(2)]

    assert again.content == first.content
    assert again.content.decode().count("<mark>物业</mark>") == 3
    assert [r.status_code for r in too_long] == [400, 400]


@pytest.mark.parametrize(
    ("keyword", "expected"),
    [
        ("%", ["完成率100%的公告"]),
        ("_", ["下划线a_b公告"]),
        ("0%的", ["完成率100%的公告"]),
        ("\\", []),
        ("ｉｔ", ["IT运维公告"]),
        ("WEB系统 运维", ["IT运维公告"]),
        ("公告 下划", ["下划线a_b公告"]),
    ],
)
def test_repeated_search_finds_what_the_first_found(client, world, keyword, expected):
    make_notice(institution=world.unit, title="完成率100%的公告")
    make_notice(institution=world.unit, title="下划线a_b公告")
    make_notice(institution=world.unit, title="IT运维公告", rows=[("Web系统运维", "10", "5")])

    first, again = (client.get(reverse("public:list"), {"q": keyword}) for _ in range(2))

    assert [n.title for n in first.context["notices"]] == expected
    assert [n.title for n in again.context["notices"]] == expected  # the query compiled once


@pytest.mark.parametrize("keyword", [" 物业 ", 'a&b<c>"d"\'e', "%_\\ x+y", "物" * 100])
def test_first_search_without_a_form_is_the_page_the_form_gives(client, world, monkeypatch, keyword):
    make_notice(institution=world.unit, title="物业公告", rows=[("物业服务", "1", "1")])
    make_notice(institution=world.unit, title='a&b<c>"d"\'e 公告')

    fast = client.get(reverse("public:list"), {"q": keyword}).content.decode()
    monkeypatch.setattr(pages, "_around_results", {})
    monkeypatch.setattr(pages, "_plain_keyword", lambda raw: False)  # the filter form's own path
    with_form = client.get(reverse("public:list"), {"q": keyword}).content.decode()

    assert fast == with_form
