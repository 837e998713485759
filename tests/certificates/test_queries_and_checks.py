"""CA管理's lists cost the same number of queries whatever they hold; the settings check stops a
typo in CA_REQUIRED_POSITIONS."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates.checks import certificate_settings
from certificates.services import certificate_bind

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("name", ["certificates:list", "certificates:staff"])
def test_list_query_count_does_not_grow(world, login, pki, name):
    client = login(world.admin)
    certificate_bind(user=world.admin, data=pki.issue(cn="管理员甲").pem)
    one = queries(client, reverse(name))

    for holder in (world.admin, world.handler, world.reviewer):
        certificate_bind(user=holder, data=pki.issue(cn=holder.full_name).pem)

    assert queries(client, reverse(name)) == one


def test_check_refuses_an_unknown_required_position(settings, pki):
    settings.CA_REQUIRED_POSITIONS = ["finance_reviewr"]

    assert [error.id for error in certificate_settings()] == ["certificates.E001"]


def test_check_refuses_a_required_position_without_a_trust_bundle(settings):
    settings.CA_REQUIRED_POSITIONS = ["finance_reviewer"]
    settings.CA_TRUST_BUNDLE = ""

    assert [error.id for error in certificate_settings()] == ["certificates.E002"]
