"""Salvo's context events CSV (the format of timeline/data/context_events.csv)."""

from timeline.models import Event, EventKind

from .. import parsing
from .base import Problem, Row, model_errors, read_rows, split_sources

EVENT_COLUMNS = [
    "context_id",
    "date_start",
    "date_end",
    "type",
    "title",
    "actors",
    "location",
    "description",
    "date_note",
    "related_launch_dates",
    "sources",
]
EVENT_REQUIRED = ["context_id", "date_start", "type", "title", "sources"]
# The column a model field comes from, to name it when the model refuses a value.
EVENT_FIELD_COLUMNS = {
    "__all__": "date_start",
    "external_id": "context_id",
    "kind": "type",
    "kind_label": "type",
    "start_date": "date_start",
    "date_precision": "date_start",
    "end_date": "date_end",
    "participants": "actors",
    "participant_codes": "actors",
}

EVENT_KINDS = {
    "sanctions": (EventKind.SANCTIONS, ""),
    "sanctions_monitoring": (EventKind.SANCTIONS, "sanctions_monitoring"),
    "summit": (EventKind.SUMMIT, ""),
    "state_visit": (EventKind.STATE_VISIT, ""),
    "exercise": (EventKind.EXERCISE, ""),
    "un_security_council": (EventKind.UN_ACTION, "un_security_council"),
    "un_action": (EventKind.UN_ACTION, ""),
    "dprk_warning": (EventKind.WARNING, "dprk_warning"),
    "warning": (EventKind.WARNING, ""),
    "defense_talks": (EventKind.TALKS, "defense_talks"),
    "talks": (EventKind.TALKS, ""),
    "inter_korean": (EventKind.TALKS, "inter_korean"),
    "dprk_policy": (EventKind.POLICY, "dprk_policy"),
    "policy": (EventKind.POLICY, ""),
    "dprk_military": (EventKind.MILITARY, "dprk_military"),
    "military": (EventKind.MILITARY, ""),
    "election": (EventKind.ELECTION, ""),
    "inauguration": (EventKind.INAUGURATION, ""),
    "other": (EventKind.OTHER, ""),
}


def read_events(file):
    """Context events from Salvo's events CSV (the format of data/context_events.csv)."""
    return read_rows(file, EVENT_COLUMNS, EVENT_REQUIRED, _event)


def _event(number, cells, problems):
    def refuse(column, reason):
        problems.append(Problem(number, column, reason))

    row = Row(number=number, external_id=cells["context_id"], fields={}, extra={"cells": cells})
    f = row.fields
    if not row.external_id:
        refuse("context_id", "every event needs an id")
    if not cells["title"]:
        refuse("title", "every event needs a title")
    f["title"] = cells["title"]
    try:
        f["start_date"], f["date_precision"] = parsing.parse_partial_date(cells["date_start"])
    except ValueError as exc:
        refuse("date_start", str(exc))
    f["end_date"] = None
    if cells.get("date_end"):
        try:
            f["end_date"] = parsing.parse_date(cells["date_end"])
        except ValueError as exc:
            refuse("date_end", str(exc))
        else:
            if f.get("start_date") and f["end_date"] < f["start_date"]:
                refuse("date_end", f"ends {f['end_date']}, before it starts {f['start_date']}")
    kind = EVENT_KINDS.get(cells["type"].lower())
    if kind is None:
        refuse(
            "type",
            f"unknown event type {cells['type']!r}; expected one of {', '.join(EVENT_KINDS)}",
        )
    else:
        f["kind"], f["kind_label"] = kind
    f["participants"] = cells.get("actors", "")
    codes = []
    for name in (n.strip() for n in f["participants"].split(";")):
        code = parsing.resolve_actor_code(name)
        if code and code not in codes:
            codes.append(code)
        elif name and not code:
            row.kept_as_text.append(("actors", name))
    f["participant_codes"] = codes
    f["location"] = cells.get("location", "")
    f["description"] = cells.get("description", "")
    f["date_note"] = cells.get("date_note", "")
    related = []
    for text in (t.strip() for t in cells.get("related_launch_dates", "").split(";")):
        if not text:
            continue
        try:
            related.append(parsing.parse_date(text))
        except ValueError as exc:
            refuse("related_launch_dates", str(exc))
    row.extra["related_launch_dates"] = related
    row.sources = split_sources(cells["sources"], number, "sources", problems)
    if not row.sources:
        refuse("sources", "every event cites at least one source")
    if not any(problem.row == number for problem in problems):
        # Refuse what the model would reject (a cell too long) before anything is written.
        event = Event(external_id=row.external_id, **f)
        problems += [
            Problem(number, EVENT_FIELD_COLUMNS.get(name, name), message)
            for name, message in model_errors(event, exclude=["slug"])
        ]
    return row
