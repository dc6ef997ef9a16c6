"""Salvo's launch chronology CSV (the format of timeline/data/launches.csv), one launch a row."""

import datetime
import zoneinfo
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from timeline.models import ClaimAttribute, Confidence, validate_state_code
from timeline.names import without_internal_labels

from .. import parsing
from .base import Problem, Row, read_figure, read_rows, split_sources, validate_launch

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
# Each coordinate column, the field it fills and the bound of its values (±).
COORDINATE_COLUMNS = {"latitude": ("site_latitude", 90), "longitude": ("site_longitude", 180)}
# The column a model field comes from, to name it when the model refuses a value.
CHRONOLOGY_FIELD_COLUMNS = {
    "__all__": "time_kst",
    "occurred_on": "date_kst",
    "date_precision": "date_kst",
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


def read_chronology_launches(file):
    """Launches from Salvo's chronology CSV (the format of data/launches.csv)."""
    columns = CHRONOLOGY_COLUMNS + LAUNCH_EXTRA_COLUMNS
    return read_rows(file, columns, CHRONOLOGY_REQUIRED, _chronology_launch)


def _chronology_launch(number, cells, problems):
    """Read the cells of one launch row; a bad cell is refused with this row's number."""

    def refuse(column, reason):
        problems.append(Problem(number, column, reason))

    row = Row(number=number, external_id=cells["event_id"], fields={}, extra={"cells": cells})
    if not row.external_id:
        refuse("event_id", "every launch needs an id")
    f = row.fields
    f["launching_state"] = _launching_state(cells, refuse)
    f["local_timezone"], zone = _zone(cells, refuse)
    day, f["date_precision"] = _day(cells, refuse)
    if day is None:
        return row  # the time and the year are read against the day
    f["occurred_on"] = day
    _time(row, cells, zone, refuse)
    _count(row, cells, refuse)
    f["count_note"] = cells.get("count_note", "")
    f["category"] = _category(cells, refuse)
    f["missile_type_label"] = cells["type"]
    f["missile_class"] = parsing.parse_missile_class(cells["type"], f["category"])
    # A compiler's shorthand ("nagix label: …") reads as what it means; the row as written
    # stays in the launch's import record.
    f["missile_name"] = without_internal_labels(cells.get("missile_name", ""))
    f["launch_site"] = without_internal_labels(cells.get("launch_site", ""))
    f["direction"] = cells.get("direction_target", "")
    for column in FIGURE_COLUMNS:
        _figure(row, cells, column, refuse)
    for column, (field_name, bound) in COORDINATE_COLUMNS.items():
        f[field_name] = _coordinate(cells, column, bound, refuse)
    f["outcome"], f["outcome_note"] = parsing.parse_outcome(cells.get("outcome"))
    f["reporting_authority"] = cells.get("reported_by", "")
    uncertain = _uncertain(cells, refuse)
    f["confidence"] = _confidence(f["reporting_authority"], uncertain=uncertain)
    f["notes"] = cells.get("notes", "")
    if "summary" in cells:
        f["summary"] = cells["summary"]
    row.sources = split_sources(cells["sources"], number, "sources", problems)
    if not row.sources:
        refuse("sources", "every launch cites at least one source")
    if not any(problem.row == number for problem in problems):
        # The time note comes from its own column when the file has one, else from the time.
        time_note_column = "time_note" if cells.get("time_note") else "time_kst"
        validate_launch(
            row,
            problems,
            field_columns={**CHRONOLOGY_FIELD_COLUMNS, "time_note": time_note_column},
            figure_columns={**FIGURE_COLUMNS, "count": (ClaimAttribute.COUNT, "missile_count")},
        )
    return row


def _launching_state(cells, refuse):
    """The launching state's ISO code; North Korea when the column is empty or absent."""
    state = cells.get("launching_state") or "KP"
    try:
        validate_state_code(state)
    except ValidationError:
        refuse("launching_state", f"unknown actor code {state!r}: not an ISO 3166-1 alpha-2 state")
    return state


def _zone(cells, refuse):
    """The local time zone's name (Seoul's by default) and the zone; UTC when it is unknown."""
    name = cells.get("timezone") or "Asia/Seoul"
    try:
        return name, zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        refuse("timezone", f"unknown time zone {name!r}")
        return name, datetime.UTC


def _day(cells, refuse):
    """The local date of the launch and how much of it is known ("2025-06" is a month, "1984"
    a year), or None; the year column, when given, must agree."""
    try:
        day, precision = parsing.parse_partial_date(cells["date_kst"])
    except ValueError as exc:
        refuse("date_kst", str(exc))
        return None, None
    if cells.get("year") and cells["year"] != str(day.year):
        refuse("year", f"year {cells['year']} does not match the date {cells['date_kst']}")
    return day, precision


def _time(row, cells, zone, refuse):
    """The instant of the launch (UTC) from its local time, and the time's note if any."""
    try:
        parsed = parsing.parse_time(cells.get("time_kst"))
    except ValueError as exc:
        refuse("time_kst", str(exc))
        return
    f = row.fields
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


def _count(row, cells, refuse):
    """The number of missiles, a whole number or None; the count cell's claims are kept."""
    if not cells.get("count"):
        row.fields["missile_count"] = None
        return
    try:
        read_figure(
            row,
            "count",
            cells["count"],
            ClaimAttribute.COUNT,
            "missile_count",
            parser=parsing.parse_count,
        )
    except ValueError as exc:
        refuse("count", str(exc))
        return
    if row.fields["missile_count"] is not None:
        row.fields["missile_count"] = int(row.fields["missile_count"])


def _category(cells, refuse):
    """Ballistic, cruise, space launch or mixed; None when the cell says none of them."""
    try:
        return parsing.parse_category(cells["category"])
    except ValueError as exc:
        refuse("category", str(exc))
        return None


def _figure(row, cells, column, refuse):
    """A figure column (distance, apogee, flight time) into the row; never below zero."""
    attribute, field_name = FIGURE_COLUMNS[column]
    try:
        read_figure(row, column, cells.get(column, ""), attribute, field_name)
    except ValueError as exc:
        refuse(column, str(exc))
    value = row.fields.get(field_name)
    if value is not None and value < 0:
        refuse(column, f"{cells[column]!r} is negative; figures cannot be below zero")


def _coordinate(cells, column, bound, refuse):
    """A latitude or longitude cell: a number, refused outside -bound..bound; None if empty."""
    text = cells.get(column, "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        refuse(column, f"{text!r} is not a number")
        return None
    if not -bound <= value <= bound:
        refuse(column, f"{text} is outside -{bound}..{bound}")
    return value


def _uncertain(cells, refuse):
    """True when the uncertain column says yes; it may say only yes, no or nothing.

    The column is a compiler's general doubt about the row, not a disagreement between
    figures: it makes the launch suspected, never "figures disputed", which is read from the
    claims (Launch.figures_disputed). The cell stays verbatim in the import record.
    """
    uncertain = cells.get("uncertain", "").lower()
    if uncertain not in {"", "yes", "no"}:
        refuse("uncertain", f"{cells['uncertain']!r} should be yes, no or empty")
    return uncertain == "yes"


def _confidence(reporting_authority, *, uncertain):
    """Claimed when only the launching state's own media report it; suspected when marked
    uncertain; not stated when nobody is named as reporting it; confirmed otherwise."""
    reporters = [r.strip().upper() for r in reporting_authority.split(";") if r.strip()]
    if reporters and all(r.split(" (")[0] in parsing.LAUNCHING_STATE_MEDIA for r in reporters):
        return Confidence.CLAIMED
    if uncertain:
        return Confidence.SUSPECTED
    return Confidence.CONFIRMED if reporters else Confidence.UNKNOWN
