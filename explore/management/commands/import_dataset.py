from django.core.management.base import BaseCommand, CommandError

from explore.dataset import BundleRefused, dataset_import


class Command(BaseCommand):
    help = "Restore a bundle written by export_dataset into an empty, migrated database."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The bundle to read (.json or .json.gz).")

    def handle(self, *args, path, **options):
        try:
            counts = dataset_import(path=path)
        except (BundleRefused, OSError, ValueError) as exc:
            raise CommandError(f"{path}: {exc}; nothing was restored.") from exc
        self.stdout.write(f"{path}: {sum(counts.values())} records restored")
