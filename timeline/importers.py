"""Reading import files into validated rows. Nothing here writes; services.py does.

Each reader turns a file into `Row`s (the fields of one record, its claims and source
tokens) and `Problem`s (row, column, reason). A file with a wrong header is refused whole.
"""

import csv
import datetime
import io
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from . import parsing
from .models import ClaimAttribute, Confidence, EventKind, validate_state_code


class FileRefused(Exception):
    """The file as a whole cannot be read: wrong columns, wrong encoding."""


@dataclass
class Problem:
    row: int
    column: str
    reason: str

    def __str__(self):
        return f"row {self.row}, column {self.column}: {self.reason}"


@dataclass
class Row:
    number: int
    external_id: str
    fields: dict
    claims: list = field(default_factory=list)  # (attribute, parsing.Claim)
    sources: list = field(default_factory=list)  # source tokens: URLs or references
    kept_as_text: list = field(default_factory=list)  # (column, text)
    extra: dict = field(default_factory=dict)


# Datasets cited by name rather than by URL in the chronology.
SOURCE_REFERENCES = {
    "CNS-DB": {
        "title": "CNS North Korea Missile Test Database",
        "publisher": "James Martin Center for Nonproliferation Studies",
        "url": "https://www.nti.org/analysis/articles/cns-north-korea-missile-test-database/",
    },
    "NAGIX-PRELIM": {
        "title": "nagix preliminary launch compilation",
        "publisher": "nagix",
        "url": "",
    },
}

_url = URLValidator(schemes=["http", "https"])


def split_sources(text, row, column, problems, *, strict=True):
    """Source tokens of a cell ("CNS-DB ; https://…"): URLs and known dataset references."""
    tokens = []
    for token in (t.strip() for t in (text or "").split(";")):
        if not token:
            continue
        if token.upper() in SOURCE_REFERENCES:
            tokens.append(token.upper())
            continue
        try:
            _url(token)
        except ValidationError:
            if strict:
                problems.append(
                    Problem(row, column, f"{token!r} is neither a URL nor a known source reference")
                )
            continue
        tokens.append(token)
    return tokens


