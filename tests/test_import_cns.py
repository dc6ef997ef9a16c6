"""Importing the CNS missile test database: one row per missile, grouped into launches."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from imports.readers import Problem
from imports.services import launches_import
from timeline.models import Launch, LaunchClaim, Source

from .paths import TEST_DATA

pytestmark = pytest.mark.django_db

CNS_SAMPLE = TEST_DATA / "cns_sample.csv"
UTC = datetime.UTC

# external_id → missile_count, for the seven launches of the sample's twelve rows.
SAMPLE_LAUNCHES = {
    "cns:2022-01-05:2310:mupyong-ni": 1,
    "cns:2022-01-17:2350:sunan-international-airport": 2,
    "cns:2022-01-27:day:hamhung": 2,
    "cns:2022-03-24:0534:sunan-international-airport": 1,
    "cns:2022-09-28:0910:sunan-international-airport": 2,
    "cns:2023-01-01:1750:ryongsong": 1,
    "cns:2023-03-22:day:hamhung": 3,
}


def csv_rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def import_cns(path=CNS_SAMPLE, **options):
    with open(path, "rb") as handle:
        return launches_import(file=handle, format="cns", **options)


def launch(external_id):
    return Launch.objects.get(external_id=external_id)


def claims(external_id, attribute):
    return [
        (c.value_text, c.value, c.value_max, c.claimant, c.note)
        for c in launch(external_id).claims.filter(attribute=attribute).order_by("position")
    ]


def counts():
    return Launch.objects.count(), LaunchClaim.objects.count(), Source.objects.count()


def write_variant(tmp_path, *, rename=None, drop=None, cells=None):
    """A copy of the sample with a column renamed or dropped, or cells changed by CSV line."""
    rows = csv_rows(CNS_SAMPLE)
    header = list(rows[0])
    for line, changes in (cells or {}).items():
        rows[line - 2].update(changes)
    if drop:
        header.remove(drop)
        for row in rows:
            del row[drop]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([rename.get(c, c) for c in header] if rename else header)
    writer.writerows([row[c] for c in header] for row in rows)
    path = tmp_path / "cns_variant.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_rows_are_grouped_into_launches():
    report = import_cns()
    assert (report.created, report.updated, report.unchanged, report.refused) == (7, 0, 0, [])
    assert report.written
    assert dict(Launch.objects.published().values_list("external_id", "missile_count")) == (
        SAMPLE_LAUNCHES
    )
    assert sum(SAMPLE_LAUNCHES.values()) == len(csv_rows(CNS_SAMPLE)) == 12
    salvo = launch("cns:2023-03-22:day:hamhung")
    assert salvo.missile_name == "Hwasal-1; Hwasal-2"
    assert (salvo.category, salvo.missile_class) == ("cruise", "cruise")
    assert salvo.missile_type_label == "Strategic Cruise Missile"


DAY_ONLY_NOTE = (
    "Time not known; the date is the source's UTC date (the Korean date may be a day later)."
)


def test_utc_date_with_utc_time_gives_the_korean_date():
    import_cns()
    morning = launch("cns:2022-01-05:2310:mupyong-ni")
    assert morning.occurred_on == datetime.date(2022, 1, 5)
    assert morning.occurred_at == datetime.datetime(2022, 1, 4, 23, 10, tzinfo=UTC)
    assert morning.local_time.strftime("%Y-%m-%d %H:%M") == "2022-01-05 08:10"
    new_year = launch("cns:2023-01-01:1750:ryongsong")
    assert new_year.occurred_at == datetime.datetime(2022, 12, 31, 17, 50, tzinfo=UTC)
    afternoon = launch("cns:2022-03-24:0534:sunan-international-airport")
    assert afternoon.occurred_at == datetime.datetime(2022, 3, 24, 5, 34, tzinfo=UTC)
    for day_only in ("cns:2022-01-27:day:hamhung", "cns:2023-03-22:day:hamhung"):
        assert (launch(day_only).occurred_at, launch(day_only).time_note) == (None, DAY_ONLY_NOTE)


def test_fields_of_a_single_missile_launch():
    import_cns()
    hwasong = launch("cns:2022-03-24:0534:sunan-international-airport")
    assert hwasong.launch_site == (
        "Sunan International Airport, Pyongyang (also: Pyongyang International Airport)"
    )
    assert (hwasong.site_latitude, hwasong.site_longitude) == (
        Decimal("39.2241"),
        Decimal("125.67"),
    )
    assert (hwasong.apogee_km, hwasong.distance_km) == (Decimal(6248), Decimal(1090))
    assert (hwasong.missile_class, hwasong.category, hwasong.confidence) == (
        "ICBM",
        "ballistic",
        "confirmed",
    )
    assert (hwasong.outcome, hwasong.reporting_authority) == ("success", "Missile General Bureau")
    assert hwasong.direction == "Sea of Japan (Japan EEZ)"
    assert hwasong.notes == "Japan assessed a flight of 71 minutes."
    assert not hwasong.claims.exists()
    assert launch("cns:2022-01-27:day:hamhung").site_latitude is None


def test_figures_become_claims_verbatim():
    import_cns()
    first = "cns:2022-01-05:2310:mupyong-ni"
    assert claims(first, "distance") == [
        ("~700 (JCS)", 700, None, "JCS", ""),
        ("450", 450, None, "", ""),
    ]
    assert launch(first).distance_km == 700
    pair = "cns:2022-01-17:2350:sunan-international-airport"
    assert claims(pair, "distance") == [
        ("380", 380, None, "", "missile 1"),
        ("350", 350, None, "", "missile 2"),
    ]
    assert (launch(pair).distance_km, launch(pair).apogee_km) == (380, 42)
    assert claims("cns:2022-01-27:day:hamhung", "apogee") == [
        ("between 25 and 90 km", 25, 90, "", "")
    ]
    mixed = "cns:2022-09-28:0910:sunan-international-airport"
    assert claims(mixed, "apogee") == [
        ("30", 30, None, "", "missile 1"),
        ("Sep-84", None, None, "", "missile 2"),
    ]
    assert claims(mixed, "distance") == [
        ("360", 360, None, "", "missile 1"),
        ("several", None, None, "", "missile 2"),
    ]
    cruise = "cns:2023-03-22:day:hamhung"
    assert claims(cruise, "apogee") == [("Unknown (4)", None, None, "", "4")]
    assert claims(cruise, "distance") == [
        ("1,500 (KCNA)", 1500, None, "KCNA", "missiles 1, 2"),
        ("1,800 (KCNA)", 1800, None, "KCNA", "missile 3"),
    ]
    assert (launch(cruise).apogee_km, launch(cruise).distance_km) == (None, 1800)


def test_outcome_and_confidence_of_groups():
    import_cns()
    mixed = launch("cns:2022-09-28:0910:sunan-international-airport")
    assert (mixed.outcome, mixed.outcome_note) == (
        "partial",
        "missile 1: Success; missile 2: Failure",
    )
    assert mixed.confidence == "suspected"
    assert launch("cns:2022-01-17:2350:sunan-international-airport").confidence == "confirmed"
    cruise = launch("cns:2023-03-22:day:hamhung")
    assert cruise.confidence == "suspected"
    assert cruise.notes == (
        "KCNA reported figure-eight flight patterns.\n"
        "Confirmation status: Claimed by KCNA\n"
        "Sources cited: Rodong Sinmun, 23 March 2023, p. 1"
    )


def test_cells_kept_as_text_are_reported():
    """Unknown in a coordinate, a figure or a time says nothing: it is not kept as text."""
    report = import_cns()
    assert report.kept_as_text == [
        (
            2,
            "Source(s)",
            "Yonhap News Agency, N. Korea fires suspected ballistic missile into East Sea, "
            "5 January 2022",
        ),
        (8, "Apogee", "Sep-84"),
        (8, "Distance Travelled", "several"),
        (11, "Apogee", "Unknown (4)"),
        (11, "Confirmation Status", "Claimed by KCNA"),
        (11, "Source(s)", "Rodong Sinmun, 23 March 2023, p. 1"),
    ]


def test_sources_cite_the_database_and_each_url():
    import_cns()
    database = Source.objects.get(reference="cns-db")
    assert Launch.objects.filter(sources=database).count() == 7
    first = launch("cns:2022-01-05:2310:mupyong-ni")
    assert sorted(first.sources.values_list("url", flat=True)) == [
        "https://www.nknews.org/2022/01/north-korea-launches-suspected-ballistic-missile-into-sea-of-japan/",
        "https://www.nti.org/analysis/articles/cns-north-korea-missile-test-database/",
    ]
    assert first.notes.endswith(
        "Sources cited: Yonhap News Agency, N. Korea fires suspected ballistic missile "
        "into East Sea, 5 January 2022"
    )
    assert Source.objects.count() == 8  # seven distinct URLs and the database


def test_no_cell_is_lost():
    import_cns()
    recorded = []
    for record in Launch.objects.values_list("import_record", flat=True):
        assert record["format"] == "cns"
        recorded += record["rows"]

    def key(row):
        return json.dumps(row, sort_keys=True)

    assert sorted(recorded, key=key) == sorted(csv_rows(CNS_SAMPLE), key=key)
    pair = launch("cns:2022-01-17:2350:sunan-international-airport").import_record["rows"]
    assert [row["Distance Travelled"] for row in pair] == ["380", "350"]


def test_second_import_changes_nothing():
    import_cns()
    before = counts(), list(Launch.objects.values_list("updated_at", flat=True))
    report = import_cns()
    assert (report.created, report.updated, report.unchanged, report.refused) == (0, 0, 7, [])
    assert (counts(), list(Launch.objects.values_list("updated_at", flat=True))) == before


def test_command_imports_with_format_cns():
    out = io.StringIO()
    call_command("import_launches", str(CNS_SAMPLE), "--format", "cns", stdout=out)
    assert "launches: 7 created, 0 updated, 0 unchanged, 0 refused" in out.getvalue()
    out = io.StringIO()
    call_command("import_launches", str(CNS_SAMPLE), "--format", "cns", stdout=out)
    assert "launches: 0 created, 0 updated, 7 unchanged, 0 refused" in out.getvalue()


def test_command_reads_the_chronology_format_by_default():
    out = io.StringIO()
    with pytest.raises(CommandError, match="refused, nothing written"):
        call_command("import_launches", str(CNS_SAMPLE), stdout=out)
    assert "refused row 1, column header: unknown column 'Date'" in out.getvalue()
    assert counts() == (0, 0, 0)


def test_time_that_is_not_a_time_is_kept_as_a_note(tmp_path):
    path = write_variant(tmp_path, cells={10: {"Launch Time (UTC)": "early morning"}})
    report = import_cns(path)
    assert report.refused == []
    new_year = launch("cns:2022-12-31:day:ryongsong")
    assert (new_year.occurred_at, new_year.time_note) == (
        None,
        "Time given as 'early morning'; the date is the source's UTC date "
        "(the Korean date may be a day later).",
    )
    assert (10, "Launch Time (UTC)", "early morning") in report.kept_as_text


BAD_INPUTS = {
    "wrong column": (
        {"rename": {"Apogee": "Apogee (km)"}},
        (1, "header", "unknown column 'Apogee (km)'"),
    ),
    "missing column": ({"drop": "Other Name"}, (1, "header", "missing column 'Other Name'")),
    "broken date": (
        {"cells": {10: {"Date": "31-Feb-23"}}},
        (10, "Date", "'31-Feb-23' is not a date"),
    ),
    "latitude out of range": (
        {"cells": {7: {"Facility Latitude": "123"}}},
        (7, "Facility Latitude", "123 is outside -90..90"),
    ),
    "negative distance of a group's second missile": (
        {"cells": {4: {"Distance Travelled": "-50"}}},
        (4, "Distance Travelled", "'-50' is negative"),
    ),
}


@pytest.mark.parametrize(("variant", "expected"), BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_input_is_refused_and_nothing_is_written(tmp_path, variant, expected):
    # Another row changes too: a refused file must not write even its good rows.
    cells = {2: {"Additional Information": "Edited."}, **variant.get("cells", {})}
    path = write_variant(tmp_path, **{**variant, "cells": cells})
    report = import_cns(path)
    assert not report.written
    [problem] = report.refused
    assert (problem.row, problem.column) == expected[:2]
    assert problem.reason.startswith(expected[2])
    assert counts() == (0, 0, 0)

    import_cns()
    before = counts(), list(Launch.objects.values_list("import_record", "notes"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="refused, nothing written"):
        call_command("import_launches", str(path), "--format", "cns", stdout=out)
    assert f"refused row {expected[0]}, column {expected[1]}: {expected[2]}" in out.getvalue()
    assert (counts(), list(Launch.objects.values_list("import_record", "notes"))) == before


def test_skip_invalid_writes_the_other_launches(tmp_path):
    path = write_variant(tmp_path, cells={4: {"Distance Travelled": "-50"}})
    report = import_cns(path, skip_invalid=True)
    assert report.written
    assert (report.created, [(p.row, p.column) for p in report.refused]) == (
        6,
        [(4, "Distance Travelled")],
    )
    assert not Launch.objects.filter(
        external_id="cns:2022-01-17:2350:sunan-international-airport"
    ).exists()


def test_model_limits_are_refused_not_raised(tmp_path):
    path = write_variant(tmp_path, cells={7: {"Missile Name": "H" * 301}})
    report = import_cns(path)
    assert report.refused == [
        Problem(7, "Missile Name", "Ensure this value has at most 300 characters (it has 301).")
    ]
    assert counts() == (0, 0, 0)
