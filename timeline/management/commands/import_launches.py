from timeline.services import launches_import

from ._importing import ImportCommand


class Command(ImportCommand):
    help = "Import launches from a Salvo chronology CSV. Re-running the same file changes nothing."
    service = launches_import
