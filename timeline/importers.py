"""Reading import files into validated rows. Nothing here writes; services.py does.

Each reader turns a file into `Row`s (the fields of one record, its claims and source
tokens) and `Problem`s (row, column, reason). A file with a wrong header is refused whole.
"""

import csv
import datetime
import io
import re
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify

from core.text import TextValidator

from . import parsing
from .models import (
    ClaimAttribute,
    Confidence,
    Event,
    EventKind,
    Launch,
    LaunchCategory,
    Outcome,
    validate_state_code,
)


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
_text = TextValidator()


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
            _text(token)
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
# The column a model field comes from, to name it when the model refuses a value.
CHRONOLOGY_FIELD_COLUMNS = {
    "__all__": "time_kst",
    "occurred_on": "date_kst",
    "occurred_at": "time_kst",
    "time_note": "time_kst",
    "missile_count": "count",
    "count_note": "count_note",
    "missile_type_label": "type",
    "missile_name": "missile_name",
    "launch_site": "launch_site",
    "direction": "direction_target",
    "distance_km": "distance_km",
    "apogee_km": "apogee_km",
    "flight_time_min": "flight_time_min",
    "outcome_note": "outcome",
    "reporting_authority": "reported_by",
    "site_latitude": "latitude",
    "site_longitude": "longitude",
    "local_timezone": "timezone",
}


def _figure(row, column, text, attribute, field_name, *, parser=parsing.parse_figure, note=""):
    """Parse one figure cell into the row: the best value, its claims, any kept text.

    With a `note` ("missile 2"), even a plain number becomes a claim, carrying the note.
    """
    if not text:
        row.fields[field_name] = None
        return
    figures = parser(text)
    row.fields[field_name] = figures.best
    if figures.has_text:
        row.kept_as_text.append((column, text))
    if note or not figures.plain:
        for claim in figures.claims:
            claim.note = "; ".join(part for part in (claim.note, note) if part)
        row.claims.extend((attribute, claim) for claim in figures.claims)


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
        # Optional columns a file lacks leave the analyst's text alone (the time note
        # "just past noon", a summary); a time such as "~12:00" brings its own note.
        if "time_note" in cells or parsed.note:
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
    if "summary" in cells:
        f["summary"] = cells["summary"]
    row.sources = split_sources(cells["sources"], number, "sources", problems)
    if not row.sources:
        refuse("sources", "every launch cites at least one source")
    if not any(problem.row == number for problem in problems):
        # The time note comes from its own column when the file has one, else from the time.
        time_note_column = "time_note" if cells.get("time_note") else "time_kst"
        _validate_launch(
            row,
            problems,
            field_columns={**CHRONOLOGY_FIELD_COLUMNS, "time_note": time_note_column},
            figure_columns={**FIGURE_COLUMNS, "count": (ClaimAttribute.COUNT, "missile_count")},
        )
    return row


CNS_COLUMNS = [
    "Date",
    "Date Entered/Updated",
    "Launch Time (UTC)",
    "Missile Name",
    "Missile Type",
    "Launch Agency/Authority",
    "Facility Name",
    "Facility Location",
    "Other Name",
    "Facility Latitude",
    "Facility Longitude",
    "Landing Location",
    "Apogee",
    "Distance Travelled",
    "Confirmation Status",
    "Test Outcome",
    "Additional Information",
    "Source(s)",
]
CNS_FIGURES = {
    "Apogee": (ClaimAttribute.APOGEE, "apogee_km"),
    "Distance Travelled": (ClaimAttribute.DISTANCE, "distance_km"),
}
CNS_COORDINATES = {"Facility Latitude": 90, "Facility Longitude": 180}
CNS_ZONE = zoneinfo.ZoneInfo("Asia/Seoul")
# The column a model field comes from, to name it when the model refuses a value.
CNS_FIELD_COLUMNS = {
    "occurred_on": "Date",
    "occurred_at": "Launch Time (UTC)",
    "time_note": "Launch Time (UTC)",
    "missile_type_label": "Missile Type",
    "missile_name": "Missile Name",
    "launch_site": "Facility Name",
    "site_latitude": "Facility Latitude",
    "site_longitude": "Facility Longitude",
    "direction": "Landing Location",
    "apogee_km": "Apogee",
    "distance_km": "Distance Travelled",
    "outcome_note": "Test Outcome",
    "reporting_authority": "Launch Agency/Authority",
}
_COORDINATE_PLACES = Decimal("0.00001")


