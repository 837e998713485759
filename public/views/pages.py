"""The public site: list with search and filters, detail with view count, QR share, robots.

Everything reads through `announcements_published()`. Anonymous responses of the list are
cached under the publication version (public_cache), so a publication or revocation shows at
once. The detail page is not cached as a whole: it counts views and must answer 410 the moment
a notice is revoked; its QR code, which never changes, is.
"""

from datetime import timedelta

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.models import District
from announcements.selectors import announcements_published

from ..cache import public_cache_version, versioned_get, versioned_set
from ..http import (
    cache_params,
    cached_public_response,
    revoked_or_404,
    shares_cached_pages,
    site_url,
)
from ..paging import ListPage
from ..qr import qr_svg
from ..search import PublicNoticeFilter, year_choices
from ..services import count_view

PAGE_SIZE = 20
NEW_DAYS = 3
LIST_PARAMS = ("q", "district", "year", "date_from", "date_to", "page", "after")
FILTER_PARAMS = LIST_PARAMS[:5]
# The unfiltered total is counted once per publication version (a publication or revocation
# bumps it) and kept this long at most.
TOTAL_SECONDS = 3600


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
    form = filterset.form
    filtered = any(request.GET.get(n) for n in FILTER_PARAMS)
    page = ListPage(
        filterset.qs, per_page=PAGE_SIZE, number=request.GET.get("page"), cursor=request.GET.get("after")
    )
    total = page.total if filtered else published_total()
    dates_open = bool(request.GET.get("date_from") or request.GET.get("date_to"))
    if form.is_bound and (form.has_error("date_from") or form.has_error("date_to")):
        dates_open = True
    query = cache_params(request, FILTER_PARAMS)
    context = {
        "filter_form": form,
        "district_options": district_options(form),
        "year_options": year_options(form),
        "page_obj": page,
        "notices": page.object_list,
        "total": total,
        "num_pages": -(-total // PAGE_SIZE) if total is not None and not filtered else None,
        "new_since": timezone.now() - timedelta(days=NEW_DAYS),
        "dates_open": dates_open,
        "filtered": filtered,
        "canonical_url": site_url(reverse("public:list")),
        "download_query": query,
        "page_query": query + "&" if query else "",
    }
    return render(request, "public/notice_list.html", context)


def published_total() -> int:
    """How many notices the public may read, counted once per publication version."""
    key = f"public:total:{public_cache_version()}"
    total = cache.get(key)
    if total is None:
        total = announcements_published().select_related(None).count()
        cache.set(key, total, TOTAL_SECONDS)
    return total


def district_options(form):
    """The 地区 <option>s written directly (no widget template per option); the districts are
    read once an hour, not on every page."""
    choices = cache.get("public:district-choices")
    if choices is None:
        choices = [(d.code, d.name) for d in District.objects.order_by("code").only("code", "name")]
        cache.set("public:district-choices", choices, 3600)
    return _options([("", _("Please choose")), *choices], _bound_value(form, "district"))


def year_options(form):
    return _options([("", _("Any year")), *year_choices()], _bound_value(form, "year"))


def _bound_value(form, name) -> str:
    return str(form[name].value() or "") if form.is_bound else ""


def _options(choices, selected: str):
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) == selected else "", label)
            for value, label in choices
        ),
    )


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
