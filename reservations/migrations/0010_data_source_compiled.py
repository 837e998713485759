from django.db import migrations, models


def mark_compiled(apps, schema_editor):
    """Department reports (those with compiled units) said 手工创建: they were compiled."""
    Report = apps.get_model("reservations", "Report")
    ReportUnit = apps.get_model("reservations", "ReportUnit")
    Report.objects.filter(pk__in=ReportUnit.objects.values("report_id")).update(data_source="compiled")


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0009_compute_row_verdicts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="report",
            name="data_source",
            field=models.CharField(
                choices=[
                    ("manual", "Created by hand"),
                    ("excel", "Excel import"),
                    ("compiled", "Compiled from the units' notices"),
                ],
                default="manual",
                max_length=10,
                verbose_name="data source",
            ),
        ),
        migrations.RunPython(mark_compiled, migrations.RunPython.noop),
    ]
