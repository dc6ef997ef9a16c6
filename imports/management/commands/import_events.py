from imports.services import events_import

from ._importing import ImportCommand


class Command(ImportCommand):
    help = "Import context events from a Salvo events CSV and link them to launches by date."
    service = events_import
