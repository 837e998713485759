from django.core.management.base import BaseCommand
from django.utils import timezone

from oversight import services
from oversight.models import FilingCampaign


class Command(BaseCommand):
    help = (
        "E-mail the procurement handlers of units that have not published: within each campaign's "
        "reminder window before the deadline, and daily once it has passed. Run it from cron once "
        "a day; running it again the same day (or twice at once) sends nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, help="Only this campaign (id).")

    def handle(self, *args, **options):
        now = timezone.now()
        campaigns = FilingCampaign.objects.select_related("district").order_by("year", "district__code")
        if options["campaign"]:
            campaigns = campaigns.filter(pk=options["campaign"])
        for campaign in campaigns:
            kind = services.reminder_kind_due(campaign, now)
            if kind is None:
                continue
            outcome = services.reminders_send(campaign=campaign, kind=kind, now=now)
            self.stdout.write(
                f"{campaign.district.code} {campaign.year} {kind}: sent {outcome.sent}, "
                f"of them by e-mail too {outcome.emailed}; "
                f"already sent today {outcome.already_sent}, no handler {outcome.no_recipient}"
            )
