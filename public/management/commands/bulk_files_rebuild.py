"""Rebuild the public bulk files (rows.csv, rows.xlsx, per-year files) on the task queue, or
here with --now. Publications enqueue it themselves; this is for a first start or a repair."""

from django.core.management.base import BaseCommand

from public.bulk import bulk_files_rebuild
from public.tasks import bulk_files_rebuild_task


class Command(BaseCommand):
    help = "Rebuild the public bulk download files (coalesced: nothing to do when they are current)."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="run in this process instead of the queue")
        parser.add_argument("--force", action="store_true", help="rebuild even when current (with --now)")

    def handle(self, *args, now=False, force=False, **options):
        if now:
            manifest = bulk_files_rebuild(force=force)
            self.stdout.write(f"bulk files {manifest['token']}: {len(manifest['files'])} files")
        else:
            result = bulk_files_rebuild_task.enqueue()
            self.stdout.write(f"queued task {result.id} ({result.status})")
