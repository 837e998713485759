from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.dataset import DatasetError, dataset_export


class Command(BaseCommand):
    help = "Export every row and every uploaded file into a new directory, with SHA-256 checksums."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="A new or empty directory to write the dataset into.")
        parser.add_argument("--database", default="default")

    def handle(self, *args, directory, database, **options):
        try:
            manifest = dataset_export(target=Path(directory), using=database)
        except DatasetError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            self.style.SUCCESS(f"Exported {rows} rows and {len(manifest['files'])} files to {directory}.")
        )
