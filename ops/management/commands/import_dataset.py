from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.dataset import DatasetError, dataset_import, dataset_verify


class Command(BaseCommand):
    help = (
        "Verify the checksums of an export_dataset directory and load it into an empty, migrated "
        "database (rows and files). --verify-only checks the checksums and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--database", default="default")
        parser.add_argument("--verify-only", action="store_true")
        parser.add_argument(
            "--skip-migration-check",
            action="store_true",
            help="Load even if the applied migrations differ from the exporting database's.",
        )

    def handle(self, *args, directory, database, verify_only, skip_migration_check, **options):
        try:
            if verify_only:
                manifest = dataset_verify(source=Path(directory))
                self.stdout.write(self.style.SUCCESS(f"Checksums match ({len(manifest['files'])} files)."))
                return
            counts = dataset_import(
                source=Path(directory), using=database, check_migrations=not skip_migration_check
            )
        except DatasetError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Imported {sum(counts.values())} rows from {directory}."))
