from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import converters  # noqa: F401 - registers <public_id:>
from .conditional import http_cached
from .sitemaps import SITEMAPS
from .views import api, attachments, downloads, feeds, ocds, openapi, pages

app_name = "public"

urlpatterns = [
    path("", http_cached(pages.public_notice_list), name="home"),
    path("notices/", http_cached(pages.public_notice_list), name="list"),
    path("notices/feed/", http_cached(feeds.notice_feed), name="feed"),
    path("notices/download/rows.csv", downloads.download_csv, name="download_csv"),
    path("notices/download/rows.xlsx", downloads.download_xlsx, name="download_xlsx"),
    path("notices/<public_id:public_id>/", http_cached(pages.public_notice_detail), name="detail"),
    path("notices/<public_id:public_id>/qr.svg", pages.notice_qr, name="qr"),
    path(
        "notices/<public_id:public_id>/attachments/<int:attachment_id>/",
        attachments.public_attachment_download,
        name="attachment",
    ),
    path("api/openapi.json", openapi.openapi_json, name="openapi"),
    path("api/notices/", http_cached(api.api_notice_list), name="api_list"),
    path("api/notices/<public_id:public_id>/", http_cached(api.api_notice_detail), name="api_detail"),
    path("api/ocds/releases/", ocds.ocds_releases, name="ocds_releases"),
    path("api/ocds/extension.json", ocds.ocds_extension_json, name="ocds_extension"),
    path("api/ocds/release-schema.json", ocds.ocds_extension_release_schema, name="ocds_extension_schema"),
    path(
        "sitemap.xml",
        pages.cached_sitemap(pages.sitemap_index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "public:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        pages.cached_sitemap(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", pages.robots_txt, name="robots"),
]

if getattr(settings, "BENCH_TRIVIAL_VIEW", False):
    urlpatterns.append(path("bench/trivial/", pages.bench_trivial, name="bench_trivial"))
