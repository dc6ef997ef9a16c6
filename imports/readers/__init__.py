"""Reading import files into validated rows. Nothing here writes; imports.services does.

Each reader turns a file into `Row`s (the fields of one record, its claims and source
tokens) and `Problem`s (row, column, reason). A file with a wrong header is refused whole.
One module per format: chronology and cns for launches, events for context events,
statements for reactions.
"""

from .base import FileRefused, Problem, Row
from .chronology import read_chronology_launches
from .cns import SALVO_RULE, read_cns_launches
from .events import read_events
from .statements import read_statements

__all__ = [
    "SALVO_RULE",
    "FileRefused",
    "Problem",
    "Row",
    "read_chronology_launches",
    "read_cns_launches",
    "read_events",
    "read_statements",
]
