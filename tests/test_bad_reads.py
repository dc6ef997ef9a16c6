"""Anonymous reads with hostile addresses and cursors: a clear 400 or 404, never a 500.

Run on PostgreSQL as well (DATABASE_URL): it refuses NUL in a text parameter and has its
own date range, so what SQLite lets through can still fail there.
"""

import base64
import json
from urllib.parse import quote, urlencode

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from reactions.models import Actor

from .factories import (
    ClaimFactory,
    EventFactory,
    LaunchFactory,
    LinkFactory,
    SpeakerFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db

INVALID_CURSOR = {"cursor": ["Not a cursor this API gave out."]}


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


@pytest.fixture
def records():
    launch = LaunchFactory(slug="a-launch")
    LinkFactory(launch=launch, event=EventFactory(slug="an-event"))
    ClaimFactory(launch=launch)
    StatementFactory(launch=launch, speaker=SpeakerFactory())


def cursor(position):
    """A cursor as DRF's CursorPagination encodes one, at `position`."""
    return base64.b64encode(urlencode({"p": position}).encode()).decode()


def timeline_cursor(moment, kind="launch", pk=1):
    return base64.urlsafe_b64encode(json.dumps([moment, kind, pk]).encode()).decode()


POSITIONS = [
    "abc",
    "1.5",
    "99999999999999999999999999",
    "\x00",
    "0001-01-01 00:00:00+23:59",
]
INTEGER_ORDERED = [
    "/api/v1/claims/",
    "/api/v1/speakers/",
    "/api/v1/links/",
    "/api/v1/sources/",
    "/api/v1/statements/",
    "/api/v1/statements/?ordering=stance",
    "/api/v1/statements/?ordering=-stance",
]
TIME_ORDERED = [
    "/api/v1/launches/",
    "/api/v1/launches/?ordering=-occurred_on",
    "/api/v1/events/",
    "/api/v1/statements/?ordering=updated_at",
]


def with_cursor(url, token):
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}cursor={quote(token)}"


@pytest.mark.parametrize("position", POSITIONS)
@pytest.mark.parametrize("url", INTEGER_ORDERED + TIME_ORDERED)
def test_a_cursor_at_a_position_no_record_could_have_is_a_404(records, url, position):
    response = APIClient().get(with_cursor(url, cursor(position)))
    assert (response.status_code, response.json()) == (404, INVALID_CURSOR)


@pytest.mark.parametrize(
    "token",
    [
        timeline_cursor("2025-01-01T00:00:00+23:59"),
        timeline_cursor("2025-01-01T00:00:00-23:59", kind="event"),
        timeline_cursor("0001-01-01T00:00:00+23:59"),
        timeline_cursor("0001-01-01T00:00:00+00:01", kind="event"),
        timeline_cursor("9999-12-31T23:59:59-23:59"),
        timeline_cursor("2025-01-01T09:00:00+09:00"),
        timeline_cursor("2025-01-01T00:00:00"),
        timeline_cursor("2025-01-01T00:00:00Z", kind="statement"),
        timeline_cursor("2025-01-01T00:00:00Z", pk="1"),
        timeline_cursor("2025-01-01T00:00:00Z", pk=2**70),
        "bogus",
    ],
)
def test_a_timeline_cursor_out_of_range_or_malformed_is_a_404(records, token):
    response = APIClient().get(with_cursor("/api/v1/timeline/", token))
    assert (response.status_code, response.json()) == (404, INVALID_CURSOR)


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00", "2025-01-01T00:00:00Z"]
)
def test_a_timeline_cursor_at_the_edges_of_time_is_read(records, moment):
    response = APIClient().get(with_cursor("/api/v1/timeline/", timeline_cursor(moment)))
    assert response.status_code == 200
    assert response.json()["next"] is None


@pytest.mark.parametrize(
    ("url", "content_type"),
    [
        ("/api/v1/launches/%00/", "application/json"),
        ("/api/v1/launches/a%00b/", "application/json"),
        ("/api/v1/events/%00/", "application/json"),
        ("/api/v1/actors/%00/", "application/json"),
        ("/api/v1/actors/RU%00/", "application/json"),
        ("/api/v1/sources/%00/", "application/json"),
        ("/api/v1/statements/%00/", "application/json"),
        ("/actors/%00/", "text/html"),
        ("/actors/RU%00/", "text/html"),
        ("/actors/%00/feed/", "text/html"),
        ("/actors/RU%00/feed/", "text/html"),
        ("/launches/%00/", "text/html"),
        ("/events/%00/", "text/html"),
        ("/themes/%00/", "text/html"),
    ],
)
def test_a_nul_in_a_path_is_a_404(client, records, url, content_type):
    response = client.get(url)
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith(content_type)


def test_the_actor_pages_still_answer_for_a_real_code(client, records):
    russia = Actor.objects.get(code="RU")
    assert client.get("/actors/ru/").context["actor"] == russia
    assert client.get("/actors/RU/feed/").status_code == 200
    assert APIClient().get("/api/v1/actors/ru/").json()["code"] == "RU"
