import pytest
from django.urls import reverse

from announcements.enums import State
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db


def test_sitemap_lists_published_notices_with_canonical_urls(client, world, settings):
    settings.SITE_URL = "https://notices.example.cn"
    notice = make_notice(institution=world.unit)
    revoked = make_notice(institution=world.unit, state=State.REVOKED)

    index = client.get(reverse("public:sitemap")).content.decode()
    section = client.get(reverse("public:sitemap_section", args=["notices"])).content.decode()

    assert "<loc>https://notices.example.cn/sitemap-notices.xml</loc>" in index
    assert f"<loc>https://notices.example.cn/notices/{notice.public_id}/</loc>" in section
    assert revoked.public_id not in section


def test_robots_points_to_the_sitemap_and_keeps_crawlers_out_of_the_console(client, settings):
    settings.SITE_URL = "https://notices.example.cn"

    text = client.get("/robots.txt").content.decode()

    assert "Sitemap: https://notices.example.cn/sitemap.xml" in text
    assert "Disallow: /console/" in text
