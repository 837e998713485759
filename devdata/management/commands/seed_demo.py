from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from devdata import accounts, certificates, department, drafts, flows, oversight, workflow


class Command(BaseCommand):
    help = "Load the demo data (idempotent): accounts, then notices in every state, then oversight."

    # Lowest app first: each story finds in `context` what the ones before it made.
    STORIES = [
        ("accounts", accounts),
        # Before any publication: the demo CA's seal signs each published notice.
        ("certificates", certificates),
        # Before any notice: every demo notice is submitted with the demo flows.
        ("flows", flows),
        ("drafts", drafts),
        ("workflow", workflow),
        ("oversight", oversight),
        # After oversight: the bureau's own 2025 notice (oversight's story) is compiled too.
        ("department", department),
    ]

    def handle(self, *args, **options):
        context: dict = {}
        # Notice titles and texts are written in the site's language, whatever the shell's locale.
        with translation.override(settings.LANGUAGE_CODE):
            for label, story in self.STORIES:
                story.seed(context)
                self.stdout.write(f"seeded {label}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
