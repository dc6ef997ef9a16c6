"""Launches known only to the month or the year, counting rules that say their name, and
"disputed" and "confirmation" read honestly: the pages, the API, the downloads, the charts
and the importer agree."""

import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from explore.downloads import TABLES, field_schema, table_rows
from imports.services import launches_import
from timeline.models import Confidence, DatePrecision, Launch, LaunchClaim
from timeline.services import launch_create

from .factories import LaunchFactory
from .paths import LAUNCHES_CSV

pytestmark = pytest.mark.django_db

SEPTEMBER = datetime.date(1984, 9, 1)


def month_launch(**fields):
    return LaunchFactory(
        occurred_on=SEPTEMBER, occurred_at=None, date_precision=DatePrecision.MONTH, **fields
    )


def launches_table():
    return next(table for table in TABLES if table.name == "launches")


def test_a_month_only_launch_is_shown_as_its_month_never_as_the_first(client):
    launch = month_launch(slug="sep-84")
    html = client.get(launch.get_absolute_url()).content.decode()
    assert "SRBM) launch, September 1984</h1>" in html
    assert '<time\n  datetime="1984-09" class="approximate"' in html
    assert "1 Sep" not in html
    assert "1 September" not in html
    assert "(day not reported)" in html
    timeline = client.get("/?year=1984").content.decode()
    assert "September 1984" in timeline
    assert "1 Sep" not in timeline
    feed = client.get("/feeds/launches/").content.decode()
    assert "launch, September 1984" in feed


def test_a_year_only_launch_reads_as_its_year(client):
    launch = LaunchFactory(
        slug="y-84", occurred_on=datetime.date(1984, 1, 1), occurred_at=None, date_precision="year"
    )
    assert launch.date_label == "1984"
    assert str(launch) == "1984 Short-range ballistic (SRBM)"
    html = client.get(launch.get_absolute_url()).content.decode()
    assert "launch, 1984</h1>" in html
    assert "January" not in html


def test_the_stored_day_must_be_the_first_and_carry_no_time():
    launch = Launch(
        slug="bad", occurred_on=datetime.date(1984, 9, 14), date_precision=DatePrecision.MONTH
    )
    with pytest.raises(ValidationError, match="stored on its 1st"):
        launch.full_clean()
    launch = Launch(
        slug="bad",
        occurred_on=SEPTEMBER,
        occurred_at=datetime.datetime(1984, 9, 1, 1, tzinfo=datetime.UTC),
        date_precision=DatePrecision.MONTH,
    )
    with pytest.raises(ValidationError, match="no exact time"):
        launch.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        LaunchFactory(
            occurred_on=datetime.date(1984, 9, 14), occurred_at=None, date_precision="month"
        )


def test_a_month_only_launch_sorts_after_the_dated_launches_of_its_month():
    late = LaunchFactory(slug="late", occurred_on=datetime.date(1984, 9, 30), occurred_at=None)
    month = month_launch(slug="month")
    LaunchFactory(slug="october", occurred_on=datetime.date(1984, 10, 1))
    ordered = list(Launch.objects.chronological().values_list("slug", flat=True))
    assert ordered == ["late", "month", "october"]
    assert month.sort_at > late.sort_at


def test_the_ordinal_counts_it_in_its_year_and_no_days_are_counted_from_it(client):
    LaunchFactory(slug="first", occurred_on=datetime.date(1984, 4, 9))
    month_launch(slug="month")
    LaunchFactory(slug="next", occurred_on=datetime.date(1984, 10, 3))
    month, after = Launch.objects.with_derived_facts().filter(slug__in=["month", "next"])
    assert (month.category_ordinal, after.category_ordinal) == (2, 3)
    assert month.days_since_previous_same_class is None
    assert after.days_since_previous_same_class is None
    html = client.get(month.get_absolute_url()).content.decode()
    assert '#date-precision">dated only to September 1984</a>:\n    counted in its year' in html
    assert "day after" not in html
    assert "days after" not in html
    html = client.get(after.get_absolute_url()).content.decode()
    assert "SRBM launch of Sep 1984</a>" in html
    api = client.get("/api/v1/launches/next/").json()
    assert (api["date_precision"], api["days_since_previous_same_class"]) == ("day", None)
    listed = client.get("/api/v1/launches/?year=1984").json()["results"]
    assert [row["days_since_previous"] for row in listed] == [None, None, None]
    assert [row["date_precision"] for row in listed] == ["day", "month", "day"]


def test_the_ordinal_names_its_counting_rule_and_links_to_it(client):
    LaunchFactory(slug="one", occurred_on=datetime.date(2025, 1, 6))
    launch = LaunchFactory(slug="two", occurred_on=datetime.date(2025, 1, 14), missile_count=4)
    html = client.get(launch.get_absolute_url()).content.decode()
    rule = 'href="/methodology/#counting"\n    >launch event</a> of 2025, counted as the JCS'
    assert rule in html
    methodology = client.get("/methodology/").content.decode()
    assert 'id="counting"' in methodology
    assert 'id="missile-count"' in methodology


