"""The benchmark's URLconf: the site's URLs plus /bench/trivial/, a view that does nothing, as the
ceiling each page is compared with. Only the bench servers use it (bench/settings.py); the
production URLconf has no such view."""

from django.http import HttpResponse
from django.urls import path

from config.urls import handler404, handler500  # noqa: F401
from config.urls import urlpatterns as site_urlpatterns


def bench_trivial(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", bench_trivial, name="bench_trivial"), *site_urlpatterns]
