"""Every door that writes has the same side effects: the same change made through the
services, the API, the admin, an import, an import job and the article desk leaves the same
history rows, webhook deliveries, cache bumps and trigger suggestions."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core import caching
from desk.services import desk_submit
from editorial.models import Status
from imports.services import import_job_create, launches_import, statements_import
from reactions.models import Actor, Statement
from reactions.services import statement_update
from timeline.models import Event, EventKind, Launch, Source, TriggerSuggestion
from timeline.services import claim_update, launch_create, launch_update
from webhooks.models import Delivery, Subscription

from .factories import LaunchFactory, SourceFactory, StatementFactory
from .paths import LAUNCHES_CSV
from .test_admin import change_url, launch_form_data, statement_data

pytestmark = pytest.mark.django_db

NEW_NAME = "Hwasong-11D"
SOURCE_URL = "https://news.example/launch-report"


@pytest.fixture
def editor():
    user = User.objects.create_user("door-editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    return user


@pytest.fixture
def subscription():
    return Subscription.objects.create(
        name="Newsroom",
        target_url="https://hooks.example/salvo",
        event_types=["launch.published", "launch.updated", "statement.updated"],
    )


@pytest.fixture
def bumps(monkeypatch):
    calls = []
    original = caching.bump
    monkeypatch.setattr(caching, "bump", lambda *keys: calls.append(original(*keys)))
    return calls


def chronology_row(**changes):
    """The first row of the demo chronology, as a one-row file, with `changes`."""
    with open(LAUNCHES_CSV, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        row = {**next(reader), **changes}
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames)
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue()


def imported_launch():
    launches_import(file=io.StringIO(chronology_row()))
    return Launch.objects.get()


def through_services(launch, user, client):
    launch_update(launch=launch, user=user, missile_name=NEW_NAME)


def through_the_api(launch, user, client):
    token = Token.objects.create(user=user)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.patch(f"/api/v1/launches/{launch.slug}/", {"missile_name": NEW_NAME}, "json")
    assert response.status_code == 200, response.content


def through_the_admin(launch, user, client):
    client.force_login(user)
    data = launch_form_data(launch) | {"missile_name": NEW_NAME, "status": launch.status}
    data |= {"sources": [s.pk for s in launch.sources.all()]}
    data |= {
        name: getattr(launch, name) or ""
        for name in ("launch_site", "direction", "reporting_authority")
    }
    response = client.post(change_url(launch), data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def through_an_import(launch, user, client):
    launches_import(file=io.StringIO(chronology_row(missile_name=NEW_NAME)), user=user)


def through_an_import_job(launch, user, client):

    import_job_create(
        kind="launches",
        filename="one.csv",
        content=chronology_row(missile_name=NEW_NAME),
        user=user,
    )


DOORS = [
    through_services,
    through_the_api,
    through_the_admin,
    through_an_import,
    through_an_import_job,
]


@pytest.mark.parametrize("door", DOORS, ids=lambda door: door.__name__)
def test_a_change_to_a_published_launch_has_the_same_effects_through_every_door(
    door, editor, subscription, bumps, client, django_capture_on_commit_callbacks
):
    launch = imported_launch()
    history_before = launch.history.count()
    assert list(Delivery.objects.values_list("event_type", flat=True)) == ["launch.published"]
    Delivery.objects.all().delete()
    bumps.clear()

    with django_capture_on_commit_callbacks(execute=True):
        door(launch, editor, client)

    launch.refresh_from_db()
    assert launch.missile_name == NEW_NAME
    assert launch.history.count() == history_before + 1
    assert launch.history.first().history_type == "~"
    assert list(Delivery.objects.values_list("event_type", flat=True)) == ["launch.updated"]
    assert len(bumps) == 1
    assert not TriggerSuggestion.objects.exists()


def create_through_services(user, client, day):
    launch_create(
        status=Status.PUBLISHED,
        user=user,
        occurred_on=day,
        missile_class="SRBM",
        slug="door",
        sources=[Source.objects.get()],
    )


def create_through_the_api(user, client, day):
    token = Token.objects.create(user=user)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.post(
        "/api/v1/launches/",
        {
            "slug": "door",
            "occurred_on": day.isoformat(),
            "missile_class": "SRBM",
            "status": "published",
            "sources": [Source.objects.get().pk],
        },
        "json",
    )
    assert response.status_code == 201, response.content


def create_through_the_admin(user, client, day):
    client.force_login(user)
    blank = Launch(slug="door", occurred_on=day, missile_class="SRBM")
    data = launch_form_data(blank) | {"status": "published"}
    data |= {
        "launching_state": "KP",
        "category": "ballistic",
        "outcome": "unknown",
        "confidence": "suspected",
        "local_timezone": "Asia/Pyongyang",
        "sources": [Source.objects.get().pk],
    }
    response = client.post("/admin/timeline/launch/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def create_through_an_import(user, client, day):
    launches_import(
        file=io.StringIO(
            chronology_row(date_kst=day.isoformat(), year=str(day.year), sources=SOURCE_URL)
        ),
        user=user,
    )


CREATING_DOORS = [
    create_through_services,
    create_through_the_api,
    create_through_the_admin,
    create_through_an_import,
]


@pytest.mark.parametrize("door", CREATING_DOORS, ids=lambda door: door.__name__)
def test_a_new_launch_has_the_same_effects_through_every_door(
    door, editor, subscription, bumps, client, django_capture_on_commit_callbacks
):
    day = datetime.date(2025, 11, 7)
    warning = Event.objects.create(
        slug="warning",
        kind=EventKind.WARNING,
        title="A warning",
        start_date=day - datetime.timedelta(days=2),
        status=Status.PUBLISHED,
    )
    Source.objects.create(url=SOURCE_URL, title="Launch report", publisher="news.example")
    bumps.clear()

    with django_capture_on_commit_callbacks(execute=True):
        door(editor, client, day)

    launch = Launch.objects.get()
    assert launch.status == Status.PUBLISHED
    assert [s.url for s in launch.sources.all()] == [SOURCE_URL]
    # Created, then its sources set: the many-to-many change is a row of its own.
    assert list(launch.history.values_list("history_type", flat=True)) == ["~", "+"]
    assert list(Delivery.objects.values_list("event_type", flat=True)) == ["launch.published"]
    assert len(bumps) == 2  # the launch, then its sources
    assert [s.event for s in TriggerSuggestion.objects.filter(launch=launch)] == [warning]


def edit_statement_through_services(statement, user, client):
    statement_update(statement=statement, user=user, summary="Moscow defends the launch.")


def edit_statement_through_the_api(statement, user, client):
    token = Token.objects.create(user=user)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.patch(
        f"/api/v1/statements/{statement.pk}/", {"summary": "Moscow defends the launch."}, "json"
    )
    assert response.status_code == 200, response.content


def edit_statement_through_the_admin(statement, user, client):
    client.force_login(user)
    data = statement_data(statement, summary="Moscow defends the launch.", status="published")
    response = client.post(change_url(statement), data)
    assert response.status_code == 302, response.context["adminform"].form.errors


@pytest.mark.parametrize(
    "door",
    [
        edit_statement_through_services,
        edit_statement_through_the_api,
        edit_statement_through_the_admin,
    ],
    ids=lambda door: door.__name__,
)
def test_an_edit_of_a_published_statement_is_announced_once_through_every_door(
    door, editor, subscription, bumps, client, django_capture_on_commit_callbacks
):
    statement = StatementFactory(
        launch=LaunchFactory(), actor=Actor.objects.get(code="RU"), source=SourceFactory()
    )
    bumps.clear()

    with django_capture_on_commit_callbacks(execute=True):
        door(statement, editor, client)

    assert Statement.objects.get().summary == "Moscow defends the launch."
    assert list(statement.history.values_list("history_type", flat=True)) == ["~", "+"]
    assert list(Delivery.objects.values_list("event_type", flat=True)) == ["statement.updated"]
    assert len(bumps) == 1


FURTHER_URL = "https://kyodo.example/japan-protests"


def cite_further_through_services(statement, further, user, client):
    statement_update(statement=statement, user=user, further_sources=[further])


def cite_further_through_the_api(statement, further, user, client):
    token = Token.objects.create(user=user)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    sources = [statement.source_id, further.pk]
    response = api.patch(f"/api/v1/statements/{statement.pk}/", {"sources": sources}, "json")
    assert response.status_code == 200, response.content


def cite_further_through_the_admin(statement, further, user, client):
    client.force_login(user)
    data = statement_data(statement, status="published", further_sources=[further.pk])
    response = client.post(change_url(statement), data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def cite_further_through_an_import(statement, further, user, client):
    header = "launch_date_kst,actor,quote,stance,source_url"
    row = f'{statement.launch.occurred_on},RU,"{statement.quote}",defends,{further.url}'
    report = statements_import(file=io.BytesIO(f"{header}\n{row}".encode()), user=user)
    assert report.updated == 1, report.as_text()


@pytest.mark.parametrize(
    ("door", "writes"),
    [
        (cite_further_through_services, 1),
        (cite_further_through_the_api, 1),
        # The admin saves the statement's row, then its further sources, as it does a
        # launch's sources: a cache bump for each write.
        (cite_further_through_the_admin, 2),
        (cite_further_through_an_import, 1),
    ],
    ids=lambda door: getattr(door, "__name__", ""),
)
def test_a_further_source_on_a_published_statement_is_announced_once_through_every_door(
    door, writes, editor, subscription, bumps, client, django_capture_on_commit_callbacks
):
    statement = StatementFactory(
        launch=LaunchFactory(), actor=Actor.objects.get(code="RU"), source=SourceFactory()
    )
    further = SourceFactory(url=FURTHER_URL)
    bumps.clear()

    with django_capture_on_commit_callbacks(execute=True):
        door(statement, further, editor, client)

    statement = Statement.objects.get()
    assert statement.all_sources == [statement.source, further]
    latest = statement.history.first()
    assert [row.source_id for row in latest.further_sources.all()] == [further.pk]
    assert list(Delivery.objects.values_list("event_type", flat=True)) == ["statement.updated"]
    assert len(bumps) == writes


def test_reverting_a_published_launch_announces_the_change(
    editor, subscription, bumps, django_capture_on_commit_callbacks
):
    from editorial.services import record_revert

    launch = imported_launch()
    before = launch.history.first()
    launch_update(launch=launch, user=editor, missile_name=NEW_NAME)
    Delivery.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        record_revert(record=before, user=editor)

    launch.refresh_from_db()
    assert launch.missile_name != NEW_NAME
    assert list(Delivery.objects.values_list("event_type", flat=True)) == ["launch.updated"]


NEW_DISTANCE = "about 650 (JCS)"


def change_claim_through_services(launch, claim, user, client):
    claim_update(claim=claim, user=user, value_text=NEW_DISTANCE)


def change_claim_through_the_api(launch, claim, user, client):
    token = Token.objects.create(user=user)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.patch(f"/api/v1/claims/{claim.pk}/", {"value_text": NEW_DISTANCE}, "json")
    assert response.status_code == 200, response.content


def change_claim_through_the_admin(launch, claim, user, client):
    client.force_login(user)
    data = {
        "launch": claim.launch_id,
        "attribute": claim.attribute,
        "value_text": NEW_DISTANCE,
        "value": claim.value if claim.value is not None else "",
        "value_max": claim.value_max if claim.value_max is not None else "",
        "claimant": claim.claimant,
        "source": claim.source_id or "",
        "note": claim.note,
        "position": claim.position,
    }
    response = client.post(change_url(claim), data)
    assert response.status_code == 302, response.context["adminform"].form.errors


def delete_claim_through_the_admin(launch, claim, user, client):
    client.force_login(user)
    response = client.post(change_url(claim).replace("/change/", "/delete/"), {"post": "yes"})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "door",
    [
        change_claim_through_services,
        change_claim_through_the_api,
        change_claim_through_the_admin,
        delete_claim_through_the_admin,
    ],
    ids=lambda door: door.__name__,
)
def test_a_change_to_a_claim_is_announced_as_a_change_of_its_launch(
    door, editor, subscription, bumps, client, django_capture_on_commit_callbacks
):
    launch = imported_launch()
    claim = launch.claims.first()
    Delivery.objects.all().delete()
    bumps.clear()

    with django_capture_on_commit_callbacks(execute=True):
        door(launch, claim, editor, client)

    assert list(Delivery.objects.values_list("event_type", flat=True)) == ["launch.updated"]
    assert len(bumps) == 1


def test_an_import_that_changes_a_launch_and_its_claims_announces_it_once(
    editor, subscription, django_capture_on_commit_callbacks
):
    launch = imported_launch()
    claims_before = list(launch.claims.values_list("value_text", flat=True))
    Delivery.objects.all().delete()
    distance = "700 (DPRK claim); ~550 (Japan MoD, ballistic assumption)"

    with django_capture_on_commit_callbacks(execute=True):
        launches_import(file=io.StringIO(chronology_row(distance_km=distance)), user=editor)

    assert list(launch.claims.values_list("value_text", flat=True)) != claims_before
    assert list(Delivery.objects.values_list("event_type", flat=True)) == ["launch.updated"]


def test_deleting_a_published_launch_tells_subscribers_it_was_withdrawn(
    editor, subscription, client, django_capture_on_commit_callbacks
):
    subscription.event_types = ["launch.published"]
    subscription.save()
    launch = imported_launch()
    Delivery.objects.all().delete()
    client.force_login(editor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(launch).replace("/change/", "/delete/"), {"post": "yes"})

    assert response.status_code == 302
    assert not Launch.objects.exists()
    assert list(Delivery.objects.values_list("event_type", flat=True)) == ["launch.unpublished"]


def draft_through_services(user, day):
    launch_create(user=user, occurred_on=day, missile_class="SRBM", sources=[Source.objects.get()])


def draft_through_the_desk(user, day):
    desk_submit(
        user=user,
        source={"url": SOURCE_URL},
        launch={"new": {"occurred_on": day, "missile_class": "SRBM"}},
        statements=[],
    )


@pytest.mark.parametrize(
    "door", [draft_through_services, draft_through_the_desk], ids=lambda door: door.__name__
)
def test_a_new_draft_launch_has_the_same_effects_through_the_desk(
    door, editor, subscription, bumps, django_capture_on_commit_callbacks
):
    day = datetime.date(2025, 11, 7)
    Source.objects.create(url=SOURCE_URL, title="Launch report", publisher="news.example")
    bumps.clear()

    with django_capture_on_commit_callbacks(execute=True):
        door(editor, day)

    launch = Launch.objects.get()
    assert (launch.status, launch.slug) == (Status.DRAFT, "2025-11-07-srbm")
    assert [s.url for s in launch.sources.all()] == [SOURCE_URL]
    assert list(launch.history.values_list("history_type", flat=True)) == ["~", "+"]
    assert list(Delivery.objects.values_list("event_type", flat=True)) == []
    assert bumps == []  # readers see no draft, so no cached page changes
