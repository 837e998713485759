from django.core.management.base import BaseCommand

from certificates.tasks import crl_refresh_task


class Command(BaseCommand):
    help = "Enqueue fetching the certificate revocation lists (CA_CRL_SOURCES; run hourly from cron)."

    def handle(self, *args, **options):
        result = crl_refresh_task.enqueue()
        self.stdout.write(f"enqueued {result.id} ({result.status})")
