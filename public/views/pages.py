"""The public HTML pages: the list (search, filters), a notice's page with its view count, its QR
code, robots.txt. How the pages are drawn lives in public.rendering; these views choose, cache
and answer."""

from functools import partial

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe

from accounts.readers import anonymous_without_cookies
from announcements.selectors import announcements_published

from .. import rendering
from ..cache import versioned_get, versioned_set
from ..front import mark_shared
from ..http import SharedPage, cache_params, site_url
from ..qr import qr_svg
from ..services import count_view
from ..tasks import view_counts_flush_schedule


@require_safe
def public_notice_list(request):
    page = SharedPage(request, "list", cache_params(request, rendering.LIST_PARAMS))
    return page.response or page.keep(rendering.list_page(request))


@require_safe
def public_notice_detail(request, public_id):
    """The notice as approved. For readers who share cached pages the whole page is cached (under
    the publication version) around its view count, so a view costs one small query or none."""
    shared = anonymous_without_cookies(request)
    version, page = versioned_get("detail-page", public_id) if shared else (None, None)
    content = None
    if page is None:
        content = rendering.detail_content(public_id)
        if content is None:
            return rendering.revoked_page(request, public_id)
    pk = page[0] if page else content["pk"]
    views = _counted_view(request, pk, public_id)
    if views is None:  # revoked since the page was cached
        return rendering.revoked_page(request, public_id)
    if not shared:
        return render(request, "public/notice_detail.html", {"notice": content, "views": views})
    if page is None:
        page = (
            content["pk"],
            rendering.detail_html(request, content, rendering.VIEWS_MARK).split(rendering.VIEWS_MARK),
        )
        versioned_set("detail-page", public_id, version=version, value=page)
    response = HttpResponse(str(views).join(page[1]))
    if version is None:
        return response
    return mark_shared(response, (partial(_counted_view, pk=pk, public_id=public_id), page[1]))


def _counted_view(request, pk: int, public_id: str) -> int | None:
    """浏览次数 after this reader's view (counted or not); None when the notice is no longer public."""
    views, flush_wanted = count_view(request, pk=pk, public_id=public_id)
    if flush_wanted:
        view_counts_flush_schedule()
    return views


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
