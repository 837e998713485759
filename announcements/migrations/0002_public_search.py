"""Public search: denormalised text and grams, and (PostgreSQL only) the indexes that serve them.

The trigram index is on UPPER(search_text) because Django's icontains generates
UPPER(col::text) LIKE UPPER(%s); a plain trigram index on the column would not be used.
1- and 2-character words yield no trigram, so a GIN index over the array of grams serves them.
SQLite keeps a plain scan (platform.md).
"""

import unicodedata

from django.db import migrations, models

TRGM_INDEX = "announcement_search_trgm"
GRAMS_INDEX = "announcement_search_grams"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {TRGM_INDEX} ON announcements_announcement "
        "USING gin (UPPER(search_text) gin_trgm_ops) WITH (fastupdate = off)"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {GRAMS_INDEX} ON announcements_announcement "
        "USING gin (string_to_array(search_grams, ' ')) WITH (fastupdate = off)"
    )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRGM_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {GRAMS_INDEX}")


# Frozen copies of public.search's functions as they were when this migration was written:
# a migration must not import app code (the announcements app may not import the public app).
def search_text_parts(*, title, unit, competent_unit="", project_names=()):
    parts = []
    for value in (title, unit, competent_unit, *project_names):
        value = unicodedata.normalize("NFKC", value or "").strip()
        if value and value not in parts:
            parts.append(value)
    return parts


def grams_for(parts):
    grams = set()
    for part in parts:
        for word in unicodedata.normalize("NFKC", part or "").upper().split():
            grams.update(word)
            grams.update(word[i : i + 2] for i in range(len(word) - 1))
    return " ".join(sorted(grams))


def backfill(apps, schema_editor):
    # Notices published before this migration get their search fields once, here.
    Announcement = apps.get_model("announcements", "Announcement")
    ReservedProject = apps.get_model("reservations", "ReservedProject")
    for notice in Announcement.objects.filter(state="published").select_related("institution", "report"):
        names = []
        if notice.report_id:
            names = list(
                ReservedProject.objects.filter(report_id=notice.report_id).values_list("name", flat=True)
            )
        parts = search_text_parts(
            title=notice.title,
            unit=notice.institution.name,
            competent_unit=notice.report.competent_unit_name if notice.report_id else "",
            project_names=names,
        )
        Announcement.objects.filter(pk=notice.pk).update(
            search_text="\n".join(parts), search_grams=grams_for(parts)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("announcements", "0001_initial"),
        ("reservations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="announcement",
            name="search_text",
            field=models.TextField(blank=True, editable=False, verbose_name="search text"),
        ),
        migrations.AddField(
            model_name="announcement",
            name="search_grams",
            field=models.TextField(blank=True, editable=False, verbose_name="search grams"),
        ),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
