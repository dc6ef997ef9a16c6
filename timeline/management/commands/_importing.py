"""Shared by the import commands: open the file, run the service, print the report."""

from django.core.management.base import BaseCommand, CommandError


class ImportCommand(BaseCommand):
    service = None  # a function(file=..., skip_invalid=...) -> ImportReport

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV file to import.")
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Write the valid rows and report the refused ones (default: all or nothing).",
        )

    def service_options(self, options):
        """Keyword arguments for the service from the command's own options."""
        return {}

    def handle(self, *args, file, skip_invalid, **options):
        try:
            with open(file, "rb") as handle:
                report = type(self).service(
                    file=handle, skip_invalid=skip_invalid, **self.service_options(options)
                )
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from exc
        self.stdout.write(report.as_text())
        if not report.written:
            raise CommandError(f"{file}: refused, nothing written.")
