from django.core.management.base import BaseCommand
from django.tasks import TaskResultStatus

from announcements.tasks import publish_due_task


class Command(BaseCommand):
    help = (
        "Publish approved notices whose scheduled publication time has come (run from cron every "
        "minute): enqueues the task for the worker, or runs it here with --now."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="run in this process instead of the queue")

    def handle(self, *args, now=False, **options):
        # Safe to run on several servers at once: each publication is a conditional update.
        if now:
            lines = publish_due_task.call()
        else:
            result = publish_due_task.enqueue()
            if result.status != TaskResultStatus.SUCCESSFUL:
                self.stdout.write(f"queued task {result.id}")
                return
            lines = result.return_value
        for line in lines:
            self.stdout.write(line)
