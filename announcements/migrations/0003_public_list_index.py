"""The public list's own index (PostgreSQL only): published, non-test notices newest first,
carrying the columns that the list's filters and counts read, so that counting 100,000 notices
is an index-only scan instead of a pass over the wide table (which holds the frozen HTML).
Also makes sure the search GIN indexes of 0002 were built without a pending list, and indexes
the few test institutions, which `announcements_published()` excludes by a subquery that every
public query runs (both backends: a partial index is plain SQL on SQLite too)."""

from django.db import migrations

INDEX = "announcement_public_list"
TEST_UNITS_INDEX = "institution_test_ids"


def create(apps, schema_editor):
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TEST_UNITS_INDEX} ON accounts_institution (id) WHERE is_test"
    )
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON announcements_announcement "
        "(published_at DESC, id DESC) INCLUDE (institution_id, district_id, year) "
        "WHERE state = 'published' AND NOT is_test"
    )
    for name in ("announcement_search_trgm", "announcement_search_grams"):
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} SET (fastupdate = off)")


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {TEST_UNITS_INDEX}")
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("announcements", "0002_public_search"), ("accounts", "0002_districts_and_positions")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
