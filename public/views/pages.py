"""The public site: list with search and filters, detail with view count, QR share, robots.

Everything reads through `announcements_published()`. Anonymous responses of the list are
cached under the publication version (public_cache), so a publication or revocation shows at
once. The detail page is not cached as a whole: it counts views and must answer 410 the moment
a notice is revoked; its QR code, which never changes, is.
"""

from datetime import timedelta

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from announcements.selectors import announcements_published

from ..cache import versioned_get, versioned_set
from ..http import (
    CappedPaginator,
    cache_params,
    cached_public_response,
    canonical_query,
    revoked_or_404,
    shares_cached_pages,
    site_url,
)
from ..qr import qr_svg
from ..search import PublicNoticeFilter
from ..services import count_view

PAGE_SIZE = 20
NEW_DAYS = 3
# A keyword search counts at most this many matches: an exact count of a word found in a
# fifth of 100,000 notices would read 20,000 rows; beyond the cap the page says "more than"
# (25 pages: narrowing by 地区 or 年份 reaches the rest).
SEARCH_COUNT_CAP = 500
LIST_PARAMS = ("q", "district", "year", "date_from", "date_to", "page")


@require_safe
def public_notice_list(request):
    return cached_public_response(
        request, "list", cache_params(request, LIST_PARAMS), lambda: _render_list(request)
    )


def _render_list(request):
    queryset = (
        announcements_published()
        .select_related(None)
        .select_related("district")
        .only("public_id", "title", "published_at", "district__name")
        .order_by("-published_at", "-id")
    )
    filterset = PublicNoticeFilter(request.GET or None, queryset=queryset)
    keyword = filterset.form.is_valid() and filterset.form.cleaned_data.get("q")
    paginator = CappedPaginator(filterset.qs, PAGE_SIZE, cap=SEARCH_COUNT_CAP if keyword else None)
    page = paginator.get_page(request.GET.get("page"))
    form = filterset.form
    dates_open = bool(request.GET.get("date_from") or request.GET.get("date_to"))
    if form.is_bound and (form.has_error("date_from") or form.has_error("date_to")):
        dates_open = True
    context = {
        "filter_form": form,
        "page_obj": page,
        "notices": page.object_list,
        "new_since": timezone.now() - timedelta(days=NEW_DAYS),
        "dates_open": dates_open,
        "filtered": any(request.GET.get(n) for n in LIST_PARAMS if n != "page"),
        "canonical_url": site_url(reverse("public:list")),
        "download_query": canonical_query(request, [n for n in LIST_PARAMS if n != "page"]),
    }
    # An invalid filter answers 400 (and cached_public_response never stores a 400).
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "public/notice_list.html", context, status=status)


def detail_content(public_id: str) -> dict | None:
    """What the detail page shows of a published notice, cached under the publication version
    (a revocation bumps it, so the next request answers 410). None when not published."""
    version, content = versioned_get("detail", public_id)
    if content is not None:
        return content or None
    notice = (
        announcements_published()
        .select_related(None)
        .select_related("institution")
        .only("public_id", "title", "published_at", "published_html", "institution__name")
        .filter(public_id=public_id)
        .first()
    )
    if notice is None:
        versioned_set("detail", public_id, version=version, value={})  # floods of bad ids stay cheap
        return None
    page_url = site_url(reverse("public:detail", args=[notice.public_id]))
    content = {
        "pk": notice.pk,
        "public_id": notice.public_id,
        "title": notice.title,
        "unit": notice.institution.name,
        "published_at": notice.published_at,
        "published_html": notice.published_html,
        "attachments": [
            {"name": name, "size": size, "url": reverse("public:attachment", args=[notice.public_id, pk])}
            for pk, name, size in notice.attachments.values_list("pk", "original_name", "size")
        ],
        "canonical_url": page_url,
        "og_description": Truncator(" ".join(strip_tags(notice.published_html).split())).chars(120),
        "qr_svg": qr_svg(page_url),
    }
    versioned_set("detail", public_id, version=version, value=content)
    return content


# Stands for the view count in a cached page; a word joiner, which no notice text contains.
VIEWS_MARK = "\u2060views\u2060"


@require_safe
def public_notice_detail(request, public_id):
    """The notice as approved. For anonymous readers without cookies the whole page is cached
    (under the publication version) around its view count, so a view costs one small query."""
    anonymous = shares_cached_pages(request)
    version, page = versioned_get("detail-page", public_id) if anonymous else (None, None)
    content = None
    if page is None:
        content = detail_content(public_id)
        if content is None:
            return revoked_response(request, public_id)
    views = count_view(request, pk=page[0] if page else content["pk"], public_id=public_id)
    if views is None:
        return revoked_response(request, public_id)
    if not anonymous:
        return render(request, "public/notice_detail.html", {"notice": content, "views": views})
    if page is None:
        context = {"notice": content, "views": VIEWS_MARK}
        html = render_to_string("public/notice_detail.html", context, request)
        page = (content["pk"], html.split(VIEWS_MARK))
        versioned_set("detail-page", public_id, version=version, value=page)
    return HttpResponse(str(views).join(page[1]))


def revoked_response(request, public_id):
    revoked = revoked_or_404(public_id)
    return render(request, "public/notice_revoked.html", {"revoked": revoked}, status=410)


@require_safe
def notice_qr(request, public_id):
    """The QR code alone, for pages and apps that want an image URL."""
    if not announcements_published().filter(public_id=public_id).exists():
        raise Http404
    svg = qr_svg(site_url(reverse("public:detail", args=[public_id])))
    return HttpResponse('<?xml version="1.0" encoding="UTF-8"?>\n' + svg, content_type="image/svg+xml")


@require_safe
def robots_txt(request):
    text = render_to_string("public/robots.txt", {"sitemap_url": site_url(reverse("public:sitemap"))})
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


def bench_trivial(request):
    """A view that does nothing, so that the benchmark has a ceiling to compare with."""
    return HttpResponse(b"ok", content_type="text/plain")


def cached_sitemap(view):
    """Wrap a sitemap view so its XML is cached under the publication version."""

    @require_safe
    def wrapped(request, **kwargs):
        params = cache_params(request, ("p",)) + "|" + kwargs.get("section", "")
        return cached_public_response(request, "sitemap", params, lambda: _rendered(view(request, **kwargs)))

    return wrapped


def _rendered(response):
    # Sitemap views answer with a lazy TemplateResponse; the cache needs its bytes.
    if hasattr(response, "render"):
        response.render()
    return response


def sitemap_index(request, sitemaps, sitemap_url_name):
    """Like django.contrib.sitemaps.views.index, with canonical (settings.SITE_URL) section URLs
    instead of the request's host."""
    from django.contrib.sitemaps.views import SitemapIndexItem
    from django.template.response import TemplateResponse

    items = []
    for section, sitemap_class in sitemaps.items():
        sitemap = sitemap_class()
        url = site_url(reverse(sitemap_url_name, kwargs={"section": section}))
        items.append(SitemapIndexItem(url, None))
        items.extend(
            SitemapIndexItem(f"{url}?p={p}", None) for p in range(2, sitemap.paginator.num_pages + 1)
        )
    return TemplateResponse(request, "sitemap_index.xml", {"sitemaps": items}, content_type="application/xml")
