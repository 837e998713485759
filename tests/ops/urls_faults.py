"""The site's URLs plus views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.urls import path

from config.urls import handler500  # noqa: F401 - handler500 is looked up here
from config.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("secret internal detail")


def db_down(request):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def db_interface(request):
    raise InterfaceError("connection already closed")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    path("fault/boom/", boom),
    path("fault/db-down/", db_down),
    path("fault/db-interface/", db_interface),
    path("fault/forbidden/", forbidden),
    *site_urlpatterns,
]
