"""The public list filtered by 地区 and 年份, newest first, as one index range read in order
(published, non-test notices, like the list's own index of 0003). At national scale the district's
bitmap grew with the table and the year was checked row by row on the heap. Built CONCURRENTLY on
PostgreSQL, so publishing goes on while it builds; a plain partial index on SQLite."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddIndexConcurrentlyOnPostgres(AddIndexConcurrently):
    """AddIndexConcurrently on PostgreSQL, AddIndex elsewhere (SQLite has no CONCURRENTLY)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("announcements", "0008_review_flows_today")]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name="announcement",
            index=models.Index(
                fields=["district", "year", "-published_at", "-id"],
                name="announcement_district_year",
                condition=models.Q(state="published", is_test=False),
            ),
        )
    ]
