"""Salvo's launch chronology CSV (the format of timeline/data/launches.csv), one launch a row."""

import datetime
import zoneinfo
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from timeline.models import ClaimAttribute, Confidence, validate_state_code

from .. import parsing
from .base import Problem, Row, read_csv, read_figure, split_sources, validate_launch

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
            read_figure(row, column, cells.get(column, ""), attribute, field_name)
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
        validate_launch(
            row,
            problems,
            field_columns={**CHRONOLOGY_FIELD_COLUMNS, "time_note": time_note_column},
            figure_columns={**FIGURE_COLUMNS, "count": (ClaimAttribute.COUNT, "missile_count")},
        )
    return row
