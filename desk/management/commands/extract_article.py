"""`manage.py extract_article FILE [--url URL] [--html]`: the desk's proposals as JSON."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from desk.extraction import ArticleError, extract, read_article
from desk.extraction.document import MAX_HTML


def as_json(data):
    """The proposals as the command prints them: UTF-8, indented, keys in the extractor's
    order (the documented one)."""
    return json.dumps(data, ensure_ascii=False, indent=2)


class Command(BaseCommand):
    help = (
        "Print what the article desk proposes for an article (source, launch, statements, "
        "events) as JSON. Reads the file, or standard input for '-'; writes nothing."
    )
    # Tests hand standard input in, as Django's createsuperuser lets them.
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("file", help="The article's text (UTF-8), or a saved page with --html.")
        parser.add_argument("--url", default="", help="The article's address (http or https).")
        parser.add_argument(
            "--html", action="store_true", help="FILE is a saved web page, not plain text."
        )

    def handle(self, *args, **options):
        raw = self.read(options["file"], options.get("stdin"))
        try:
            article = read_article(raw, url=options["url"], html=options["html"])
        except ArticleError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(as_json(extract(article)))

    def read(self, name, stdin):
        """The file's bytes, one more than the desk reads at most, so that an oversized file
        is refused by its size without being read whole."""
        try:
            if name == "-":
                return (stdin or sys.stdin.buffer).read(MAX_HTML + 1)
            with open(name, "rb") as handle:
                return handle.read(MAX_HTML + 1)
        except OSError as error:
            raise CommandError(f"Cannot read {name}: {error.strerror or error}.") from None
