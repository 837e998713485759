"""`manage.py flush_view_counts`: move the view counts gathered in Redis into the database now
(the task does it a minute after the first counted view; this is for cron or before a deploy)."""

from django.core.management.base import BaseCommand

from public.services import view_counts_flush


class Command(BaseCommand):
    help = "Write the 浏览次数 counted in Redis to the database."

    def handle(self, *args, **options):
        changed = view_counts_flush()
        self.stdout.write(f"{changed} notices updated")
