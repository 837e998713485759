"""Fill the public search fields of published notices that lack them (or of all with --all).

The public app fills them when the workflow announces a publication (public.services); this repairs
notices that were written straight into the database, e.g. by a demo or a data migration. The
work runs on the task queue (public.tasks.search_fields_refresh_task), or here with --now."""

from django.core.management.base import BaseCommand
from django.tasks import TaskResultStatus

from public.tasks import search_fields_refresh_task


class Command(BaseCommand):
    help = "Fill missing search fields of published notices, then invalidate the public cache."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="refill every published notice")
        parser.add_argument("--now", action="store_true", help="run in this process instead of the queue")

    def handle(self, *args, all=False, now=False, **options):
        if now:
            count = search_fields_refresh_task.call(refill_all=all)
        else:
            result = search_fields_refresh_task.enqueue(refill_all=all)
            if result.status != TaskResultStatus.SUCCESSFUL:
                self.stdout.write(f"queued task {result.id}")
                return
            count = result.return_value
        self.stdout.write(f"Search fields filled for {count} published notices.")
