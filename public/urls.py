from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import converters  # noqa: F401 - registers <public_id:>
from .conditional import http_cached
from .formats import atom, json_api, ocds
from .paging import FILTER_PARAMS, PAGE_PARAMS
from .sitemaps import SITEMAPS
from .views import attachments, downloads, openapi, pages, seals
from .views.formats import served
from .views.sitemaps import cached_sitemap, sitemap_index

app_name = "public"

API_PARAMS = FILTER_PARAMS + PAGE_PARAMS

urlpatterns = [
    path("", http_cached(pages.public_notice_list), name="home"),
    path("notices/", http_cached(pages.public_notice_list), name="list"),
    path("notices/feed/", http_cached(served(atom.feed, "feed", ("district",))), name="feed"),
    path("notices/download/rows.csv", downloads.download_csv, name="download_csv"),
    path("notices/download/rows.xlsx", downloads.download_xlsx, name="download_xlsx"),
    path("notices/<public_id:public_id>/", http_cached(pages.public_notice_detail), name="detail"),
    path("notices/<public_id:public_id>/qr.svg", pages.notice_qr, name="qr"),
    path("notices/<public_id:public_id>/sealed.pdf", seals.sealed_pdf, name="sealed_pdf"),
    path("notices/verify-seal/", seals.seal_verify, name="seal_verify"),
    # Beside the page, not under /api/: the open-data API only reads (config ApiReadOnlyMiddleware).
    path("notices/verify-seal/result.json", seals.api_seal_verify, name="api_seal_verify"),
    path(
        "notices/<public_id:public_id>/attachments/<int:attachment_id>/",
        attachments.public_attachment_download,
        name="attachment",
    ),
    path("api/openapi.json", openapi.openapi_json, name="openapi"),
    path("api/notices/", http_cached(served(json_api.notice_list, "api-list", API_PARAMS)), name="api_list"),
    path(
        "api/notices/<public_id:public_id>/",
        http_cached(served(json_api.notice_detail, "api-detail")),
        name="api_detail",
    ),
    path("api/ocds/releases/", served(ocds.releases, "ocds", API_PARAMS), name="ocds_releases"),
    path("api/ocds/extension.json", served(ocds.extension, "ocds", cached=False), name="ocds_extension"),
    path(
        "api/ocds/release-schema.json",
        served(ocds.release_schema, "ocds", cached=False),
        name="ocds_extension_schema",
    ),
    path(
        "sitemap.xml",
        cached_sitemap(sitemap_index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "public:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cached_sitemap(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", pages.robots_txt, name="robots"),
]
