from django.core.management.base import BaseCommand

from accounts.tasks import messages_purge_task


class Command(BaseCommand):
    help = "Enqueue the purge of in-app messages older than MESSAGE_RETENTION_DAYS (run daily from cron)."

    def handle(self, *args, **options):
        result = messages_purge_task.enqueue()
        self.stdout.write(f"enqueued {result.id} ({result.status})")
