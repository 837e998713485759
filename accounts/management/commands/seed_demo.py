import importlib

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Load the demo data (idempotent): each app's demo.seed(context), lowest app first."

    def handle(self, *args, **options):
        # Apps seed in INSTALLED_APPS order, so higher apps find what lower ones made in
        # `context`; accounts never imports them.
        context: dict = {}
        for config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            module.seed(context)
            self.stdout.write(f"seeded {config.label}")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
