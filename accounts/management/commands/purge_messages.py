from django.core.management.base import BaseCommand

from accounts.tasks import purge_messages


class Command(BaseCommand):
    help = "Enqueue the purge of in-app messages older than MESSAGE_RETENTION_DAYS (run daily from cron)."

    def handle(self, *args, **options):
        result = purge_messages.enqueue()
        self.stdout.write(f"enqueued {result.id} ({result.status})")
