"""The PostgreSQL health check of config.postgresql: a connection kept between requests is only
pinged (SELECT 1) when the server has said something while it sat idle, and one the server ended
is replaced before the next request's first query, which then runs without an error."""

import pytest
from django.db import connection, connections

from tests.waiting import wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
]


@pytest.fixture
def kept_connection():
    """A connection of its own, as a production process keeps it (CONN_MAX_AGE, health checks)."""
    wrapper = connections.create_connection("default")
    wrapper.settings_dict = {**wrapper.settings_dict, "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def next_request(wrapper):
    """What Django does when the next request starts (the request_started signal)."""
    wrapper.close_if_unusable_or_obsolete()


def backend_pid(wrapper) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_quiet_healthy_connection_is_reused_without_a_ping(kept_connection, monkeypatch):
    pid = backend_pid(kept_connection)
    pings = []
    monkeypatch.setattr(kept_connection, "is_usable", lambda: pings.append(1) or True)

    next_request(kept_connection)
    again = backend_pid(kept_connection)

    assert again == pid
    assert pings == []


def test_connection_the_server_ended_is_replaced_before_the_next_query(kept_connection):
    pid = backend_pid(kept_connection)
    with connection.cursor() as cursor:  # another session ends it, as a restart or failover would
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0] is True
    wait_until(kept_connection._server_spoke_while_idle, timeout=10, message="the server said nothing")

    next_request(kept_connection)
    again = backend_pid(kept_connection)

    assert again != pid
