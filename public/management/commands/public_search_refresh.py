"""Fill the public search fields of published notices that lack them (or of all with --all).

The public app fills them when the workflow announces a publication (public.services); this repairs
notices that were written straight into the database, e.g. by a demo or a data migration."""

from django.core.management.base import BaseCommand

from announcements.enums import State
from announcements.models import Announcement
from public.cache import bump_public_cache
from public.services import announcement_search_fields_fill


class Command(BaseCommand):
    help = "Fill missing search fields of published notices, then invalidate the public cache."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="refill every published notice")

    def handle(self, *args, all=False, **options):
        notices = Announcement.objects.filter(state=State.PUBLISHED).select_related("institution", "report")
        if not all:
            notices = notices.filter(search_text="")
        count = 0
        for notice in notices.iterator(chunk_size=500):
            announcement_search_fields_fill(announcement=notice)
            count += 1
        bump_public_cache()
        self.stdout.write(f"Search fields filled for {count} published notices.")
