"""The sitemap index and sections, cached under the publication version like the list."""

from django.contrib.sitemaps.views import SitemapIndexItem
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from ..http import SharedPage, cache_params, site_url


def cached_sitemap(view):
    """Wrap a sitemap view so its XML is kept in the page cache."""

    @require_safe
    def wrapped(request, **kwargs):
        key = cache_params(request, ("p",))
        page = SharedPage(request, "sitemap", None if key is None else key + "|" + kwargs.get("section", ""))
        if page.response:
            return page.response
        response = view(request, **kwargs)
        # Sitemap views answer with a lazy TemplateResponse; the cache needs its bytes.
        if hasattr(response, "render"):
            response.render()
        return page.keep(response)

    return wrapped


def sitemap_index(request, sitemaps, sitemap_url_name):
    """Like django.contrib.sitemaps.views.index, with canonical (settings.SITE_URL) section URLs
    instead of the request's host."""
    items = []
    for section, sitemap_class in sitemaps.items():
        sitemap = sitemap_class()
        url = site_url(reverse(sitemap_url_name, kwargs={"section": section}))
        items.append(SitemapIndexItem(url, None))
        items.extend(
            SitemapIndexItem(f"{url}?p={p}", None) for p in range(2, sitemap.paginator.num_pages + 1)
        )
    return TemplateResponse(request, "sitemap_index.xml", {"sitemaps": items}, content_type="application/xml")
