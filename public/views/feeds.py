"""Atom feed of newly published notices (/notices/feed/, ?district=<code> narrows it)."""

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from accounts.models import District
from announcements.selectors import announcements_published

from ..cache import versioned_get, versioned_set
from ..http import site_url

FEED_SIZE = 50


class NoticeFeed(Feed):
    feed_type = Atom1Feed
    subtitle = _(
        "SME reserved-project execution notices published on the Shanghai government procurement site"
    )

    def get_object(self, request):
        code = request.GET.get("district", "").strip()[:6]
        return District.objects.filter(code=code).first() if code else None

    def title(self, district):
        base = _("SME reserved-project execution notices")
        return f"{base} · {district.name}" if district else str(base)

    def link(self, district):
        path = reverse("public:list")
        return site_url(path + (f"?district={district.code}" if district else ""))

    def feed_url(self, district):
        path = reverse("public:feed")
        return site_url(path + (f"?district={district.code}" if district else ""))

    def items(self, district):
        qs = (
            announcements_published()
            .select_related(None)
            .select_related("institution", "district")
            .defer("search_text", "search_grams", "body_html", "published_html")
            .order_by("-published_at", "-id")
        )
        if district is not None:
            qs = qs.filter(district=district)
        return qs[:FEED_SIZE]

    def item_title(self, item):
        return f"【{item.district.name}】{item.title}"

    def item_description(self, item):
        return f"{item.institution.name} · {item.published_at:%Y-%m-%d}"

    def item_link(self, item):
        return site_url(reverse("public:detail", args=[item.public_id]))

    def item_guid(self, item):
        return self.item_link(item)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at

    def item_author_name(self, item):
        return item.institution.name


_feed = NoticeFeed()


@require_safe
def notice_feed(request):
    """The feed, cached under the publication version like the list."""
    district = request.GET.get("district", "").strip()[:6]
    version, hit = versioned_get("feed", district)
    if hit is not None:
        return HttpResponse(hit[0], content_type=hit[1])
    response = _feed(request)
    if response.status_code == 200:
        versioned_set("feed", district, version=version, value=(response.content, response["Content-Type"]))
    return response
