"""CSRF: every URL the crawler finds (pages and form targets) refuses a POST without the token."""

from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.urls import reverse

from .crawler import crawl, route_of, unique_forms

STARTS = ["/console/", "/console/notices/", "/console/staff/", "/console/oversight/", "/", "/accounts/login/"]
ROLES = ["demo-handler", "demo-admin", "demo-reviewer", "demo-finance", "demo-supervisor", None]


def _row_counts():
    # Sessions and the sign-in log grow with every test sign-in; everything else must stay put.
    skip = {"sessions", "axes"}
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label not in skip and m._meta.label != "accounts.SignInRecord"
    }


@pytest.mark.django_db
def test_csrf_every_post_url_refuses_a_post_without_the_token(demo, client_for):
    targets = {}
    for role in ROLES:
        crawler_client = client_for(demo[role] if role else None)
        pages, forms = crawl(crawler_client, STARTS, max_pages=120)
        for url in [p.url for p in pages] + [f.action for f in unique_forms(forms) if f.method == "post"]:
            route = route_of(urlsplit(url).path)
            targets.setdefault((role, route), url)
    before = _row_counts()

    refused, accepted = [], []
    for (role, _route), url in sorted(targets.items(), key=lambda item: str(item)):
        client = client_for(demo[role] if role else None, enforce_csrf_checks=True)
        response = client.post(url, {"title": "csrf", "comment": "csrf", "full_name": "csrf"})
        if response.status_code == 403 and "页面已过期" in response.content.decode():
            refused.append(url)
        elif response.status_code == 405 and urlsplit(url).path.startswith("/api/"):
            refused.append(url)  # the read-only API refuses every write before the CSRF check
        else:
            accepted.append(f"{role} {url}: {response.status_code}")

    assert accepted == []
    assert len(refused) >= 20
    assert _row_counts() == before


@pytest.mark.django_db
def test_csrf_login_form_with_the_token_still_works(demo, client_for):
    client = client_for(None, enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    token = page.context["csrf_token"] if page.context else client.cookies["csrftoken"].value

    response = client.post(
        "/accounts/login/",
        {"username": "demo-handler", "password": "demo-pass-2026", "csrfmiddlewaretoken": str(token)},
    )

    assert response.status_code == 302 and response.url == reverse("accounts:console")
    assert int(client.session["_auth_user_id"]) == demo["demo-handler"].pk