@dataclass
class CnsMissile:
    """One row of the CNS file: a missile, its cells, and what its own cells parse to."""

    number: int
    cells: dict
    day: datetime.date | None = None
    time: parsing.ParsedTime | None = None
    occurred_at: datetime.datetime | None = None
    coordinates: dict = field(default_factory=dict)
    kept_as_text: list = field(default_factory=list)
    ok: bool = True

    @property
    def key(self):
        """Rows with the same date, time and facility are one launch."""
        time = "" if self.time_text.lower() == "unknown" else self.time_text
        return (self.day or self.cells["Date"], time, self.cells["Facility Name"])

    @property
    def time_text(self):
        return self.cells["Launch Time (UTC)"]


def read_cns_launches(file):
    """Launches from the CNS North Korea Missile Test Database exported as CSV.

    The file has one row per missile; rows with the same Date, Launch Time (UTC) and
    Facility Name form one launch, reported by the number of its first row.
    """
    problems, groups = [], {}
    for number, cells in read_csv(file, CNS_COLUMNS, CNS_COLUMNS):
        before = len(problems)
        missile = _cns_missile(number, cells, problems)
        missile.ok = len(problems) == before
        groups.setdefault(missile.key, []).append(missile)
    rows, first_row_of = [], {}
    for missiles in groups.values():
        if not all(m.ok for m in missiles):
            continue
        before = len(problems)
        row = _cns_launch(missiles, problems)
        if row.external_id in first_row_of:
            reason = (
                f"same launch id {row.external_id} as row {first_row_of[row.external_id]}: "
                "the rows differ only in how the time or the facility is written"
            )
            problems.append(Problem(row.number, "Facility Name", reason))
        first_row_of.setdefault(row.external_id, row.number)
        if len(problems) == before:
            rows.append(row)
    problems.sort(key=lambda problem: problem.row)
    return rows, problems


def _cns_missile(number, cells, problems):
    """Read the cells of one missile row; a bad cell is refused with this row's number."""

    def refuse(column, reason):
        problems.append(Problem(number, column, reason))

    missile = CnsMissile(number, cells)
    try:
        missile.day = parsing.parse_date(cells["Date"])
    except ValueError as exc:
        refuse("Date", str(exc))
    if missile.time_text.lower() != "unknown":
        try:
            missile.time = parsing.parse_time(missile.time_text)
        except ValueError as exc:
            refuse("Launch Time (UTC)", str(exc))
    if missile.time and missile.time.note:
        missile.kept_as_text.append(("Launch Time (UTC)", missile.time_text))
    if missile.day and missile.time and missile.time.time:
        missile.occurred_at = _utc_instant(missile.day, missile.time.time)
    for column, bound in CNS_COORDINATES.items():
        missile.coordinates[column] = _coordinate(missile, column, bound, refuse)
    for column in CNS_FIGURES:
        try:
            parsing.parse_figure(cells[column])
        except ValueError as exc:
            refuse(column, str(exc))
    return missile


def _utc_instant(day, time):
    """The instant at `time` UTC whose local date in Korea is `day`."""
    candidates = (
        datetime.datetime.combine(day - datetime.timedelta(days=back), time, tzinfo=datetime.UTC)
        for back in (0, 1)
    )
    return next(c for c in candidates if c.astimezone(CNS_ZONE).date() == day)


def _coordinate(missile, column, bound, refuse):
    """A latitude or longitude cell: a number in range, or None (text such as Unknown is kept)."""
    text = missile.cells[column]
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        missile.kept_as_text.append((column, text))
        return None
    if not -bound <= value <= bound:
        refuse(column, f"{text} is outside -{bound}..{bound}")
        return None
    return value.quantize(_COORDINATE_PLACES)


