from imports.services import LAUNCH_FORMATS, launches_import

from ._importing import ImportCommand


class Command(ImportCommand):
    help = (
        "Import launches from a Salvo chronology CSV or, with --format cns, the CNS North "
        "Korea Missile Test Database as CSV or .xlsx, its missile rows grouped into launch "
        "events by the salvo rule. Re-running the same file changes nothing."
    )
    service = launches_import

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--format",
            choices=list(LAUNCH_FORMATS),
            default="chronology",
            help="The layout of the file: chronology (default) or cns, one row per missile.",
        )

    def service_options(self, options):
        return {"format": options["format"]}
