from django.core.management.base import BaseCommand

from explore.dataset import dataset_export


class Command(BaseCommand):
    help = "Write every record and its history to a versioned bundle (.json or .json.gz)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The bundle to write, e.g. salvo-2026-11-25.json.gz")

    def handle(self, *args, path, **options):
        counts = dataset_export(path=path)
        self.stdout.write(f"{path}: {sum(counts.values())} records")
        for label, count in counts.items():
            if count:
                self.stdout.write(f"  {label}: {count}")
