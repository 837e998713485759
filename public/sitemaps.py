"""sitemap.xml: the list and every published notice, with canonical (settings.SITE_URL) URLs."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from announcements.selectors import announcements_published


class _CanonicalSitemap(Sitemap):
    # Without django.contrib.sites the framework would use the request's host.
    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site=None):
        parts = urlsplit(settings.SITE_URL)
        return parts.netloc + parts.path


class NoticeSitemap(_CanonicalSitemap):
    changefreq = "never"
    limit = 10_000

    def items(self):
        return (
            announcements_published()
            .select_related(None)
            .only("public_id", "published_at")
            .order_by("-published_at", "-id")
        )

    def location(self, item):
        return reverse("public:detail", args=[item.public_id])

    def lastmod(self, item):
        return item.published_at


class ListSitemap(_CanonicalSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["public:list"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"pages": ListSitemap, "notices": NoticeSitemap}
