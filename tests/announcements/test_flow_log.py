"""The flow log (流转日志) is append-only: the model and its queryset refuse updates and deletes on
every database; on PostgreSQL a trigger refuses them from any client (migration 0004)."""

import importlib

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.db.models import ProtectedError

from announcements import workflow
from announcements.models import Announcement, AppendOnlyError, FlowLogEntry

from .workflow_factories import notice

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)


@pytest.fixture
def entry(world):
    announcement = notice(institution=world.unit)
    return workflow.apply_action(announcement=announcement, action="submit", actor=world.handler)


def stored(entry) -> tuple:
    return tuple(
        FlowLogEntry.objects.filter(pk=entry.pk).values_list("action", "reason", "to_state", "actor_id").get()
    )


def test_saved_entry_refuses_save_and_delete(entry):
    before = stored(entry)
    entry.reason = "改写"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.save(update_fields=["reason"])
    with pytest.raises(AppendOnlyError):
        FlowLogEntry.objects.get(pk=entry.pk).delete()
    assert stored(entry) == before


def test_entry_built_with_a_stored_id_does_not_overwrite_it(entry):
    before = stored(entry)
    copy = FlowLogEntry(pk=entry.pk, announcement_id=entry.announcement_id, action="withdraw")
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    assert stored(entry) == before


def test_queryset_and_related_manager_refuse_update_and_delete(entry):
    before = stored(entry)
    announcement = entry.announcement
    refused = [
        lambda: FlowLogEntry.objects.update(reason="改写"),
        lambda: FlowLogEntry.objects.filter(pk=entry.pk).update(reason="改写"),
        lambda: FlowLogEntry.objects.all().delete(),
        lambda: announcement.flow_log.update(reason="改写"),
        lambda: announcement.flow_log.all().delete(),
        lambda: FlowLogEntry.objects.bulk_update([entry], ["reason"]),
        lambda: FlowLogEntry.objects.bulk_create(
            [FlowLogEntry(pk=entry.pk, announcement=announcement, action="x")],
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["action"],
        ),
    ]
    for attempt in refused:
        with pytest.raises(AppendOnlyError):
            attempt()
    assert stored(entry) == before
    assert FlowLogEntry.objects.count() == 1


def test_appending_still_works(entry):
    FlowLogEntry.objects.bulk_create(
        [FlowLogEntry(announcement=entry.announcement, action="note", from_state="draft", to_state="draft")]
    )
    assert list(FlowLogEntry.objects.values_list("action", flat=True)) == ["submit", "note"]


def test_notice_with_a_flow_log_is_never_deleted(entry):
    # Nothing in the application deletes a notice; should anyone try (shell, admin), the log
    # protects it instead of vanishing with it.
    announcement = entry.announcement
    with pytest.raises(ProtectedError), transaction.atomic():
        announcement.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Announcement.objects.filter(pk=announcement.pk).delete()
    assert Announcement.objects.filter(pk=announcement.pk).exists()
    assert FlowLogEntry.objects.count() == 1


def test_user_who_acted_is_never_deleted(world, entry):
    # Staff are disabled or marked deleted, never removed: the log keeps naming who acted.
    with pytest.raises(ProtectedError), transaction.atomic():
        world.handler.delete()
    assert stored(entry)[3] == world.handler.pk


# --- PostgreSQL: the trigger -----------------------------------------------------------------


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE announcements_flowlogentry SET reason = '改写' WHERE id = %s",
        "DELETE FROM announcements_flowlogentry WHERE id = %s",
    ],
    ids=["update", "delete"],
)
@pytest.mark.postgres
@needs_postgres
def test_trigger_refuses_raw_update_and_delete(entry, sql):
    before = stored(entry)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        raw(sql, [entry.pk])
    assert stored(entry) == before


@pytest.mark.postgres
@needs_postgres
def test_trigger_refuses_writes_that_go_around_the_queryset(entry):
    # Code calling Django's own QuerySet methods skips our refusals; the database still says no.
    rows = FlowLogEntry.objects.filter(pk=entry.pk)
    before = stored(entry)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        models.QuerySet.update(rows, reason="改写")
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        models.QuerySet.delete(rows)
    assert stored(entry) == before


@pytest.mark.postgres
@needs_postgres
def test_trigger_lets_inserts_and_truncate_through(entry):
    # Rows are added as before; TRUNCATE (the test flush, an emptied database before a restore)
    # is no row operation.
    FlowLogEntry.objects.create(
        announcement=entry.announcement, action="note", from_state="draft", to_state="draft"
    )
    assert FlowLogEntry.objects.count() == 2
    with transaction.atomic():
        # TRUNCATE waits for no deferred foreign-key check of the rows just inserted.
        raw("SET CONSTRAINTS ALL IMMEDIATE")
        raw("TRUNCATE announcements_flowlogentry")
        assert FlowLogEntry.objects.count() == 0
        transaction.set_rollback(True)
    raw("SET CONSTRAINTS ALL DEFERRED")
    assert FlowLogEntry.objects.count() == 2


@pytest.mark.postgres
@needs_postgres
def test_migration_reverse_drops_the_trigger_and_forward_restores_it(entry):
    migration = importlib.import_module("announcements.migrations.0004_flow_log_append_only")
    update = "UPDATE announcements_flowlogentry SET reason = '改写' WHERE id = %s"
    with transaction.atomic():
        with connection.schema_editor(atomic=False) as editor:
            migration.drop_trigger(None, editor)
        assert raw(update, [entry.pk]) == 1
        transaction.set_rollback(True)
    with transaction.atomic():
        with connection.schema_editor(atomic=False) as editor:
            migration.drop_trigger(None, editor)
            migration.create_trigger(None, editor)
        with pytest.raises(IntegrityError), transaction.atomic():
            raw(update, [entry.pk])
        transaction.set_rollback(True)
    assert stored(entry)[1] == ""
