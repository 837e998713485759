import json
from unittest import mock

from django.db import OperationalError
from django.urls import reverse


def test_healthz_answers_without_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("healthz"))

    assert (response.status_code, response.content) == (200, b"ok")
    assert "no-cache" in response["Cache-Control"]


def test_readyz_reports_database_and_cache_ok(client, db):
    response = client.get(reverse("readyz"))

    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "cache": "ok"}


def test_readyz_reports_database_down_with_503(client, db):
    with mock.patch("config.health.connection.cursor", side_effect=OperationalError("connection refused")):
        response = client.get(reverse("readyz"))

    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable", "database": "error", "cache": "ok"}


def test_readyz_reports_cache_failure_as_degraded_and_stays_ready(client, db):
    # The cache is an accelerator: the app server still serves, so the balancer keeps it.
    with mock.patch("config.health.cache.set", side_effect=ConnectionError("redis down")):
        response = client.get(reverse("readyz"))

    body = json.loads(response.content)
    assert response.status_code == 200
    assert (body["status"], body["database"], body["cache"]) == ("ok", "ok", "degraded")


def test_healthz_is_not_redirected_to_https(client, settings):
    # Load balancers probe over plain HTTP: SECURE_REDIRECT_EXEMPT keeps the probes answering.
    settings.SECURE_SSL_REDIRECT = True

    health = client.get("/healthz")
    other = client.get("/notices/")

    assert (health.status_code, health.content) == (200, b"ok")
    assert other.status_code == 301 and other["Location"].startswith("https://")
