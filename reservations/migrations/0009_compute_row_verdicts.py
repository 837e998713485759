"""Compute the stored verdict of every existing row with the rules table as it now stands.

Rows of notices already published get the law's answer too (no verdict was stored before, and
the statistics must count what the law says); from here on a rule changed in the admin
recomputes only the rows of notices that are not frozen, so a published verdict stays."""

from django.db import migrations

from reservations.verdict import missed_text, region_matches, row_verdict


def compute(apps, schema_editor):
    PolicyRule = apps.get_model("reservations", "PolicyRule")
    ReservedProject = apps.get_model("reservations", "ReservedProject")
    Report = apps.get_model("reservations", "Report")
    rules = list(PolicyRule.objects.filter(active=True))
    for report in Report.objects.select_related("institution__district").iterator(chunk_size=200):
        region = report.institution.district.code
        mine = [r for r in rules if region_matches(r.region_code, region)]
        changed = []
        for row in ReservedProject.objects.filter(report=report):
            verdict = row_verdict(row, region=region, rules=mine, year=report.year)
            row.verdict = verdict.as_json()
            row.verdict_status = verdict.status
            row.verdict_missed = missed_text(verdict)
            changed.append(row)
        ReservedProject.objects.bulk_update(
            changed, ["verdict", "verdict_status", "verdict_missed"], batch_size=500
        )
        shortfall = any(r.verdict_status == "shortfall" for r in changed)
        below = any(
            res["outcome"] == "shortfall" and res["kind"] == "min_small_micro"
            for r in changed
            for res in r.verdict["results"]
        )
        Report.objects.filter(pk=report.pk).update(needs_explanation=shortfall, small_micro_below=below)


class Migration(migrations.Migration):
    dependencies = [("reservations", "0008_rules_2025_and_notes")]
    operations = [migrations.RunPython(compute, migrations.RunPython.noop)]