def read_csv(file, expected, required):
    """Rows of a CSV file as dicts, after checking its header names the expected columns."""
    text = file.read()
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileRefused(
                f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from exc
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    unknown = [c for c in header if c not in expected]
    if unknown:
        raise FileRefused(f"unknown column {unknown[0]!r}; the columns are: {', '.join(expected)}")
    missing = [c for c in required if c not in header]
    if missing:
        raise FileRefused(f"missing column {missing[0]!r}")
    for number, cells in enumerate(reader, start=2):
        if None in cells:
            raise FileRefused(f"row {number} has more cells than the header has columns")
        yield number, {k: (v or "").strip() for k, v in cells.items()}


CHRONOLOGY_COLUMNS = [
    "event_id",
    "date_kst",
    "time_kst",
    "year",
    "count",
    "count_note",
    "category",
    "type",
    "missile_name",
    "launch_site",
    "direction_target",
    "distance_km",
    "apogee_km",
    "flight_time_min",
    "outcome",
    "reported_by",
    "uncertain",
    "notes",
    "sources",
]
# Optional columns of Salvo's own launch CSV, beyond the chronology's.
LAUNCH_EXTRA_COLUMNS = [
    "launching_state",
    "timezone",
    "latitude",
    "longitude",
    "time_note",
    "summary",
]
CHRONOLOGY_REQUIRED = ["event_id", "date_kst", "category", "type", "sources"]

FIGURE_COLUMNS = {
    "distance_km": (ClaimAttribute.DISTANCE, "distance_km"),
    "apogee_km": (ClaimAttribute.APOGEE, "apogee_km"),
    "flight_time_min": (ClaimAttribute.FLIGHT_TIME, "flight_time_min"),
}


def _figure(row, column, text, attribute, field_name, *, parser=parsing.parse_figure):
    """Parse one figure cell into the row: the best value, its claims, any kept text."""
    if not text:
        row.fields[field_name] = None
        return
    figures = parser(text)
    row.fields[field_name] = figures.best
    if not figures.plain:
        row.claims.extend((attribute, claim) for claim in figures.claims)
    if figures.has_text:
        row.kept_as_text.append((column, text))


def read_chronology_launches(file):
    """Launches from Salvo's chronology CSV (the format of data/launches.csv)."""
    rows, problems = [], []
    columns = CHRONOLOGY_COLUMNS + LAUNCH_EXTRA_COLUMNS
    for number, cells in read_csv(file, columns, CHRONOLOGY_REQUIRED):
        before = len(problems)
        row = _chronology_launch(number, cells, problems)
        if len(problems) == before:
            rows.append(row)
    return rows, problems


def _chronology_launch(number, cells, problems):
    def refuse(column, reason):
        problems.append(Problem(number, column, reason))

    external_id = cells["event_id"]
    if not external_id:
        refuse("event_id", "every launch needs an id")
    row = Row(number=number, external_id=external_id, fields={}, extra={"cells": cells})
    f = row.fields

    state = cells.get("launching_state") or "KP"
    try:
        validate_state_code(state)
    except ValidationError:
        refuse("launching_state", f"unknown actor code {state!r}: not an ISO 3166-1 alpha-2 state")
    f["launching_state"] = state
    zone_name = cells.get("timezone") or "Asia/Seoul"
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        refuse("timezone", f"unknown time zone {zone_name!r}")
        zone = datetime.UTC
    f["local_timezone"] = zone_name

    try:
        f["occurred_on"] = parsing.parse_date(cells["date_kst"])
    except ValueError as exc:
        refuse("date_kst", str(exc))
        return row
    if cells.get("year") and cells["year"] != str(f["occurred_on"].year):
        refuse("year", f"year {cells['year']} does not match the date {cells['date_kst']}")

    try:
        parsed = parsing.parse_time(cells.get("time_kst"))
    except ValueError as exc:
        refuse("time_kst", str(exc))
    else:
        f["occurred_at"] = (
            datetime.datetime.combine(f["occurred_on"], parsed.time, tzinfo=zone).astimezone(
                datetime.UTC
            )
            if parsed.time
            else None
        )
        f["time_note"] = cells.get("time_note") or parsed.note
        if parsed.note and not parsed.time:
            row.kept_as_text.append(("time_kst", parsed.note))

    if cells.get("count"):
        try:
            _figure(
                row,
                "count",
                cells["count"],
                ClaimAttribute.COUNT,
                "missile_count",
                parser=parsing.parse_count,
            )
        except ValueError as exc:
            refuse("count", str(exc))
        else:
            if f["missile_count"] is not None:
                f["missile_count"] = int(f["missile_count"])
    else:
        f["missile_count"] = None
    f["count_note"] = cells.get("count_note", "")

    try:
        f["category"] = parsing.parse_category(cells["category"])
    except ValueError as exc:
        refuse("category", str(exc))
        f["category"] = None
    f["missile_type_label"] = cells["type"]
    f["missile_class"] = parsing.parse_missile_class(cells["type"], f["category"])
    f["missile_name"] = cells.get("missile_name", "")
    f["launch_site"] = cells.get("launch_site", "")
    f["direction"] = cells.get("direction_target", "")

    for column, (attribute, field_name) in FIGURE_COLUMNS.items():
        try:
            _figure(row, column, cells.get(column, ""), attribute, field_name)
        except ValueError as exc:
            refuse(column, str(exc))
        value = f.get(field_name)
        if value is not None and value < 0:
            refuse(column, f"{cells[column]!r} is negative; figures cannot be below zero")

    for column, field_name, bound in (
        ("latitude", "site_latitude", 90),
        ("longitude", "site_longitude", 180),
    ):
        text = cells.get(column, "")
        f[field_name] = None
        if text:
            try:
                value = Decimal(text)
            except InvalidOperation:
                refuse(column, f"{text!r} is not a number")
                continue
            if not -bound <= value <= bound:
                refuse(column, f"{text} is outside -{bound}..{bound}")
            f[field_name] = value

    f["outcome"], f["outcome_note"] = parsing.parse_outcome(cells.get("outcome"))
    f["reporting_authority"] = cells.get("reported_by", "")
    uncertain = cells.get("uncertain", "").lower()
    if uncertain not in {"", "yes", "no"}:
        refuse("uncertain", f"{cells['uncertain']!r} should be yes, no or empty")
    f["disputed"] = uncertain == "yes"
    reporters = [r.strip().upper() for r in f["reporting_authority"].split(";") if r.strip()]
    if reporters and all(r.split(" (")[0] in parsing.LAUNCHING_STATE_MEDIA for r in reporters):
        f["confidence"] = Confidence.CLAIMED
    elif f["disputed"]:
        f["confidence"] = Confidence.SUSPECTED
    else:
        f["confidence"] = Confidence.CONFIRMED
    f["notes"] = cells.get("notes", "")
    f["summary"] = cells.get("summary", "")
    row.sources = split_sources(cells["sources"], number, "sources", problems)
    if not row.sources:
        refuse("sources", "every launch cites at least one source")
    return row


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
    rows, problems = [], []
    for number, cells in read_csv(file, EVENT_COLUMNS, EVENT_REQUIRED):
        before = len(problems)
        row = _event(number, cells, problems)
        if len(problems) == before:
            rows.append(row)
    return rows, problems


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
    return row
