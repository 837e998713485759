"""A task whose worker died mid-run (killed, out of memory, machine lost) stays RUNNING in the
django-tasks-db queue for ever. This puts such tasks back to READY once, so that a live worker
runs them again. Run it from cron every few minutes; every task here is idempotent, so running
one again after a crash is safe.

A task counts as stale when it has been RUNNING longer than --older-than seconds (default: 30
minutes, longer than any task here takes). Each requeue is a conditional UPDATE on the row still
being RUNNING with the same start time, so two cron runs at once requeue it once."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


class Command(BaseCommand):
    help = "Put tasks whose worker died mid-run back on the queue (once)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=30 * 60, help="seconds RUNNING (default 1800)")

    def handle(self, *args, older_than, **options):
        cutoff = timezone.now() - timedelta(seconds=older_than)
        stale = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
        requeued = 0
        for pk, started_at in stale.values_list("pk", "started_at"):
            requeued += DBTaskResult.objects.filter(
                pk=pk, status=TaskResultStatus.RUNNING, started_at=started_at
            ).update(status=TaskResultStatus.READY, started_at=None)
        self.stdout.write(f"{requeued} stale task(s) requeued")
