"""Oversight's periodic work on Django's task queue (cron only enqueues it)."""

from django.tasks import task
from django.utils import timezone

from . import services
from .models import FilingCampaign


@task
def filing_reminders_task(*, campaign_id: int | None = None) -> list[str]:
    """Mail the handlers of units that have not published (services.reminders_send). Idempotent:
    a reminder already recorded for a unit today is not sent again, even by a parallel run."""
    now = timezone.now()
    campaigns = FilingCampaign.objects.select_related("district").order_by("year", "district__code")
    if campaign_id:
        campaigns = campaigns.filter(pk=campaign_id)
    lines = []
    for campaign in campaigns:
        kind = services.reminder_kind_due(campaign, now)
        if kind is None:
            continue
        outcome = services.reminders_send(campaign=campaign, kind=kind, now=now)
        lines.append(
            f"{campaign.district.code} {campaign.year} {kind}: sent {outcome.sent}, "
            f"of them by e-mail too {outcome.emailed}; "
            f"already sent today {outcome.already_sent}, no handler {outcome.no_recipient}"
        )
    return lines
