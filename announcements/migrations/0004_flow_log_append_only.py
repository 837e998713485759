"""The flow log is append-only in the database too: on PostgreSQL a trigger refuses UPDATE and
DELETE of any log row, whoever sends them (the ORM, psql, a script). The model and its queryset
refuse the same writes on every database (announcements.models.FlowLogEntry).

A row-level trigger, not a statement-level one: it fires only for rows that would change, so
`loaddata` (dataset import), whose UPDATE of a not-yet-existing row touches nothing before its
INSERT, still works. TRUNCATE (the test database flush, a restore into an emptied database) is
not a row operation and is not refused.

Also: a user who acted keeps their log rows (PROTECT instead of SET NULL; nulling the actor would
be an UPDATE of the log). State only: the database constraint does not change.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "announcements_flowlogentry"
FUNCTION = "announcements_flow_log_append_only"
TRIGGER = "flow_log_append_only"


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"""
        CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'The flow log is append-only: % of % refused.', TG_OP, TG_TABLE_NAME
                USING ERRCODE = 'integrity_constraint_violation';
        END
        $$
        """,
        # No parameters: the % in the message are PL/pgSQL's placeholders, not the driver's.
        params=None,
    )
    schema_editor.execute(
        f"CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
    )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("announcements", "0003_public_list_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="flowlogentry",
            name="actor",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="operator",
            ),
        ),
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
    ]
