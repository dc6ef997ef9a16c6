"""Importing the real 2022-2025 chronology: every row, every cell, and nothing twice."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from imports.parsing import split_top_level
from imports.services import events_import, launches_import
from timeline.models import Event, Launch, LaunchClaim, Link, Source
from timeline.names import without_internal_labels

from .paths import EVENTS_CSV, LAUNCHES_CSV

pytestmark = pytest.mark.django_db

FIGURES = {"distance_km": "distance", "apogee_km": "apogee", "flight_time_min": "flight_time"}
VERBATIM = {
    "count_note": "count_note",
    "type": "missile_type_label",
    "direction_target": "direction",
    "reported_by": "reporting_authority",
    "notes": "notes",
}


def csv_rows(path):
    with open(path, encoding="utf-8") as handle:
        return [{k: v.strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def claims_text(launch, attribute):
    return "; ".join(c.value_text for c in launch.claims.all() if c.attribute == attribute)


def test_chronology_imports_every_launch_and_event(chronology):
    launches, events = chronology
    assert (launches.created, launches.updated, launches.refused) == (102, 0, [])
    assert (events.created, events.updated, events.refused) == (60, 0, [])
    assert Launch.objects.published().count() == 102
    assert Event.objects.published().count() == 60
    assert events.links_created == Link.objects.count() > 80


def test_no_cell_of_the_launch_file_is_lost(chronology):
    rows = csv_rows(LAUNCHES_CSV)
    launches = {
        launch.external_id: launch
        for launch in Launch.objects.prefetch_related("claims", "sources")
    }
    assert len(rows) == len(launches) == 102
    for row in rows:
        launch = launches[row["event_id"]]
        context = row["event_id"]
        assert launch.import_record == {"format": "salvo-chronology", "row": row}, context
        assert (
            launch.occurred_on.isoformat()
            == row["date_kst"]
            == f"{row['year']}{row['date_kst'][4:]}"
        )
        if row["time_kst"]:
            shown = launch.local_time.strftime("%H:%M") if launch.local_time else ""
            assert row["time_kst"] in (shown, launch.time_note) or shown in row["time_kst"], context
        else:
            assert launch.occurred_at is None, context
        for column, field in VERBATIM.items():
            assert getattr(launch, field) == row[column], (context, column)
        # Names and sites read a compiler's shorthand as what it means; the row keeps it.
        for column in ("missile_name", "launch_site"):
            assert getattr(launch, column) == without_internal_labels(row[column]), context
        for column, attribute in FIGURES.items():
            cell, value = row[column], getattr(launch, column)
            if not cell:
                assert value is None, (context, column)
                assert not claims_text(launch, attribute), (context, column)
            elif claims_text(launch, attribute):
                assert claims_text(launch, attribute) == "; ".join(split_top_level(cell)), context
            else:
                assert value == Decimal(cell), (context, column)
        if row["count"].isdigit():
            assert launch.missile_count == int(row["count"]), context
        else:
            assert claims_text(launch, "count") == "; ".join(split_top_level(row["count"])), context
        assert row["outcome"] in (launch.outcome, launch.outcome_note) or (
            not row["outcome"] and launch.outcome == "unknown"
        ), context
        # "uncertain" is general doubt: suspected, never "figures disputed" by itself.
        if row["uncertain"] == "yes" and launch.confidence != "claimed":
            assert launch.confidence == "suspected", context
        cited = {s.url for s in launch.sources.all()} | {
            s.reference.upper() for s in launch.sources.all()
        }
        for token in (t.strip() for t in row["sources"].split(";")):
            assert token in cited, (context, token)


def test_no_cell_of_the_event_file_is_lost(chronology):
    for row in csv_rows(EVENTS_CSV):
        event = Event.objects.get(external_id=row["context_id"])
        assert event.import_record == {"format": "salvo-events", "row": row}
        assert event.title == row["title"]
        assert event.participants == row["actors"]
        assert event.description == row["description"]
        assert event.date_note == row["date_note"]
        assert event.location == row["location"]
        assert event.start_date.isoformat().startswith(row["date_start"])
        for token in (t.strip() for t in row["sources"].split(";")):
            assert event.sources.filter(url=token).exists(), (row["context_id"], token)


def test_messy_cells_become_claims_with_the_best_value_on_the_launch(chronology):
    seed = Launch.objects.get(external_id="L2025-011")
    assert seed.distance_km == 700
    assert seed.apogee_km == 50
    claims = list(seed.claims.values_list("attribute", "value_text", "value", "claimant"))
    assert claims == [
        ("distance", "~700 (JCS)", Decimal("700.00"), "JCS"),
        ("distance", "450 (nagix prelim)", Decimal("450.00"), "nagix"),
        ("apogee", "50 (nagix prelim)", Decimal("50.00"), "nagix"),
    ]
    disputed = Launch.objects.get(external_id="L2022-002")  # 1000 (DPRK claim); ~700 (JCS/Japan)
    assert disputed.distance_km == 700  # the launching state's own claim is not preferred
    several = Launch.objects.get(external_id="L2025-002")  # several (JCS); 2 (nagix)
    assert several.missile_count == 2
    assert list(several.claims.filter(attribute="count").values_list("value_text", "value")) == [
        ("several (JCS)", None),
        ("2 (nagix)", Decimal("2.00")),
    ]
    ranged = Launch.objects.get(external_id="L2022-019").claims.get(value_text="110-670 (ROK)")
    assert (ranged.value, ranged.value_max, ranged.claimant) == (110, 670, "ROK")
    month_only = Event.objects.get(external_id="C048")
    assert (month_only.start_date.isoformat(), month_only.date_precision) == ("2025-06-01", "month")


def test_the_report_lists_cells_kept_as_text(chronology):
    launches, _ = chronology
    kept = {(row, column): text for row, column, text in launches.kept_as_text}
    assert kept[(66, "apogee_km")] == "150 m airburst (KCNA)"
    assert kept[(61, "count")] == "several"
    assert "kept as text: row 66, column apogee_km: '150 m airburst (KCNA)'" in launches.as_text()


def test_importing_the_same_files_again_changes_nothing(chronology):
    before = (
        list(Launch.objects.values_list("pk", "updated_at")),
        LaunchClaim.objects.count(),
        Source.objects.count(),
        Link.objects.count(),
    )
    out = io.StringIO()
    call_command("import_launches", str(LAUNCHES_CSV), stdout=out)
    call_command("import_events", str(EVENTS_CSV), stdout=out)
    assert "launches: 0 created, 0 updated, 102 unchanged, 0 refused" in out.getvalue()
    assert "events: 0 created, 0 updated, 60 unchanged, 0 refused" in out.getvalue()
    after = (
        list(Launch.objects.values_list("pk", "updated_at")),
        LaunchClaim.objects.count(),
        Source.objects.count(),
        Link.objects.count(),
    )
    assert after == before


def bad_file(edit, path=LAUNCHES_CSV):
    """The chronology with `edit(rows)` applied, as an in-memory CSV file."""
    with open(path, encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fieldnames, rows = list(reader.fieldnames), list(reader)
    fieldnames = edit(rows) or fieldnames
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fieldnames)
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode())


def with_column(rows, column, values):
    """Add `column` to every row, with `values` by row index; returns the new header."""
    for index, row in enumerate(rows):
        row[column] = values.get(index, "")
    return [*rows[0].keys()]


def counts():
    return (Launch.objects.count(), LaunchClaim.objects.count(), Source.objects.count())


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda rows: rows[4].update(distance_km="-430"),
            "row 6, column distance_km: '-430' is negative",
        ),
        (
            lambda rows: rows[9].update(date_kst="2022-02-30"),
            "row 11, column date_kst: '2022-02-30' is not a date",
        ),
        (
            lambda rows: with_column(rows, "launching_state", {2: "XX"}),
            "row 4, column launching_state: unknown actor code 'XX'",
        ),
        (
            lambda rows: rows[0].update(time_kst="25:10"),
            "row 2, column time_kst: '25:10' is not a time of day",
        ),
        (
            lambda rows: rows[1].update(category="laser"),
            "row 3, column category: unknown category 'laser'",
        ),
        (
            lambda rows: rows[3].update(sources="see footnote 4"),
            "row 5, column sources: 'see footnote 4' is neither a URL nor a known source",
        ),
        (
            lambda rows: with_column(rows, "latitude", {2: "NaN"}),
            "row 4, column latitude: 'NaN' is not a number",
        ),
        (
            lambda rows: with_column(rows, "longitude", {2: "-Infinity"}),
            "row 4, column longitude: '-Infinity' is not a number",
        ),
    ],
)
def test_bad_rows_are_refused_with_row_column_and_reason_and_nothing_is_written(edit, expected):
    report = launches_import(file=bad_file(edit))
    assert not report.written
    assert expected in report.as_text()
    assert "Nothing was written" in report.as_text()
    assert counts() == (0, 0, 0)


def test_a_bad_row_in_a_file_leaves_earlier_imports_untouched(chronology):
    before = counts()
    report = launches_import(file=bad_file(lambda rows: rows[50].update(apogee_km="-5")))
    assert [str(p) for p in report.refused] == [
        "row 52, column apogee_km: '-5' is negative; figures cannot be below zero"
    ]
    assert counts() == before


def test_a_wrong_column_refuses_the_whole_file():
    def rename(rows):
        for row in rows:
            row["distance"] = row.pop("distance_km")
        return [*rows[0].keys()]

    with pytest.raises(CommandError, match="refused, nothing written"):
        call_command("import_launches", "/dev/null")  # an empty file has no columns
    report = launches_import(file=bad_file(rename))
    assert "row 1, column header: unknown column 'distance'" in report.as_text()
    assert counts() == (0, 0, 0)


def test_skip_invalid_writes_the_good_rows_and_reports_the_bad(db):
    report = launches_import(
        file=bad_file(lambda rows: rows[0].update(count="0")), skip_invalid=True
    )
    assert report.written
    assert report.created == 101
    assert [str(p) for p in report.refused] == [
        "row 2, column count: a missile count must be at least 1, not '0'"
    ]


def test_a_bad_event_row_is_refused(chronology):
    report = events_import(
        file=bad_file(lambda rows: rows[5].update(date_end="2022-08-01"), path=EVENTS_CSV)
    )
    assert [str(p) for p in report.refused] == [
        "row 7, column date_end: ends 2022-08-01, before it starts 2022-08-22"
    ]
