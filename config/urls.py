from django.contrib import admin
from django.urls import include, path

from accounts.views.auth import admin_login
from config import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Before the admin's own routes: the admin signs in through the console's steps (second factor).
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("console/notices/", include("announcements.urls")),
    path("console/oversight/", include("oversight.urls")),
    path("", include("certificates.urls")),
    path("", include("accounts.urls")),
    path("", include("public.urls")),
]

# 403/404 use Django's handlers with templates/403.html and 404.html; 500 also turns a database
# outage into the 503 page.
handler500 = "config.views.server_error"
handler404 = "config.views.page_not_found"