def test_the_statistics_give_both_counts_per_year(client):
    LaunchFactory(occurred_on=datetime.date(2025, 1, 6), missile_count=4)
    LaunchFactory(occurred_on=datetime.date(2025, 2, 6), missile_count=None)
    month_launch(missile_count=2)
    rows = client.get("/api/v1/stats/").json()["launches_per_year"]
    assert [
        (row["year"], row["launches"], row["missiles"], row["launches_without_missile_count"])
        for row in rows
    ] == [(1984, 1, 2, 0), (2025, 2, 4, 1)]


def test_the_month_chart_puts_a_year_only_launch_under_month_unknown(client):
    month_launch()
    LaunchFactory(occurred_on=datetime.date(1984, 1, 1), occurred_at=None, date_precision="year")
    html = client.get("/charts/").content.decode()
    assert '<th scope="row">September 1984</th>' in html
    assert "Month unknown: 1\n    launch event in 1984" in html
    assert '<th scope="row">January 1984</th>' not in html


def test_launch_create_takes_a_month_precision_and_slugs_it_by_month():
    launch = launch_create(
        occurred_on=SEPTEMBER, date_precision="month", missile_class="SRBM", local_timezone="UTC"
    )
    assert launch.slug == "1984-09-srbm"
    assert launch.date_precision == DatePrecision.MONTH


def test_downloads_carry_the_precision_and_the_disputed_flag_from_the_claims():
    launch = month_launch(slug="sep-84")
    LaunchClaim.objects.create(launch=launch, attribute="distance", value_text="~700", value=700)
    LaunchClaim.objects.create(
        launch=launch, attribute="distance", value_text="1000", value=1000, position=1
    )
    single = LaunchFactory(slug="single")
    LaunchClaim.objects.create(launch=single, attribute="distance", value_text="450", value=450)
    rows = {row["slug"]: row for row in table_rows(launches_table())}
    assert rows["sep-84"]["date_precision"] == "month"
    assert (rows["sep-84"]["disputed"], rows["single"]["disputed"]) == (True, False)
    disputed = next(column for column in launches_table().columns if column.name == "disputed")
    assert field_schema(launches_table(), disputed)["type"] == "boolean"


def test_the_api_reads_disputed_from_the_claims(client):
    launch = LaunchFactory(slug="overlap")
    LaunchClaim.objects.create(
        launch=launch, attribute="distance", value_text="600-800", value=600, value_max=800
    )
    LaunchClaim.objects.create(
        launch=launch, attribute="distance", value_text="~700", value=700, position=1
    )
    assert client.get("/api/v1/launches/overlap/").json()["disputed"] is False
    LaunchClaim.objects.create(
        launch=launch, attribute="distance", value_text="1000", value=1000, position=2
    )
    assert client.get("/api/v1/launches/overlap/").json()["disputed"] is True
    assert client.get("/api/v1/launches/").json()["results"][0]["disputed"] is True


def chronology_file(edit):
    """The chronology's first rows with `edit(rows)` applied, as an in-memory CSV file."""
    with open(LAUNCHES_CSV, encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fieldnames, rows = list(reader.fieldnames), list(reader)[:3]
    edit(rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fieldnames)
    writer.writeheader()
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode())


def test_the_chronology_reads_a_month_only_date():
    def edit(rows):
        rows[0].update(date_kst="2022-01", year="2022", time_kst="")

    report = launches_import(file=chronology_file(edit))
    assert report.refused == [], report.as_text()
    launch = Launch.objects.get(external_id=report_ids(edit)[0])
    assert (launch.occurred_on, launch.date_precision) == (
        datetime.date(2022, 1, 1),
        DatePrecision.MONTH,
    )


def report_ids(edit):
    with open(LAUNCHES_CSV, encoding="utf-8") as handle:
        return [row["event_id"] for row in list(csv.DictReader(handle))[:3]]


def test_uncertain_is_not_disputed_and_an_empty_reporter_is_not_suspected(client):
    def edit(rows):
        rows[0].update(uncertain="yes", distance_km="430")
        rows[1].update(uncertain="", reported_by="")

    ids = report_ids(edit)
    report = launches_import(file=chronology_file(edit))
    assert report.refused == [], report.as_text()
    uncertain, unstated = (Launch.objects.get(external_id=i) for i in ids[:2])
    assert uncertain.import_record["row"]["uncertain"] == "yes"
    assert not uncertain.figures_disputed
    assert uncertain.confidence == Confidence.SUSPECTED
    assert unstated.confidence == Confidence.UNKNOWN
    html = client.get(unstated.get_absolute_url()).content.decode()
    assert "Confirmation not stated" in html
    assert "figures disputed" not in client.get(uncertain.get_absolute_url()).content.decode()


def test_the_timeline_lists_a_year_only_launch_as_month_unknown_not_january(client):
    LaunchFactory(occurred_on=datetime.date(1984, 1, 20))
    LaunchFactory(occurred_on=datetime.date(1984, 1, 1), occurred_at=None, date_precision="year")
    html = client.get("/?year=1984").content.decode()
    assert html.count('id="m-1984-01"') == 1
    assert '<h2 id="m-1984-unknown">1984, month unknown</h2>' in html
