"""Every existing institution and district gets today's two steps as its first flow version
(采购人初审 by the institution's 采购人审核岗, 或审; 财政审核 by the district finance bureau's
财政审核岗, 或审), and every notice that was ever submitted records them; a notice under review
waits at the step its state names, since the last flow-log row."""

from django.db import migrations
from django.db.models import Max

INSTITUTION_STEP = {
    "name": "采购人初审",
    "actor": "position",
    "position": "purchaser_reviewer",
    "mode": "any",
}
FINANCE_STEP = {"name": "财政审核", "actor": "position", "position": "finance_reviewer", "mode": "any"}


def forwards(apps, schema_editor):
    Institution = apps.get_model("accounts", "Institution")
    District = apps.get_model("accounts", "District")
    Announcement = apps.get_model("announcements", "Announcement")
    Flow = apps.get_model("announcements", "Flow")
    FlowVersion = apps.get_model("announcements", "FlowVersion")
    FlowStep = apps.get_model("announcements", "FlowStep")

    def first_version(owner: dict, spec: dict):
        # Run again after a rollback of the schema it keeps (the reverse is a no-op): reuse.
        version = (
            FlowVersion.objects.filter(**{f"flow__{k}": v for k, v in owner.items()})
            .order_by("number")
            .first()
        )
        if version is not None:
            return version, FlowStep.objects.filter(version=version).order_by("order").first()
        flow = Flow.objects.create(**owner)
        version = FlowVersion.objects.create(flow=flow, number=1, one_step_per_person=True)
        return version, FlowStep.objects.create(version=version, order=0, condition="", **spec)

    institution_steps = {
        pk: first_version({"institution_id": pk}, INSTITUTION_STEP)
        for pk in Institution.objects.filter(kind="budget_unit").values_list("pk", flat=True)
    }
    district_steps = {
        pk: first_version({"district_id": pk}, FINANCE_STEP)
        for pk in District.objects.values_list("pk", flat=True)
    }
    submitted = Announcement.objects.filter(submitted_at__isnull=False, flow_version__isnull=True).annotate(
        last=Max("flow_log__created_at")
    )
    for notice in submitted.iterator():
        own = institution_steps.get(notice.institution_id)
        finance = district_steps.get(notice.district_id)
        if own is None or finance is None:
            continue
        fields = {"flow_version": own[0], "finance_flow_version": finance[0], "review_round": 1}
        if notice.state == "purchaser_review":
            fields |= {"current_step": own[1], "step_entered_at": notice.last or notice.submitted_at}
        elif notice.state == "finance_review":
            fields |= {"current_step": finance[1], "step_entered_at": notice.last or notice.submitted_at}
        Announcement.objects.filter(pk=notice.pk).update(**fields)


class Migration(migrations.Migration):
    dependencies = [("announcements", "0007_review_flows"), ("accounts", "0012_outbox")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