def _distinct(values):
    """The non-empty values, each once, in the order they first appear."""
    return list(dict.fromkeys(value for value in values if value))


def _joined(missiles, column, separator="; "):
    return separator.join(_distinct(m.cells[column] for m in missiles))


def _cns_launch(missiles, problems):
    """One launch from the missile rows of a group; its problems name the group's first row."""
    first = missiles[0]
    row = Row(
        number=first.number,
        external_id=_cns_id(first),
        fields={},
        extra={"record": {"format": "cns", "rows": [m.cells for m in missiles]}},
    )
    row.kept_as_text = _distinct(kept for m in missiles for kept in m.kept_as_text)
    f = row.fields
    f["launching_state"] = "KP"
    f["local_timezone"] = CNS_ZONE.key
    f["occurred_on"] = first.day
    f["occurred_at"] = first.occurred_at
    f["time_note"] = first.time.note if first.time else ""
    f["missile_count"] = len(missiles)
    f["missile_type_label"] = _joined(missiles, "Missile Type")
    f["category"] = _cns_category(_distinct(m.cells["Missile Type"] for m in missiles))
    f["missile_class"] = parsing.parse_missile_class(f["missile_type_label"], f["category"])
    f["missile_name"] = _joined(missiles, "Missile Name")
    f["launch_site"] = _cns_site(missiles)
    for column, field_name in (
        ("Facility Latitude", "site_latitude"),
        ("Facility Longitude", "site_longitude"),
    ):
        values = (m.coordinates[column] for m in missiles)
        f[field_name] = next((value for value in values if value is not None), None)
    f["direction"] = _joined(missiles, "Landing Location")
    for column in CNS_FIGURES:
        _cns_figure(row, missiles, column)
    f["outcome"], f["outcome_note"] = _cns_outcome(row, missiles)
    f["reporting_authority"] = _joined(missiles, "Launch Agency/Authority")
    notes = _distinct(m.cells["Additional Information"] for m in missiles)
    f["confidence"], unusual = _cns_confidence(missiles)
    notes += [f"Confirmation status: {status}" for status in unusual]
    row.kept_as_text += [("Confirmation Status", status) for status in unusual]
    citations = _cns_sources(row, missiles)
    if citations:
        notes.append(f"Sources cited: {'; '.join(citations)}")
    f["notes"] = "\n".join(notes)
    _validate_launch(
        row,
        problems,
        field_columns={**CNS_FIELD_COLUMNS, "__all__": "Date"},
        figure_columns=CNS_FIGURES,
    )
    return row


def _cns_id(missile):
    """cns:2022-01-05:2310:mupyong-ni — the local date, the UTC time (or day) and the site."""
    time = missile.occurred_at.strftime("%H%M") if missile.occurred_at else "day"
    site = slugify(missile.cells["Facility Name"], allow_unicode=True)[:100].strip("-")
    return f"cns:{missile.day.isoformat()}:{time}:{site or 'unknown'}"


def _cns_category(types):
    """Cruise if a type says so, space launch for an SLV or satellite, else ballistic."""
    categories = set()
    for text in types or [""]:
        lowered = text.lower()
        if "cruise" in lowered:
            categories.add(LaunchCategory.CRUISE)
        elif re.search(r"\bslv\b|satellite", lowered):
            categories.add(LaunchCategory.SPACE)
        else:
            categories.add(LaunchCategory.BALLISTIC)
    return categories.pop() if len(categories) == 1 else LaunchCategory.MIXED


def _cns_site(missiles):
    """ "Name, Location (also: Other Name)", leaving out the empty parts."""
    name_and_place = ", ".join(
        part
        for part in (_joined(missiles, "Facility Name"), _joined(missiles, "Facility Location"))
        if part
    )
    other = _joined(missiles, "Other Name")
    return f"{name_and_place} (also: {other})".strip() if other else name_and_place


