"""The API described (OpenAPI 3.1 at /api/openapi.json) and fuzzed: every operation, a bounded
number of generated requests through the WSGI application (no network), no 500 and no response
that breaks the document."""

import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.urls import reverse
from hypothesis import HealthCheck, settings
from jsonschema import Draft202012Validator
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from announcements.enums import State
from public.openapi import openapi_document

from .conftest import make_notice

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_dict(openapi_document())
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def notices(world):
    make_notice(
        institution=world.unit, title="接口公告甲", rows=[("物业", "12.5", "10"), ("保洁", "1", "0.5")]
    )
    make_notice(institution=world.outsider, title="接口公告乙", year=2025)
    return make_notice(institution=world.unit, title="已撤回", state=State.REVOKED)


def _resolve(document, node):
    if isinstance(node, dict):
        if "$ref" in node:
            return _resolve(document, document["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]])
        return {k: _resolve(document, v) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(document, v) for v in node]
    return node


def _validate(document, path, status, body):
    operation = document["paths"][path]["get"]
    raw = operation["responses"][str(status)]["content"]["application/json"]["schema"]
    errors = list(Draft202012Validator(_resolve(document, raw)).iter_errors(body))
    assert errors == [], errors


def test_document_is_served_and_matches_real_responses(client, notices):
    document = json.loads(client.get(reverse("public:openapi")).content)
    listing = client.get("/api/notices/", {"limit": 1})
    first = json.loads(listing.content)["results"][0]
    detail = client.get(f"/api/notices/{first['id']}/")
    revoked = client.get(f"/api/notices/{notices.public_id}/")
    ocds = client.get("/api/ocds/releases/")
    bad = client.get("/api/notices/", {"date_from": "2025-13-45"})

    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {
        "/api/notices/",
        "/api/notices/{public_id}/",
        "/api/ocds/releases/",
        "/api/ocds/extension.json",
        "/api/ocds/release-schema.json",
    }
    _validate(document, "/api/notices/", 200, json.loads(listing.content))
    _validate(document, "/api/notices/{public_id}/", 200, json.loads(detail.content))
    _validate(document, "/api/notices/{public_id}/", 410, json.loads(revoked.content))
    _validate(document, "/api/ocds/releases/", 200, json.loads(ocds.content))
    _validate(document, "/api/notices/", 400, json.loads(bad.content))


@pytest.fixture
def wsgi_app():
    """The WSGI application as gunicorn runs it, minus the per-request connection closing that
    Django's own test client also switches off (it would close the test's transaction)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_fuzzed_by_schemathesis_finds_no_500_and_no_schema_break(case, notices, wsgi_app):
    case.call_and_validate(app=wsgi_app, checks=CHECKS)
