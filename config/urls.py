from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("console/notices/", include("announcements.urls")),
    path("console/", include("accounts.urls_console")),
    path("", include("announcements.urls_public")),
]

