from imports.services import statements_import

from ._importing import ImportCommand


class Command(ImportCommand):
    help = "Import statements from a Salvo statements CSV, each tied to its launch by date."
    service = statements_import
