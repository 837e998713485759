from django.core.management.base import BaseCommand
from django.tasks import TaskResultStatus

from oversight.tasks import filing_reminders_task


class Command(BaseCommand):
    help = (
        "E-mail the procurement handlers of units that have not published: within each campaign's "
        "reminder window before the deadline, and daily once it has passed. Run it from cron once "
        "a day; running it again the same day (or twice at once) sends nothing new. Enqueues the "
        "task for the worker, or runs it here with --now; the e-mails always leave through the "
        "queue (a worker sends them)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, help="Only this campaign (id).")
        parser.add_argument("--now", action="store_true", help="run in this process instead of the queue")

    def handle(self, *args, **options):
        kwargs = {"campaign_id": options["campaign"]}
        if options["now"]:
            lines = filing_reminders_task.call(**kwargs)
        else:
            result = filing_reminders_task.enqueue(**kwargs)
            if result.status != TaskResultStatus.SUCCESSFUL:
                self.stdout.write(f"queued task {result.id}")
                return
            lines = result.return_value
        for line in lines:
            self.stdout.write(line)
