"""With DEBUG on (`make run`), a missing page shows the site's 404 page, not Django's technical
page with the URL list; DEBUG_TECHNICAL_404=1 keeps the technical page."""

import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db

MIDDLEWARE = "config.debug_pages.SiteNotFoundPageMiddleware"


@pytest.fixture
def debug_site(settings):
    settings.DEBUG = True
    if MIDDLEWARE not in settings.MIDDLEWARE:
        settings.MIDDLEWARE = [*settings.MIDDLEWARE, MIDDLEWARE]
    return Client()


def test_an_unknown_address_shows_the_sites_404_page(debug_site):
    response = debug_site.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()

    assert response.status_code == 404
    assert "页面不存在" in page or "Page not found" in page
    assert "URLconf" not in page and "admin/" not in page


def test_a_missing_notice_shows_the_sites_404_page(debug_site):
    response = debug_site.get("/notices/0123456789abcdef0123456789abcdef/")
    page = response.content.decode()

    assert response.status_code == 404
    assert 'class="card narrow error-page"' in page and "Raised by:" not in page


def test_a_missing_api_object_still_answers_json(debug_site):
    response = debug_site.get("/api/notices/0123456789abcdef0123456789abcdef/")

    assert response.status_code == 404
    assert response.json() == {"detail": response.json()["detail"]}


def _middleware_with(env) -> str:
    code = "from django.conf import settings as s; print('config.debug_pages' in ' '.join(s.MIDDLEWARE))"
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.strip()


def test_the_site_page_is_the_default_under_debug_and_the_technical_page_a_setting():
    assert _middleware_with({"DEBUG": "1"}) == "True"
    assert _middleware_with({"DEBUG": "1", "DEBUG_TECHNICAL_404": "1"}) == "False"
