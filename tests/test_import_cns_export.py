"""A CNS export as the database publishes it: an index column, UTC dates, 12-hour times,
units, month-only dates and salvos, as CSV and as .xlsx; and malformed files refused whole."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from imports.admin import ImportUploadForm
from imports.readers import read_cns_launches
from imports.services import launches_import
from timeline.models import Launch, LaunchClaim, Source

from .paths import TEST_DATA

pytestmark = pytest.mark.django_db

EXPORT = TEST_DATA / "cns_export.csv"
KST = datetime.timezone(datetime.timedelta(hours=9))

# external_id → missile count: 26 rows, 11 launch events under the salvo rule.
EXPORT_LAUNCHES = {
    "cns:1984-09:day:tonghae-satellite-launching-ground": 2,
    "cns:1986-05:day:unknown": 1,
    "cns:2017-02-12:2255:panghyon-aircraft-factory": 1,
    "cns:2017-03-06:2234:sohae-satellite-launching-station": 4,
    "cns:2017-11-29:1817:pyongsong": 1,
    "cns:2022-01-14:0228:uiju-airfield": 3,
    "cns:2022-01-26:day:hamhung": 2,
    "cns:2023-06-01:0100:kusong": 1,
    "cns:2023-06-01:0630:kusong": 1,
    "cns:2024-03-18:2244:sunan": 6,
    "cns:2025-05-08:2350:wonsan": 4,
}


def export_rows():
    with open(EXPORT, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def import_bytes(data, **options):
    return launches_import(file=io.BytesIO(data), format="cns", **options)


def export_bytes():
    return EXPORT.read_bytes()


def state():
    """Everything an import writes, to show that a refused file wrote nothing."""
    return (
        list(Launch.objects.order_by("id").values_list("external_id", "import_record", "notes")),
        LaunchClaim.objects.count(),
        Source.objects.count(),
    )


def test_export_imports_whole_into_launch_events():
    report = import_bytes(export_bytes())
    assert (report.refused, report.written, report.created) == ([], True, 11)
    assert dict(Launch.objects.values_list("external_id", "missile_count")) == EXPORT_LAUNCHES
    assert sum(EXPORT_LAUNCHES.values()) == len(export_rows()) == 26


def test_every_cell_is_read_back():
    import_bytes(export_bytes())
    by_id = {}
    for launch in Launch.objects.prefetch_related("claims"):
        assert launch.import_record["index_column"] == "F1"
        for cells in launch.import_record["rows"]:
            by_id[cells["F1"]] = (launch, cells)
    rows = export_rows()
    assert sorted(by_id, key=int) == [row["F1"] for row in rows]
    for row in rows:
        launch, cells = by_id[row["F1"]]
        assert cells == row  # every cell verbatim, the index column among them
        for column, attribute in (("Apogee", "apogee"), ("Distance Travelled", "distance")):
            text = row[column]
            if text in {"Unknown", "N/A"}:
                continue
            claimed = {c.value_text for c in launch.claims.all() if c.attribute == attribute}
            field = getattr(launch, f"{attribute}_km")
            assert text in claimed or Decimal(text.removesuffix(" km")) == field, (
                row["F1"],
                column,
            )


def test_utc_date_and_12_hour_time_give_the_korean_date():
    import_bytes(export_bytes())
    scud = Launch.objects.get(external_id="cns:2017-03-06:2234:sohae-satellite-launching-station")
    assert scud.occurred_at == datetime.datetime(2017, 3, 5, 22, 34, tzinfo=datetime.UTC)
    assert scud.occurred_at.astimezone(KST).strftime("%d %B %Y %H:%M") == "06 March 2017 07:34"
    assert scud.occurred_on == datetime.date(2017, 3, 6)
    assert (scud.apogee_km, scud.distance_km) == (260, 1000)
    morning = Launch.objects.get(external_id="cns:2022-01-14:0228:uiju-airfield")
    assert morning.occurred_at == datetime.datetime(2022, 1, 14, 2, 28, tzinfo=datetime.UTC)


def test_day_only_rows_keep_their_utc_date_and_say_so():
    import_bytes(export_bytes())
    hamhung = Launch.objects.get(external_id="cns:2022-01-26:day:hamhung")
    assert (hamhung.occurred_on, hamhung.occurred_at) == (datetime.date(2022, 1, 26), None)
    assert "the date is the source's UTC date" in hamhung.time_note


def test_month_only_dates_keep_their_precision():
    rows, problems = read_cns_launches(io.BytesIO(export_bytes()))
    assert problems == []
    first = rows[0]
    assert (first.external_id, first.extra["date_precision"]) == (
        "cns:1984-09:day:tonghae-satellite-launching-ground",
        "month",
    )
    assert first.fields["occurred_on"] == datetime.date(1984, 9, 1)
    assert first.fields["time_note"] == "Month only: September 1984; the day is not known."
    assert {row.extra["date_precision"] for row in rows[2:]} == {"day"}


def test_empty_confirmation_is_not_a_status():
    rows, _ = read_cns_launches(io.BytesIO(export_bytes()))
    stated = {row.external_id: row.extra["confirmation_stated"] for row in rows}
    assert stated["cns:1984-09:day:tonghae-satellite-launching-ground"] is False
    assert stated["cns:1986-05:day:unknown"] is True  # Unconfirmed is a status
    assert "Confirmation status" not in rows[0].fields["notes"]


def test_salvo_rule_is_stated_in_the_report():
    report = import_bytes(export_bytes())
    assert report.notes[0].startswith("salvo rule: rows of one Korean day (Asia/Seoul)")
    assert "within 3 h of the first" in report.notes[0]
    assert report.notes[1] == "26 missile rows → 11 launch events"
    assert (
        "row 17: 6 rows → 1 launch, 18 Mar 2024 in Korea, 2 times 22:44 and 22:55 UTC on 17 Mar"
        in report.notes
    )
    assert (
        "row 23: 4 rows → 1 launch, 8 May 2025 in Korea, 3 times 23:50 on 7 May, "
        "00:20 on 8 May and 01:10 on 8 May UTC" in report.notes
    )
    assert (
        "row 11: 3 rows → 1 launch, 14 Jan 2022 in Korea, 2 times 02:28 and 02:32 UTC "
        "on 14 Jan, 1 without a time" in report.notes
    )
    assert "salvo rule" in report.as_text()


def test_salvo_figures_become_claims_per_missile():
    import_bytes(export_bytes())
    sunan = Launch.objects.get(external_id="cns:2024-03-18:2244:sunan")
    assert [
        (c.attribute, c.value_text, c.value, c.note) for c in sunan.claims.order_by("position")
    ] == [
        ("apogee", "50 km", 50, "missiles 1, 2, 3, 4"),
        ("distance", "350 km", 350, "missiles 1, 2, 3"),
        ("distance", "300 km", 300, "missiles 4, 5, 6"),
    ]
    assert (sunan.apogee_km, sunan.distance_km) == (50, 350)


def test_the_window_is_a_setting_of_the_rule():
    rows, _ = read_cns_launches(io.BytesIO(export_bytes()), window_hours=6)
    kusong = [row for row in rows if row.external_id.endswith(":kusong")]
    assert [(row.external_id, row.fields["missile_count"]) for row in kusong] == [
        ("cns:2023-06-01:0100:kusong", 2)
    ]


def test_second_import_changes_nothing():
    import_bytes(export_bytes())
    before = state()
    report = import_bytes(export_bytes())
    assert (report.created, report.updated, report.unchanged) == (0, 0, 11)
    assert state() == before


def workbook_bytes():
    """The export as the spreadsheet holds it: a summary sheet before the "Missile Tests"
    sheet, an unnamed index column, real date cells (a month-only format for month-only
    dates), real time cells and numbers."""
    book = openpyxl.Workbook()
    book.active.title = "Data Summary"
    book.active.append(["Total tests", 26])
    sheet = book.create_sheet("Missile Tests")
    rows = export_rows()
    sheet.append([None, *list(rows[0])[1:]])
    for row in rows:
        cells = [int(row["F1"]), *list(row.values())[1:]]
        sheet.append(cells)
        line = sheet.max_row
        month_only = len(row["Date"]) == 6
        date_format = "%b-%y" if month_only else "%d-%b-%y"
        date_cell = sheet.cell(line, 2)
        date_cell.value = datetime.datetime.strptime(row["Date"], date_format)
        date_cell.number_format = "mmm-yy" if month_only else "d-mmm-yy"
        if ":" in row["Launch Time (UTC)"]:
            time_cell = sheet.cell(line, 4)
            time_cell.value = datetime.datetime.strptime(
                row["Launch Time (UTC)"], "%I:%M:%S %p"
            ).time()
            time_cell.number_format = "h:mm:ss AM/PM"
        if row["Facility Latitude"] != "Unknown":
            sheet.cell(line, 11).value = float(row["Facility Latitude"])
            sheet.cell(line, 12).value = float(row["Facility Longitude"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def launch_facts():
    return sorted(
        Launch.objects.values_list(
            "external_id", "missile_count", "occurred_on", "occurred_at", "time_note",
            "site_latitude", "apogee_km", "distance_km", "notes",
        )
    )  # fmt: skip


def test_xlsx_imports_as_the_csv_does(tmp_path):
    import_bytes(export_bytes())
    from_csv = launch_facts()
    Launch.objects.all().delete()
    report = import_bytes(workbook_bytes())
    assert (report.refused, report.created) == ([], 11)
    assert launch_facts() == from_csv
    record = Launch.objects.get(external_id="cns:2017-03-06:2234:sohae-satellite-launching-station")
    assert record.import_record["index_column"] == ""
    assert [cells["Date"] for cells in record.import_record["rows"]] == ["5-Mar-17"] * 4
    assert record.import_record["rows"][0]["Launch Time (UTC)"] == "10:34:00 PM"


def test_xlsx_through_the_command_and_the_admin_upload(tmp_path):
    path = tmp_path / "cns.xlsx"
    path.write_bytes(workbook_bytes())
    out = io.StringIO()
    call_command("import_launches", str(path), "--format", "cns", stdout=out)
    assert "launches: 11 created" in out.getvalue()
    upload = io.BytesIO(path.read_bytes())
    upload.name = "cns.xlsx"
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = ImportUploadForm(
        data={"kind": "launches_cns"},
        files={"upload": SimpleUploadedFile("cns.xlsx", path.read_bytes())},
    )
    assert form.is_valid(), form.errors
    report = launches_import(file=io.BytesIO(form.cleaned_data["content"].encode()), format="cns")
    assert (report.refused, report.unchanged) == ([], 11)


def cut(data, marker, keep=0):
    """The file cut `keep` characters into the last occurrence of `marker`: what a broken
    download or a copy stopped short leaves."""
    return data[: data.rindex(marker.encode()) + keep]


MALFORMED = {
    "last line cut mid-row": (
        lambda data: data.rstrip(b"\n").rsplit(b",", 3)[0],
        (27, "file", "16 cells where the header has 19 columns: the file looks cut short"),
    ),
    "cut inside a quoted cell": (
        lambda data: cut(data, '"Tongchang-ri', keep=5),
        (9, "file", "the file ends inside a quoted cell or has a broken quote"),
    ),
    "unterminated quote mid-file": (
        lambda data: data.replace(b'"Kusong, North', b'"Kusong North', 1).replace(
            b"4475 km", b'"4475 km', 1
        ),
        (27, "file", "the file ends inside a quoted cell or has a broken quote"),
    ),
    "wrong encoding": (
        lambda data: data.decode().replace("People's", "People\u2019s").encode("cp1252"),
        (1, "file", "the file is not UTF-8 text"),
    ),
    "duplicated header column": (
        lambda data: data.replace(b"Other Name", b"Apogee", 1),
        (1, "header", "column 'Apogee' appears twice in the header"),
    ),
    "unknown header column": (
        lambda data: data.replace(b"Apogee", b"Apogee (km)", 1),
        (1, "header", "unknown column 'Apogee (km)'"),
    ),
    "month that is not a month": (
        lambda data: data.replace(b"\n3,May-86,", b"\n3,Mai-86,", 1),
        (4, "Date", "'Mai-86' is not a date"),
    ),
}


@pytest.mark.parametrize(("damage", "expected"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_file_is_refused_whole_and_writes_nothing(damage, expected):
    bad = damage(export_bytes())
    report = import_bytes(bad)
    assert not report.written
    [problem] = report.refused
    assert (problem.row, problem.column) == expected[:2]
    assert problem.reason.startswith(expected[2]), problem.reason
    assert state() == ([], 0, 0)

    import_bytes(export_bytes())
    before = state()
    assert not import_bytes(bad).written
    assert state() == before


def test_command_names_the_fault_of_a_cut_file(tmp_path):
    path = tmp_path / "cut.csv"
    path.write_bytes(MALFORMED["cut inside a quoted cell"][0](export_bytes()))
    out = io.StringIO()
    with pytest.raises(CommandError, match="refused, nothing written"):
        call_command("import_launches", str(path), "--format", "cns", stdout=out)
    assert "it looks cut short" in out.getvalue()
    assert state() == ([], 0, 0)


def test_a_cell_cut_down_on_reimport_is_reported():
    import_bytes(export_bytes())
    shorter = export_bytes().replace(b"Lofted trajectory.", b"Lofted traj", 1)
    report = import_bytes(shorter)
    assert report.written
    assert report.notes[-1] == (
        "row 10, column Additional Information: the new cell 'Lofted traj' is a cut-down "
        "copy of the earlier 'Lofted trajectory.'; the earlier text stays in the launch's "
        "history"
    )
    launch = Launch.objects.get(external_id="cns:2017-11-29:1817:pyongsong")
    assert launch.history.filter(notes="Lofted trajectory.").exists()
