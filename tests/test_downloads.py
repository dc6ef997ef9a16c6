"""The data page and its files: the whole published record as CSV and JSON, described by a
Frictionless Data Package, rebuilt after publications, never holding a draft."""

import csv
import datetime
import io
import json
import zipfile

import frictionless
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config import celery_app
from editorial.models import Status
from editorial.services import record_transition
from explore import downloads
from explore.tasks import rebuild_data_package
from imports.services import launches_import
from reactions.models import Actor
from timeline.services import launch_create, launch_update

from .factories import (
    ClaimFactory,
    EventFactory,
    LaunchFactory,
    LinkFactory,
    SourceFactory,
    SpeakerFactory,
    StatementFactory,
)
from .paths import LAUNCHES_CSV

SEED = "2025-11-07-srbm"
TABLES = ["launches", "claims", "events", "links", "statements", "actors", "speakers", "sources"]
MARKER = "zqxdraftmarker"


def fetch(client, name):
    response = client.get(f"/data/{name}")
    assert response.status_code == 200, (name, response.content[:200])
    return response


def csv_rows(client, table):
    text = fetch(client, f"{table}.csv").content.decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def builds(monkeypatch):
    """The builds of the files made during a test, each as the time it was made."""
    made = []
    write = downloads.package_write

    def counted(**kwargs):
        made.append(datetime.datetime.now(datetime.UTC))
        return write(**kwargs)

    monkeypatch.setattr(downloads, "package_write", counted)
    return made


def test_the_data_page_offers_the_whole_dataset_and_every_table(client, demo):
    """The defect: no download anywhere (/data/ was a 404, no page linked to data)."""
    page = client.get("/data/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in (*(f"{table}.csv" for table in TABLES), "salvo-data.json", "salvo-data.zip"):
        assert f'href="/data/{name}"' in html, name
    assert 'href="/data/datapackage.json"' in html
    assert "Creative Commons Attribution 4.0 International (CC BY 4.0)" in html
    # Linked from every page's footer, and each record page links to its own data.
    for path in ("/", f"/launches/{SEED}/", "/actors/RU/", "/charts/"):
        assert 'href="/data/">Download the data</a>' in client.get(path).content.decode(), path
    launch_page = client.get(f"/launches/{SEED}/").content.decode()
    assert f'href="/api/v1/launches/{SEED}/?expand=statements%2Clinks&amp;format=csv"' in (
        launch_page
    )
    assert f'href="/api/v1/launches/{SEED}/?expand=statements%2Clinks"' in launch_page
    assert (
        'href="/api/v1/statements/?actor=RU&amp;format=csv"'
        in client.get("/actors/RU/").content.decode()
    )


def test_the_format_links_answer(client, demo):
    for path in (
        f"/api/v1/launches/{SEED}/?expand=statements%2Clinks&format=csv",
        "/api/v1/statements/?actor=RU&format=csv",
        "/api/v1/launches/?year=2025&format=csv",
        "/api/v1/launches/?year=2025",
    ):
        assert client.get(path).status_code == 200, path


def test_the_package_is_valid_frictionless_data(client, demo, tmp_path):
    for name in ("datapackage.json", *(f"{table}.csv" for table in TABLES)):
        (tmp_path / name).write_bytes(fetch(client, name).content)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    assert [resource["name"] for resource in descriptor["resources"]] == TABLES
    assert descriptor["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "title": "Creative Commons Attribution 4.0 International",
            "path": "https://creativecommons.org/licenses/by/4.0/",
        }
    ]
    statements = descriptor["resources"][4]["schema"]
    assert statements["primaryKey"] == ["id"]
    assert {"fields": ["actor"], "reference": {"resource": "actors", "fields": ["code"]}} in (
        statements["foreignKeys"]
    )
    stance = next(field for field in statements["fields"] if field["name"] == "stance")
    assert stance["type"] == "integer"
    assert stance["constraints"] == {"required": True, "enum": [-2, -1, 0, 1, 2]}


