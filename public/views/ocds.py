"""OCDS 1.1 release packages of published rows (public/ocds.py holds the mapping)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ..http import cache_params, cached_public_response, canonical_query, json_response, site_url
from ..ocds import EXTENSION_SCHEMA_PATCH, release_package, releases_for_notice
from ..paging import FILTER_PARAMS, PAGE_PARAMS, next_url, page_of_notices, published_for_api


@require_safe
def ocds_releases(request):
    def build():
        queryset = published_for_api().prefetch_related("report__rows__unit")
        notices, next_cursor, errors = page_of_notices(request, queryset)
        if errors:
            return json_response({"errors": errors}, status=400)
        items = [release for n in notices for release in releases_for_notice(n)]
        if not items:
            # The package schema requires at least one release.
            return json_response({"detail": _("No releases match.")}, status=404)
        newest = max(n.published_at for n in notices)
        package = release_package(
            releases=items,
            # From the known parameters only: the package is cached and shared by every reader.
            uri=site_url(_with_query(request.path, canonical_query(request, FILTER_PARAMS + PAGE_PARAMS))),
            published_date=newest or timezone.now(),
            next_link=next_url(request, "public:ocds_releases", next_cursor),
        )
        return json_response(package)

    return cached_public_response(request, "ocds", cache_params(request, FILTER_PARAMS + PAGE_PARAMS), build)


def _with_query(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


@require_safe
def ocds_extension_json(request):
    return json_response(
        {
            "name": {"en": "SME reservation (Shanghai)", "zh": "面向中小企业预留"},
            "description": {
                "en": "Adds tender.smeReservation: the reservation option, share and amounts of a project "
                "reserved for SMEs, as published in Shanghai's 面向中小企业预留项目执行情况公告."
            },
            "documentationUrl": {"en": site_url("/api/ocds/")},
            "schemas": ["release-schema.json"],
            "compatibility": ["1.1"],
        }
    )


@require_safe
def ocds_extension_release_schema(request):
    return json_response(EXTENSION_SCHEMA_PATCH)
