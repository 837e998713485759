import re

import pytest
import qrcode
import qrcode.image.svg
from django.core.files.base import ContentFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from announcements.enums import State
from announcements.models import Announcement, Attachment
from public.listeners import publication_changed
from tests import factories
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36"


def detail(client, notice, agent=BROWSER, ip="10.0.0.1"):
    return client.get(
        reverse("public:detail", args=[notice.public_id]), HTTP_USER_AGENT=agent, REMOTE_ADDR=ip
    )


def views_in_db(notice) -> int:
    return Announcement.objects.get(pk=notice.pk).view_count


def test_detail_shows_the_frozen_text_source_and_time(client, world):
    notice = make_notice(institution=world.unit, html="<p>冻结的公告正文,共计12.5万元。</p>")

    html = detail(client, notice).content.decode()

    assert "<p>冻结的公告正文,共计12.5万元。</p>" in html
    assert "来源：上海市普陀区测试街道社区服务中心" in html
    assert timezone.localtime(notice.published_at).strftime("%Y-%m-%d %H:%M:%S") in html
    assert '<h1 id="notice-title">' + notice.title in html


def test_detail_has_canonical_link_and_open_graph(client, world, settings):
    settings.SITE_URL = "https://notices.example.cn"
    notice = make_notice(
        institution=world.unit, html="<p>本部门(单位)2025年预留项目面向中小企业采购共计20万元。</p>"
    )

    html = detail(client, notice).content.decode()

    url = f"https://notices.example.cn/notices/{notice.public_id}/"
    assert f'<link rel="canonical" href="{url}">' in html
    assert f'<meta property="og:title" content="{notice.title}">' in html
    assert (
        '<meta property="og:description" content="本部门(单位)2025年预留项目面向中小企业采购共计20万元。">'
        in html
    )
    assert f'<meta property="og:url" content="{url}">' in html


def test_detail_links_print_stylesheet_and_print_button(client, world):
    html = detail(client, make_notice(institution=world.unit)).content.decode()

    assert re.search(r'<link rel="stylesheet" href="[^"]*print[^"]*\.css" media="print">', html)
    assert "data-print hidden>打印</button>" in html  # shown by public.js
    assert "<script src=" in html and "<script>" not in html and 'style="' not in html


def test_detail_qr_code_encodes_the_canonical_url(client, world, settings):
    settings.SITE_URL = "https://notices.example.cn"
    notice = make_notice(institution=world.unit)
    url = f"https://notices.example.cn/notices/{notice.public_id}/"
    expected = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2).to_string(
        encoding="unicode"
    )
    path_data = re.search(r'<path d="([^"]+)"', expected).group(1)

    html = detail(client, notice).content.decode()
    svg = client.get(reverse("public:qr", args=[notice.public_id])).content.decode()

    assert "<summary>扫码分享</summary>" in html
    assert path_data in html
    assert path_data in svg
    assert "style=" not in svg


def test_view_counted_once_per_reader_within_window(client, world):
    notice = make_notice(institution=world.unit)

    first = detail(client, notice)
    detail(client, notice)  # a reload
    detail(client, notice, ip="10.0.0.2")  # another reader

    assert views_in_db(notice) == 2
    assert "<span data-views>1</span>" in first.content.decode()


@pytest.mark.parametrize("agent", ["Mozilla/5.0 (compatible; Googlebot/2.1)", "Baiduspider", "curl/8.0", ""])
def test_view_not_counted_for_bots(client, world, agent):
    notice = make_notice(institution=world.unit)

    detail(client, notice, agent=agent)

    assert views_in_db(notice) == 0


def test_view_counted_again_after_the_window(client, world):
    notice = make_notice(institution=world.unit)
    with override_settings(PUBLIC_VIEW_WINDOW_SECONDS=-1):  # every add expires at once
        detail(client, notice)
        detail(client, notice)

    assert views_in_db(notice) == 2


def test_revoked_notice_answers_410_with_date_and_reason_only(client, world):
    notice = make_notice(institution=world.unit, state=State.REVOKED, html="<p>旧的公告内容</p>")

    response = detail(client, notice)

    html = response.content.decode()
    assert response.status_code == 410
    assert "数据填报有误" in html
    assert timezone.localtime(notice.revoked_at).strftime("%Y-%m-%d %H:%M") in html
    assert "旧的公告内容" not in html
    assert notice.title not in html


@pytest.mark.parametrize("state", [State.DRAFT, State.PURCHASER_REVIEW, State.FINANCE_REVIEW])
def test_unpublished_notice_is_404(client, world, state):
    notice = make_notice(institution=world.unit, state=state, html="<p>未发布内容</p>")

    response = detail(client, notice)

    assert response.status_code == 404
    assert "未发布内容" not in response.content.decode()
    assert client.get(reverse("public:qr", args=[notice.public_id])).status_code == 404


def test_test_notices_and_revoked_test_notices_are_404(client, world):
    marked = make_notice(institution=world.unit, is_test=True, html="<p>测试内容</p>")
    test_unit = factories.institution(name="测试机构", is_test=True)
    revoked_test = make_notice(institution=test_unit, state=State.REVOKED)

    answers = [detail(client, marked), detail(client, revoked_test), client.get("/notices/no-such-notice/")]

    assert [r.status_code for r in answers] == [404, 404, 404]
    assert all("测试内容" not in r.content.decode() for r in answers)
    assert all(marked.title not in r.content.decode() for r in answers)


def test_detail_lists_attachments_with_download_links(client, world):
    notice = make_notice(institution=world.unit)
    attachment = Attachment.objects.create(
        announcement=notice,
        file=ContentFile(b"%PDF-1.4", name="x.pdf"),
        original_name="说明附件.pdf",
        size=8,
        content_type="application/pdf",
    )

    html = detail(client, notice).content.decode()

    url = reverse("public:attachment", args=[notice.public_id, attachment.pk])
    assert f'<a href="{url}">说明附件.pdf</a>' in html
    assert client.get(url).getvalue() == b"%PDF-1.4"


@pytest.mark.parametrize("rows", [1, 30])
def test_detail_queries_do_not_grow_with_rows(client, world, django_assert_max_num_queries, rows):
    notice = make_notice(institution=world.unit, rows=[(f"项目{i}", "1", "1") for i in range(rows)])

    with django_assert_max_num_queries(3):
        response = detail(client, notice)

    assert notice.title in response.content.decode()


def test_cached_detail_reads_only_the_view_count(client, world, django_assert_num_queries):
    notice = make_notice(institution=world.unit, html="<p>正文</p>")
    detail(client, notice)

    with django_assert_num_queries(1):
        response = detail(client, notice, ip="10.0.0.9")

    assert "<p>正文</p>" in response.content.decode()
    assert views_in_db(notice) == 2


def test_revocation_of_a_cached_notice_answers_410_at_once(client, world):
    notice = make_notice(institution=world.unit, html="<p>将撤回的正文</p>")
    assert detail(client, notice).status_code == 200

    notice.state, notice.revoked_at, notice.revoke_reason = State.REVOKED, timezone.now(), "重复发布"
    notice.save()
    publication_changed(notice)

    response = detail(client, notice)
    assert response.status_code == 410
    assert "将撤回的正文" not in response.content.decode()


def test_signed_in_reader_never_gets_the_anonymous_cached_page(client, world, login):
    notice = make_notice(institution=world.unit)
    assert "经办人甲" not in detail(client, notice).content.decode()

    html = detail(login(world.handler), notice).content.decode()

    assert "经办人甲" in html
    assert notice.title in html
