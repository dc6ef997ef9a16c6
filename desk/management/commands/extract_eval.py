from django.core.management.base import BaseCommand, CommandError

from desk.evaluation import EvaluationError, evaluate, report

DEFAULT_FOLDER = "../shared/data/articles"


class Command(BaseCommand):
    help = (
        "Run the article desk's extractor over a folder of *.txt articles, each with its "
        "*.expected.json, and print how much it found, per article and in total."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "folder", nargs="?", default=DEFAULT_FOLDER, help=f"default: {DEFAULT_FOLDER}"
        )

    def handle(self, *args, folder, **options):
        try:
            scores = evaluate(folder)
        except EvaluationError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(report(scores), ending="")
