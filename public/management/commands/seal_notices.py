from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from announcements.enums import State
from announcements.models import Announcement
from certificates.sealing import sealing_configured
from public.sealing import sealed_pdf_path
from public.tasks import notice_seal_task


class Command(BaseCommand):
    help = (
        "Enqueue the sealed PDF of every published notice that has none for its current publication "
        "(notices published before a seal was configured)."
    )

    def handle(self, *args, **options):
        if not sealing_configured():
            self.stderr.write("No seal configured (NOTICE_SEAL_DIR, NOTICE_SEAL_PKCS12): nothing to do.")
            return
        count = 0
        published = Announcement.objects.filter(state=State.PUBLISHED)
        for public_id, published_at in published.values_list("public_id", "published_at").iterator():
            if not default_storage.exists(sealed_pdf_path(public_id=public_id, published_at=published_at)):
                notice_seal_task.enqueue(public_id=public_id)
                count += 1
        self.stdout.write(f"enqueued {count} notices")