def test_the_zip_holds_the_package_and_validates_alone(client, demo, tmp_path):
    archive = zipfile.ZipFile(io.BytesIO(fetch(client, "salvo-data.zip").content))
    assert sorted(archive.namelist()) == sorted(
        ["datapackage.json", *(f"{table}.csv" for table in TABLES)]
    )
    archive.extractall(tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_the_seed_launch_reads_from_the_csv_and_the_json(client, demo):
    launches = {row["slug"]: row for row in csv_rows(client, "launches")}
    seed = launches[SEED]
    assert (seed["occurred_on"], seed["launching_state"], seed["missile_class"]) == (
        "2025-11-07",
        "KP",
        "SRBM",
    )
    statements = [row for row in csv_rows(client, "statements") if row["launch"] == SEED]
    assert {row["actor"] for row in statements} >= {"RU", "US", "KR"}
    every = json.loads(fetch(client, "salvo-data.json").content)
    assert sorted(every["tables"]) == sorted(TABLES)
    in_json = next(row for row in every["tables"]["launches"] if row["slug"] == SEED)
    assert in_json["occurred_on"] == "2025-11-07"
    assert in_json["distance_km"] == float(seed["distance_km"])
    assert isinstance(in_json["sources"], list)


def test_files_carry_their_type_etag_and_last_modified(client, demo):
    expected = {
        "launches.csv": "text/csv; charset=utf-8",
        "salvo-data.json": "application/json",
        "datapackage.json": "application/json",
        "salvo-data.zip": "application/zip",
    }
    for name, content_type in expected.items():
        response = fetch(client, name)
        assert response["Content-Type"] == content_type, name
        assert response["ETag"].startswith('"')
        assert response["Last-Modified"].endswith("GMT")
        again = client.get(f"/data/{name}", headers={"If-None-Match": response["ETag"]})
        assert again.status_code == 304, name
        since = client.get(
            f"/data/{name}", headers={"If-Modified-Since": response["Last-Modified"]}
        )
        assert since.status_code == 304, name
    assert fetch(client, "launches.csv")["Content-Disposition"] == (
        'attachment; filename="launches.csv"'
    )
    assert not fetch(client, "datapackage.json").has_header("Content-Disposition")
    assert client.get("/data/nothing.csv").status_code == 404


@pytest.mark.django_db
def test_a_publication_through_the_services_rebuilds_the_files(
    client, builds, django_capture_on_commit_callbacks
):
    client.get("/data/")  # the first build, of an empty record
    assert len(builds) == 1
    with django_capture_on_commit_callbacks(execute=True):
        launch = launch_create(
            occurred_on=datetime.date(2025, 11, 7), missile_class="SRBM", slug="2025-11-07-srbm"
        )
    assert len(builds) == 1, "a draft rebuilt the files"
    assert csv_rows(client, "launches") == []
    with django_capture_on_commit_callbacks(execute=True):
        record_transition(instance=launch, status=Status.PUBLISHED)
    assert len(builds) == 2
    assert [row["slug"] for row in csv_rows(client, "launches")] == [SEED]
    with django_capture_on_commit_callbacks(execute=True):
        launch_update(launch=launch, missile_name="Hwasong-11")
    assert [row["missile_name"] for row in csv_rows(client, "launches")] == ["Hwasong-11"]
    with django_capture_on_commit_callbacks(execute=True):
        record_transition(instance=launch, status=Status.DRAFT)
    assert csv_rows(client, "launches") == []
    assert len(builds) == 4


@pytest.mark.django_db
def test_an_import_of_many_rows_rebuilds_once(builds, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), open(LAUNCHES_CSV, "rb") as handle:
        report = launches_import(file=handle)
    assert report.written
    assert len(builds) == 1
    assert downloads.package_current()["counts"]["launches"] > 100


@pytest.fixture
def with_a_worker():
    """Tasks queued for a worker, as when a broker is configured (the conftest restores it)."""
    celery_app.conf.task_always_eager = False


@pytest.mark.django_db
@pytest.mark.usefixtures("with_a_worker")
def test_a_queued_rebuild_waits_and_takes_the_publications_after_it(monkeypatch, settings):
    """With a worker, a rebuild is queued DATA_EXPORT_DELAY_SECONDS later, once for a burst."""
    settings.DATA_EXPORT_DELAY_SECONDS = 45
    cache.delete(downloads.QUEUED_KEY)
    queued = []
    monkeypatch.setattr(rebuild_data_package, "apply_async", lambda **kwargs: queued.append(kwargs))
    for _ in range(3):
        downloads.package_rebuild_queue()
    assert queued == [{"countdown": 45}]
    downloads.package_queue_release()  # the worker starts the rebuild
    downloads.package_rebuild_queue()
    assert queued == [{"countdown": 45}, {"countdown": 45}]
    downloads.package_queue_release()  # the rebuild it stands for never runs


@pytest.mark.django_db
def test_drafts_are_never_in_the_files(client):
    published = LaunchFactory(slug=SEED, occurred_on=datetime.date(2025, 11, 7))
    StatementFactory(launch=published, quote="We condemn the launch.")
    source = SourceFactory(url=f"https://news.example/{MARKER}", title=MARKER, publisher=MARKER)
    draft = LaunchFactory(
        slug=f"2025-11-09-{MARKER}", summary=MARKER, missile_name=MARKER, status=Status.DRAFT
    )
    draft.sources.add(source)
    ClaimFactory(launch=draft, claimant=MARKER, value_text=MARKER, source=source)
    StatementFactory(
        launch=published,
        quote=MARKER,
        speaker=SpeakerFactory(actor=Actor.objects.get(code="RU"), name=MARKER),
        source=source,
        status=Status.DRAFT,
    )
    StatementFactory(launch=draft, quote=MARKER, source=source)  # published, on a draft
    event = EventFactory(title=MARKER, slug=f"2025-11-08-{MARKER}", status=Status.DRAFT)
    LinkFactory(launch=published, event=event, rationale=MARKER, source=source)
    files, _ = downloads.package_files()
    archive = zipfile.ZipFile(io.BytesIO(files.pop("salvo-data.zip")))
    files.update({f"zip:{name}": archive.read(name) for name in archive.namelist()})
    assert [name for name, content in files.items() if MARKER.encode() in content] == []
    assert "We condemn the launch." in files["statements.csv"].decode()


@pytest.mark.django_db
def test_building_costs_the_same_queries_whatever_the_number_of_records():
    def queries():
        with CaptureQueriesContext(connection) as captured:
            downloads.package_files()
        return len(captured)

    launch = LaunchFactory()
    StatementFactory(launch=launch)
    few = queries()
    for day in range(1, 9):
        more = LaunchFactory(occurred_on=datetime.date(2024, 3, day))
        ClaimFactory(launch=more)
        StatementFactory(launch=more, speaker=SpeakerFactory())
        LinkFactory(launch=more)
    assert queries() == few


@pytest.mark.django_db
def test_the_data_page_reads_no_database_once_built(client, django_assert_num_queries):
    LaunchFactory()
    client.get("/data/")
    with django_assert_num_queries(0):
        assert client.get("/data/").status_code == 200