def _cns_figure(row, missiles, column):
    """A figure column of the group: one cell as the chronology reads it, or claims per missile.

    When the missiles' cells differ, the best value is the largest of their best values.
    """
    attribute, field_name = CNS_FIGURES[column]
    positions = {}
    for position, missile in enumerate(missiles, start=1):
        if missile.cells[column]:
            positions.setdefault(missile.cells[column], []).append(position)
    if len(positions) <= 1:
        _figure(row, column, next(iter(positions), ""), attribute, field_name)
        return
    bests = []
    for text, numbers in positions.items():
        label = "missile" if len(numbers) == 1 else "missiles"
        note = f"{label} {', '.join(map(str, numbers))}"
        _figure(row, column, text, attribute, field_name, note=note)
        bests.append(row.fields[field_name])
    row.fields[field_name] = max((b for b in bests if b is not None), default=None)


def _cns_outcome(row, missiles):
    """One outcome for the group; when the missiles' outcomes differ, the note lists them."""
    texts = [m.cells["Test Outcome"] for m in missiles]
    parsed = [parsing.parse_outcome(text) for text in texts]
    row.kept_as_text += _distinct(
        ("Test Outcome", text)
        for text, (outcome, note) in zip(texts, parsed, strict=True)
        if outcome == Outcome.UNKNOWN and note
    )
    outcomes = {outcome for outcome, _ in parsed}
    if len(outcomes) == 1:
        return outcomes.pop(), "; ".join(_distinct(note for _, note in parsed))
    readable = {Outcome.SUCCESS, Outcome.PARTIAL, Outcome.FAILURE}
    outcome = Outcome.PARTIAL if outcomes <= readable else Outcome.UNKNOWN
    listed = (f"missile {n}: {text or 'not stated'}" for n, text in enumerate(texts, start=1))
    return outcome, "; ".join(listed)


def _cns_confidence(missiles):
    """Confirmed when every missile is; returns it with the statuses that say something else."""
    statuses = [m.cells["Confirmation Status"] for m in missiles]
    confirmed = all(status.lower() == "confirmed" for status in statuses)
    unusual = _distinct(s for s in statuses if s.lower() not in {"confirmed", "unconfirmed"})
    return (Confidence.CONFIRMED if confirmed else Confidence.SUSPECTED), unusual


def _cns_sources(row, missiles):
    """Cite the CNS database and each URL; returns the citations that are not URLs."""
    tokens, citations = ["CNS-DB"], []
    for missile in missiles:
        for piece in re.split(r"[;\n]", missile.cells["Source(s)"]):
            found = split_sources(piece, missile.number, "Source(s)", [], strict=False)
            tokens += found
            if piece.strip() and not found:
                citations.append(piece.strip())
    row.sources = _distinct(tokens)
    citations = _distinct(citations)
    row.kept_as_text += [("Source(s)", citation) for citation in citations]
    return citations


def _validate_launch(row, problems, *, field_columns, figure_columns):
    """Refuse a launch the model would reject (a cell too long, a figure too precise).

    `field_columns` maps model fields to the file's columns, `figure_columns` maps the file's
    figure columns to (claim attribute, field), so each message names the column at fault.
    """
    errors = _model_errors(Launch(external_id=row.external_id, **row.fields), exclude=["slug"])
    claim_columns = {attribute: column for column, (attribute, _) in figure_columns.items()}
    for attribute, claim in row.claims:
        column = claim_columns.get(attribute, attribute)
        record = claim.to_model(attribute)
        errors += [(column, m) for _, m in _model_errors(record, exclude=["launch"])]
    problems += [
        Problem(row.number, field_columns.get(name, name), message) for name, message in errors
    ]


def _model_errors(instance, *, exclude):
    """(field, message) for each value the model's own validation refuses."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return [(name, m) for name, messages in exc.message_dict.items() for m in messages]
    return []


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
    if not any(problem.row == number for problem in problems):
        # Refuse what the model would reject (a cell too long) before anything is written.
        event = Event(external_id=row.external_id, **f)
        problems += [
            Problem(number, EVENT_FIELD_COLUMNS.get(name, name), message)
            for name, message in _model_errors(event, exclude=["slug"])
        ]
    return row
