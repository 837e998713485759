"""public.prepared: a query compiled once answers what the ORM answers for every new value."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone

from announcements.models import Announcement
from announcements.selectors import announcements_published
from public.prepared import PreparedQuery
from tests.public.conftest import make_notice

pytestmark = pytest.mark.django_db

COLUMNS = ("pk", "public_id", "title", "published_at", "district__name", "report__sme_total")


def after(moment, pk, unit_name):
    return (
        announcements_published()
        .filter(Q(published_at__lt=moment) | Q(published_at=moment, pk__lt=pk), institution__name=unit_name)
        .order_by("-published_at", "-id")
        .values_list(*COLUMNS)
    )


def test_rows_are_the_orms_rows_for_every_value(world):
    now = timezone.now()
    notices = [
        make_notice(
            institution=world.unit,
            rows=[("项目", f"{i + 1}.125", "1")],
            published_at=now - timedelta(hours=i),
        )
        for i in range(6)
    ]
    make_notice(institution=world.outsider, published_at=now - timedelta(hours=2))
    query = PreparedQuery(Announcement, after, moment=datetime, pk=int, unit_name=str)

    for notice in (notices[0], notices[3], notices[5]):
        notice.refresh_from_db()
        values = {"moment": notice.published_at, "pk": notice.pk, "unit_name": world.unit.name}
        rows = query.rows(**values)

        assert rows == list(after(**values))
        assert all(isinstance(row[3], datetime) and row[3].tzinfo is not None for row in rows)
        assert all(isinstance(row[5], Decimal) for row in rows)
    assert query.rows(moment=now - timedelta(days=30), pk=10**9, unit_name=world.unit.name) == []
    assert len(query.rows(moment=now + timedelta(days=1), pk=10**9, unit_name=world.unit.name)) == 6


def test_annotations_come_in_the_order_asked(world):
    make_notice(institution=world.unit, title="Abc公告")
    query = PreparedQuery(
        Announcement,
        lambda title: (
            announcements_published()
            .filter(title=title)
            .annotate(shout=Upper("title"), has_report=Q(report__isnull=False))
            .values_list("shout", "pk", "has_report", "title")
        ),
        title=str,
    )

    rows = query.rows(title="Abc公告")

    assert rows == list(query.build(title="Abc公告"))
    assert rows[0][0] == "ABC公告" and rows[0][2] is True and rows[0][3] == "Abc公告"


def test_shape_gives_each_variant_its_own_sql(world):
    for i in range(3):
        make_notice(institution=world.unit, title=f"公告{i}")
    query = PreparedQuery(
        Announcement, lambda limit: announcements_published().values_list("pk", flat=False)[:limit]
    )

    assert [len(query.rows(n)) for n in (1, 2, 3, 1)] == [1, 2, 3, 1]


def test_a_value_that_is_not_a_parameter_of_the_sql_is_refused(world):
    # A value the queryset never uses (or puts into the SQL text, as a LIMIT) cannot be substituted.
    query = PreparedQuery(Announcement, lambda title: announcements_published().values_list("pk"), title=str)

    with pytest.raises(ValueError, match="title"):
        query.rows(title="公告")
    with pytest.raises(TypeError):
        PreparedQuery(Announcement, lambda day: None, day=float).rows(day=1.0)


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepared statements")


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_server_planned_query_is_prepared_once_per_connection_and_answers_as_the_orm(world):
    now = timezone.now()
    notices = [
        make_notice(
            institution=world.unit, rows=[("项目", f"{i + 1}.5", "1")], published_at=now - timedelta(hours=i)
        )
        for i in range(4)
    ]
    query = PreparedQuery(Announcement, after, moment=datetime, pk=int, unit_name=str, server_plan=True)

    def prepared_statements():
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
            return {statement: plans for statement, *plans in cursor.fetchall()}

    before = prepared_statements()
    answers = []
    for notice in (notices[0], notices[2], notices[3]):
        notice.refresh_from_db()
        values = {"moment": notice.published_at, "pk": notice.pk, "unit_name": world.unit.name}
        answers.append((query.rows(**values), list(after(**values))))
    new = {statement: plans for statement, plans in prepared_statements().items() if statement not in before}

    assert [len(rows) for rows, _ in answers] == [3, 1, 0]
    assert all(rows == orm for rows, orm in answers)
    assert len(new) == 1  # prepared once, executed three times
    statement, (generic, custom) = new.popitem()
    assert "PREPARE" in statement
    assert (generic, custom) == (3, 0)  # planned once for all values, never again


@postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_statement_the_server_lost_is_run_again_as_plain_sql(world):
    notice = make_notice(institution=world.unit)
    query = PreparedQuery(
        Announcement,
        lambda public_id: announcements_published().filter(public_id=public_id).values_list("title"),
        public_id=str,
        server_plan=True,
    )
    assert query.rows(public_id=notice.public_id) == [(notice.title,)]
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what a pooler's reset does

    assert query.rows(public_id=notice.public_id) == [(notice.title,)]
    assert query.rows(public_id=notice.public_id) == [(notice.title,)]
