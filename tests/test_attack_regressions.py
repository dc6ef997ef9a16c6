"""The attacks that worked once, kept as tests: each asserts the behaviour that stops it.

An insider with an analyst's token rewrote published records; crafted cursors, NUL bytes in
paths and an out-of-range port gave 500s; X-Forwarded-For reset the anonymous throttle; an
import by a user who may not publish went public; control characters broke the feeds.
"""

import base64
import json
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from editorial.models import Status
from imports.models import ImportJob, ImportKind
from reactions.models import Statement
from timeline.models import Event, Launch, Link
from webhooks.models import Delivery, EventType, Subscription

from .factories import (
    ClaimFactory,
    EventFactory,
    LaunchFactory,
    LinkFactory,
    SourceFactory,
    SpeakerFactory,
    StatementFactory,
    UserFactory,
)
from .paths import EVENTS_CSV, LAUNCHES_CSV

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def member(group, username=None):
    """A staff user in the Analyst or Editor group."""
    user = UserFactory(username=username or group.lower(), is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def api_client(user=None):
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


# --- An analyst's token rewrites published records ----------------------------------------

# resource: (make a published record, its API address, its public page, the field changed)
PUBLISHED = {
    "launches": (
        lambda: LaunchFactory(summary="One SRBM toward the East Sea."),
        lambda r: f"/api/v1/launches/{r.slug}/",
        lambda r: r.get_absolute_url(),
        "summary",
    ),
    "statements": (
        lambda: StatementFactory(quote="We condemn the launch."),
        lambda r: f"/api/v1/statements/{r.pk}/",
        lambda r: r.launch.get_absolute_url(),
        "quote",
    ),
    "events": (
        lambda: EventFactory(description="New sanctions were announced."),
        lambda r: f"/api/v1/events/{r.slug}/",
        lambda r: r.get_absolute_url(),
        "description",
    ),
    "links": (
        lambda: LinkFactory(rationale="Reported as a response."),
        lambda r: f"/api/v1/links/{r.pk}/",
        lambda r: r.launch.get_absolute_url(),
        "rationale",
    ),
}
DEFACED = "Defaced by an insider."


@pytest.fixture
def subscribed():
    """A subscription to every event, so any announced change writes a delivery."""
    return Subscription.objects.create(
        name="Newsroom", target_url="https://hooks.example/salvo", event_types=EventType.values
    )


@pytest.mark.parametrize("resource", PUBLISHED)
def test_an_analyst_cannot_change_a_published_record(client, subscribed, resource):
    make, api_url, page_url, field = PUBLISHED[resource]
    record = make()
    page_before = client.get(page_url(record)).content
    history_before = record.history.count()
    value_before = getattr(record, field)

    response = api_client(member("Analyst")).patch(api_url(record), {field: DEFACED}, format="json")

    assert response.status_code == 403, response.content
    assert "detail" in response.json()
    record.refresh_from_db()
    assert getattr(record, field) == value_before
    assert record.status == Status.PUBLISHED
    assert record.history.count() == history_before
    assert not Delivery.objects.exists()
    assert client.get(page_url(record)).content == page_before


@pytest.mark.parametrize("resource", PUBLISHED)
def test_an_editor_changes_a_published_record(client, subscribed, resource):
    make, api_url, page_url, field = PUBLISHED[resource]
    record = make()
    history_before = record.history.count()

    response = api_client(member("Editor")).patch(
        api_url(record), {field: "Revised by an editor."}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()[field] == "Revised by an editor."
    record.refresh_from_db()
    assert getattr(record, field) == "Revised by an editor."
    assert record.history.count() == history_before + 1
    assert "Revised by an editor." in client.get(page_url(record)).content.decode()


def test_an_analyst_still_edits_drafts():
    launch = LaunchFactory(status=Status.DRAFT, summary="First notes.")
    response = api_client(member("Analyst")).patch(
        f"/api/v1/launches/{launch.slug}/", {"summary": "Second notes."}, format="json"
    )
    assert response.status_code == 200, response.content
    launch.refresh_from_db()
    assert (launch.summary, launch.status) == ("Second notes.", Status.DRAFT)


# --- Crafted cursors ----------------------------------------------------------------------


def drf_cursor(position):
    """A cursor as DRF's CursorPagination writes them, around a position of our choosing."""
    return base64.b64encode(urlencode({"p": position}).encode()).decode()


@pytest.fixture
def one_of_each():
    statement = StatementFactory(speaker=SpeakerFactory())
    ClaimFactory(launch=statement.launch)
    LinkFactory(launch=statement.launch)
    SourceFactory()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/claims/",
        "/api/v1/speakers/",
        "/api/v1/links/",
        "/api/v1/sources/",
        "/api/v1/statements/",
        "/api/v1/statements/?ordering=stance",
    ],
)
@pytest.mark.parametrize("position", ["abc", "1.5", "1e3"])
def test_a_cursor_with_a_position_that_is_not_a_whole_number_is_a_404(one_of_each, path, position):
    separator = "&" if "?" in path else "?"
    response = APIClient().get(f"{path}{separator}cursor={drf_cursor(position)}")
    assert response.status_code == 404, response.content
    assert "cursor" in response.json()


@pytest.mark.parametrize("path", ["/api/v1/claims/", "/api/v1/statements/?ordering=stance"])
def test_a_cursor_past_any_whole_number_the_database_holds_is_not_a_server_error(one_of_each, path):
    separator = "&" if "?" in path else "?"
    response = APIClient().get(f"{path}{separator}cursor={drf_cursor('9' * 40)}")
    assert response.status_code in {200, 404}, response.content


