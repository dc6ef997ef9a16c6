"""Shared by the import commands: open the file, run the service, print the report."""

from django.core.management.base import BaseCommand, CommandError


class ProgressBar:
    """A one-line progress bar on a terminal stream, redrawn as rows are written."""

    width = 40

    def __init__(self, stream):
        self.stream, self.drawn = stream, None

    def __call__(self, done, total):
        filled = self.width * done // total if total else self.width
        line = f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} rows"
        if line != self.drawn:
            self.stream.write(line, ending="")
            self.stream.flush()
            self.drawn = line

    def close(self):
        if self.drawn:
            self.stream.write("")


class ImportCommand(BaseCommand):
    service = None  # a function(file=..., skip_invalid=..., progress=...) -> ImportReport

    def add_arguments(self, parser):
        parser.add_argument(
            "file", help="Path of the file to import: CSV, or for --format cns also .xlsx."
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Write the valid rows and report the refused ones (default: all or nothing).",
        )
        parser.add_argument(
            "--progress",
            action="store_true",
            default=None,
            help="Draw a progress bar on stderr (the default when stderr is a terminal).",
        )
        parser.add_argument("--no-progress", action="store_false", dest="progress")

    def service_options(self, options):
        """Keyword arguments for the service from the command's own options."""
        return {}

    def handle(self, *args, file, skip_invalid, progress, **options):
        if progress is None:
            progress = self.stderr.isatty()
        bar = ProgressBar(self.stderr) if progress else None
        try:
            with open(file, "rb") as handle:
                report = type(self).service(
                    file=handle,
                    skip_invalid=skip_invalid,
                    progress=bar,
                    **self.service_options(options),
                )
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}") from exc
        finally:
            if bar:
                bar.close()
        self.stdout.write(report.as_text())
        if not report.written:
            raise CommandError(f"{file}: refused, nothing written.")
