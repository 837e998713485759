"""Read-replica routing with a second PostgreSQL database standing in for the replica: a copy of
the test database made with CREATE DATABASE … TEMPLATE, so a notice written to the primary
afterwards exists only there. Anonymous public pages read the copy; signed-in readers, console
pages and every write use the primary."""

import pytest
from django.db import connection, connections
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from announcements.models import Announcement
from config.routers import PrimaryReplicaRouter, _replica_reads
from tests.public.conftest import make_notice
from tests.waiting import wait_until

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a second PostgreSQL database"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.filterwarnings("ignore:Overriding setting DATABASES"),
]


@pytest.fixture
def replica(world, settings):
    """The primary as it is now, copied into <test database>_replica and configured as "replica"."""
    import psycopg2

    primary = connections["default"].settings_dict
    name = f"{primary['NAME']}_replica"
    connections.close_all()  # CREATE DATABASE … TEMPLATE needs the template without sessions
    admin = psycopg2.connect(
        host=primary["HOST"],
        port=primary["PORT"] or 5432,
        user=primary["USER"],
        password=primary["PASSWORD"],
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        # Earlier tests' threads (live servers, concurrency tests) may still hold persistent
        # connections (CONN_MAX_AGE); they would block the copy, so end them first.
        others = "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
        cursor.execute(f"SELECT pg_terminate_backend(pid) {others}", [primary["NAME"]])

        def sessions_gone():
            cursor.execute(f"SELECT count(*) {others}", [primary["NAME"]])
            return cursor.fetchone()[0] == 0

        # Termination is asynchronous: the copy needs them gone.
        wait_until(sessions_gone, timeout=10, message="other sessions still hold the test database")
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{primary["NAME"]}"')
    replica_settings = {**primary, "NAME": name}
    settings.DATABASES = {**settings.DATABASES, "replica": replica_settings}
    # A connection made here, not by the handler from its settings: Django's test case allows it.
    connections["replica"] = load_backend(primary["ENGINE"]).DatabaseWrapper(replica_settings, "replica")
    yield name
    connections["replica"].close()
    del connections["replica"]
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.close()


@pytest.fixture
def notices(world):
    return make_notice(institution=world.unit, title="复制前的公告")


def test_anonymous_list_reads_the_replica(client, world, notices, replica):
    make_notice(institution=world.unit, title="只在主库的公告")  # written after the copy

    with CaptureQueriesContext(connections["replica"]) as on_replica:
        html = client.get(reverse("public:list")).content.decode()

    assert "复制前的公告" in html
    assert "只在主库的公告" not in html
    assert any("announcements_announcement" in q["sql"] for q in on_replica.captured_queries)


def test_detail_api_page_and_feed_read_the_replica_on_a_cache_miss(client, world, notices, replica, settings):
    settings.PUBLIC_CACHE_SECONDS = 0  # the queries compiled once per process (public.prepared)
    later = make_notice(institution=world.unit, title="只在主库的公告")
    reads = {}

    def read(name, path):
        # Each page's own reads (a server-prepared query is sent as EXECUTE, without its SQL).
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            response = client.get(path)
        reads[name] = len(on_replica.captured_queries)
        return response

    copied = read("detail", reverse("public:detail", args=[notices.public_id]))
    only_primary = read("detail of a notice not yet copied", reverse("public:detail", args=[later.public_id]))
    api = read("API page", reverse("public:api_list")).content.decode()
    feed = read("feed", reverse("public:feed")).content.decode()

    assert copied.status_code == 200
    assert only_primary.status_code == 404
    assert notices.public_id in api and later.public_id not in api
    assert "复制前的公告" in feed and "只在主库的公告" not in feed
    assert {name: count > 0 for name, count in reads.items()} == {name: True for name in reads}


def test_signed_in_reader_and_console_read_the_primary(login, world, notices, replica):
    make_notice(institution=world.unit, title="只在主库的公告")
    client = login(world.handler)

    with CaptureQueriesContext(connections["replica"]) as on_replica:
        public_html = client.get(reverse("public:list")).content.decode()
        console = client.get("/console/notices/")

    assert "只在主库的公告" in public_html
    assert console.status_code == 200
    assert on_replica.captured_queries == []


def test_writes_go_to_the_primary_even_during_a_replica_read(world, notices, replica):
    token = _replica_reads.set(True)
    try:
        assert PrimaryReplicaRouter().db_for_read(Announcement) == "replica"
        Announcement.objects.filter(pk=notices.pk).update(view_count=7)
    finally:
        _replica_reads.reset(token)

    assert Announcement.objects.using("default").get(pk=notices.pk).view_count == 7
    assert Announcement.objects.using("replica").get(pk=notices.pk).view_count == 0


def test_without_a_replica_everything_reads_the_primary(world):
    token = _replica_reads.set(True)
    try:
        assert PrimaryReplicaRouter().db_for_read(Announcement) is None
    finally:
        _replica_reads.reset(token)


def test_unreachable_replica_public_pages_read_the_primary(client, world, notices):
    """A stopped replica must not take the public site down: the page comes from the primary, and
    the process leaves the replica alone for REPLICA_RETRY_SECONDS instead of retrying per request."""
    import socket
    import time

    from config import routers

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]  # bound, never listening: connections are refused
        primary = connections["default"].settings_dict
        stopped = {**primary, "HOST": "127.0.0.1", "PORT": closed_port}
        connections["replica"] = load_backend(primary["ENGINE"]).DatabaseWrapper(stopped, "replica")
        make_notice(institution=world.unit, title="副本停机时的公告")
        try:
            from django.test import override_settings

            with override_settings(DATABASES={**connections.settings, "replica": stopped}):
                page = client.get(reverse("public:list"))
                again = client.get(reverse("public:list") + "?q=副本停机")
            retry_after = routers._replica_down_until - time.monotonic()
        finally:
            del connections["replica"]
            routers._replica_down_until = 0.0

    assert "副本停机时的公告" in page.content.decode()
    assert "副本停机时的公告" in again.content.decode()
    assert 0 < retry_after <= 5


def test_replica_failing_mid_request_the_page_is_read_from_the_primary(
    client, world, notices, replica, monkeypatch
):
    """The replica stops while a public page reads from it: the reader gets the page from the
    primary, not the 503 page."""
    from django.db import OperationalError

    from config import routers

    make_notice(institution=world.unit, title="只在主库的公告")
    connections["replica"].ensure_connection()

    def stopped(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(connections["replica"], "_cursor", stopped)
    try:
        page = client.get(reverse("public:list"))
        replica_left_alone = routers._replica_down_until > 0
    finally:
        routers._replica_down_until = 0.0

    assert page.status_code == 200
    assert "只在主库的公告" in page.content.decode()
    assert replica_left_alone