def test_a_timeline_cursor_at_the_first_moment_in_utc_is_read(one_of_each):
    # In UTC, year 0001 is a moment the database can hold: read, not refused, not a 500.
    cursor = timeline_cursor("0001-01-01T00:00:00+00:00")
    assert APIClient().get(f"/api/v1/timeline/?cursor={cursor}").status_code == 200


def timeline_cursor(moment, kind="launch", pk=1):
    return base64.urlsafe_b64encode(json.dumps([moment, kind, pk]).encode()).decode()


@pytest.mark.parametrize(
    "moment",
    [
        "2025-11-07T03:35:00+23:59",
        "2025-11-07T03:35:00-23:59",
        "0001-01-01T00:30:00+01:00",
    ],
)
@pytest.mark.parametrize("kind", ["launch", "event"])
def test_a_timeline_cursor_out_of_range_is_a_404(one_of_each, moment, kind):
    response = APIClient().get(f"/api/v1/timeline/?cursor={timeline_cursor(moment, kind)}")
    assert response.status_code == 404, response.content
    assert "cursor" in response.json()


# --- NUL in a path ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/launches/%00/",
        "/api/v1/events/%00/",
        "/api/v1/actors/%00/",
        "/actors/%00/",
        "/actors/%00/feed/",
        "/launches/%00/",
        "/events/%00/",
    ],
)
def test_a_nul_byte_in_a_path_is_a_404(client, path):
    LaunchFactory()
    response = client.get(path)
    assert response.status_code == 404


def test_a_search_for_a_nul_byte_is_not_a_server_error(client):
    StatementFactory(quote="We condemn the launch.")
    response = client.get("/search/?q=%00")
    assert response.status_code in {200, 400}
    assert client.get("/search/?q=condemn").status_code == 200


# --- Webhook targets ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["https://hooks.example:99999/salvo", "https://hooks.example:-1/salvo"],
)
def test_a_webhook_target_with_an_impossible_port_is_a_400(url):
    user = UserFactory(perms=["add_subscription", "view_subscription", "change_subscription"])
    response = api_client(user).post(
        "/api/v1/webhooks/subscriptions/",
        {"name": "Newsroom", "target_url": url, "event_types": ["launch.published"]},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "target_url" in response.json()
    assert not Subscription.objects.exists()


# --- X-Forwarded-For and the anonymous throttle ---------------------------------------------


def test_x_forwarded_for_does_not_reset_the_anonymous_throttle(monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "3/minute")
    client = APIClient()
    statuses = [
        client.get("/api/v1/actors/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(1, 7)
    ]
    assert statuses == [200, 200, 200, 429, 429, 429]


# --- An import by a user who may not publish ------------------------------------------------


def first_lines(path, count):
    return "".join(path.read_text().splitlines(keepends=True)[:count]).encode()


def test_an_import_by_a_user_who_may_not_publish_writes_only_drafts(
    client, django_capture_on_commit_callbacks
):
    importer = member("Analyst", username="importer")
    importer.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_importjob", "view_importjob"])
    )
    client.force_login(importer)
    for kind, path in [(ImportKind.LAUNCHES, LAUNCHES_CSV), (ImportKind.EVENTS, EVENTS_CSV)]:
        upload = SimpleUploadedFile(path.name, first_lines(path, 30), "text/csv")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("admin:imports_importjob_add"), {"kind": kind, "upload": upload})
    assert ImportJob.objects.count() == 2
    assert Launch.objects.exists()
    assert Event.objects.exists()
    for model in (Launch, Event, Link):
        assert not model.objects.filter(status=Status.PUBLISHED).exists(), model.__name__
    client.logout()
    anonymous = APIClient()
    for path in ["/api/v1/launches/", "/api/v1/events/", "/api/v1/links/"]:
        assert anonymous.get(path).json()["results"] == [], path
    assert anonymous.get("/api/v1/timeline/").json()["results"] == []


# --- Control characters in text -------------------------------------------------------------

CONTROL = ["\x01", "\x0b", "\x0c", "\x1b", "\ufffe"]


@pytest.fixture
def editor_api():
    return api_client(member("Editor"))


def creations():
    """resource: (payload builder given a text, the text field, the model)"""
    return {
        "launches": (
            lambda text: {
                "occurred_on": "2025-11-07",
                "missile_class": "SRBM",
                "missile_count": 1,
                "sources": [SourceFactory().pk],
                "summary": text,
            },
            "summary",
            Launch,
        ),
        "events": (
            lambda text: {
                "kind": "sanctions",
                "title": text,
                "start_date": "2025-11-04",
                "sources": [SourceFactory().pk],
            },
            "title",
            Event,
        ),
        "statements": (
            lambda text: {
                "launch": LaunchFactory().slug,
                "actor": "RU",
                "issued_on": "2025-11-07",
                "quote": text,
                "stance": -1,
                "source": SourceFactory().pk,
            },
            "quote",
            Statement,
        ),
        "sources": (
            lambda text: {"url": "https://news.example/a", "title": text},
            "title",
            None,
        ),
    }


@pytest.mark.parametrize("resource", ["launches", "events", "statements", "sources"])
@pytest.mark.parametrize("char", CONTROL, ids=[f"U+{ord(c):04X}" for c in CONTROL])
def test_the_api_refuses_control_characters_naming_the_field(editor_api, resource, char):
    payload, field, model = creations()[resource]
    text = f"Seoul said{char} nothing more."
    response = editor_api.post(f"/api/v1/{resource}/", payload(text), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    if model is not None:
        assert not model.objects.filter(**{field: text}).exists()
