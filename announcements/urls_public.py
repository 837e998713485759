from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import api, converters, feeds, ocds, public_exports  # noqa: F401 - converters registers <public_id:>
from .sitemaps import SITEMAPS
from .views import public

app_name = "public"

urlpatterns = [
    path("", public.notice_list, name="home"),
    path("notices/", public.notice_list, name="list"),
    path("notices/feed/", feeds.notice_feed, name="feed"),
    path("notices/download/rows.csv", public_exports.download_csv, name="download_csv"),
    path("notices/download/rows.xlsx", public_exports.download_xlsx, name="download_xlsx"),
    path("notices/<public_id:public_id>/", public.notice_detail, name="detail"),
    path("notices/<public_id:public_id>/qr.svg", public.notice_qr, name="qr"),
    path("api/notices/", api.notice_list, name="api_list"),
    path("api/notices/<public_id:public_id>/", api.notice_detail, name="api_detail"),
    path("api/ocds/releases/", ocds.releases, name="ocds_releases"),
    path("api/ocds/extension.json", ocds.extension_json, name="ocds_extension"),
    path("api/ocds/release-schema.json", ocds.extension_release_schema, name="ocds_extension_schema"),
    path(
        "sitemap.xml",
        public.cached_sitemap(public.sitemap_index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "public:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        public.cached_sitemap(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("robots.txt", public.robots_txt, name="robots"),
]

if getattr(settings, "BENCH_TRIVIAL_VIEW", False):
    urlpatterns.append(path("bench/trivial/", public.bench_trivial, name="bench_trivial"))
