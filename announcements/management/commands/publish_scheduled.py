from django.core.management.base import BaseCommand

from announcements.workflow import publish_due


class Command(BaseCommand):
    help = "Publish approved notices whose scheduled publication time has come (run from cron every minute)."

    def handle(self, *args, **options):
        # Safe to run on several servers at once: each publication is a conditional update.
        published = publish_due()
        for announcement in published:
            self.stdout.write(f"published {announcement.public_id} {announcement.title}")
        self.stdout.write(f"{len(published)} published")
