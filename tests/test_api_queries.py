"""Every list endpoint runs a fixed number of queries, however many rows it returns."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from editorial.models import Status
from reactions.models import Actor, Theme

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

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


def launch_with_everything():
    launch = LaunchFactory()
    launch.sources.add(SourceFactory(), SourceFactory())
    further = SourceFactory()
    ClaimFactory(launch=launch, source=SourceFactory()).further_sources.add(further)
    ClaimFactory(launch=launch, claimant="KCNA")
    speaker = SpeakerFactory()
    theme, _ = Theme.objects.get_or_create(slug="destabilizing", name="destabilizing")
    for _ in range(2):
        statement = StatementFactory(launch=launch, speaker=speaker)
        statement.co_signers.add(Actor.objects.get(code="JP"))
        statement.themes.add(theme)
        statement.further_sources.add(further)
    LinkFactory(launch=launch).further_sources.add(further)
    return launch


def add_rows(endpoint, n):
    for _ in range(n):
        launch_with_everything()
        EventFactory().sources.add(SourceFactory())


def touch(payload):
    """Read every nested value, so a lazily built field would show as a query here."""
    if isinstance(payload, dict):
        return sum(touch(value) for value in payload.values())
    if isinstance(payload, list):
        return sum(touch(value) for value in payload)
    return 1


# endpoint -> queries it runs, for an anonymous client (the figure a change must justify)
ENDPOINTS = {
    # the page with the derived facts, the stamps of what each launch shows; for the launches
    # not in the fragment cache: their rows, sources, claims, the claims' further sources
    "/api/v1/launches/": 6,
    # + statements, co-signers, themes, links, the statements' and links' further sources
    "/api/v1/launches/?expand=statements,links": 12,
    "/api/v1/claims/": 2,  # claims with launch and source; further sources
    "/api/v1/events/": 2,  # events, sources
    "/api/v1/links/": 2,  # links with launch, event and source; further sources
    "/api/v1/sources/": 1,
    "/api/v1/speakers/": 1,
    # statements with actor, speaker, launch, source; co-signers; themes; further sources
    "/api/v1/statements/": 4,
    "/api/v1/actors/": 1,
    # launches, their sources, claims and the claims' further sources; events, their sources
    "/api/v1/timeline/": 6,
    "/api/v1/stats/": 3,
}


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        assert touch(response.json()) > 0
    return len(queries), response.json()


@pytest.mark.parametrize("url", ENDPOINTS)
def test_queries_do_not_grow_with_rows(url):
    client = APIClient()
    add_rows(url, 2)
    few, first = count_queries(client, url)
    add_rows(url, 6)
    cache.clear()
    many, second = count_queries(client, url)
    assert (few, many) == (ENDPOINTS[url], ENDPOINTS[url])
    if "results" in first and "actors" not in url:  # every actor exists from the start
        assert len(second["results"]) > len(first["results"])


def test_expanded_launches_carry_every_nested_value():
    launch_with_everything()
    with CaptureQueriesContext(connection) as queries:
        (entry,) = APIClient().get("/api/v1/launches/?expand=statements,links").json()["results"]
    assert len(queries) == ENDPOINTS["/api/v1/launches/?expand=statements,links"]
    assert [s["co_signers"] for s in entry["statements"]] == [["JP"], ["JP"]]
    assert [s["themes"] for s in entry["statements"]] == [["destabilizing"], ["destabilizing"]]
    assert [s["speaker"].startswith("Spokesperson") for s in entry["statements"]] == [True, True]
    assert [link["event_title"].startswith("Sanctions") for link in entry["links"]] == [True]
    assert [c["claimant"] for c in entry["claims"]] == ["JCS", "KCNA"]
    assert [len(c["sources"]) for c in entry["claims"]] == [2, 0]
    assert [len(s["sources"]) for s in entry["statements"]] == [2, 2]
    assert [len(link["sources"]) for link in entry["links"]] == [2]


@pytest.mark.parametrize("url", ["/api/v1/launches/", "/api/v1/launches/?expand=statements,links"])
def test_launches_in_the_fragment_cache_cost_the_page_and_their_stamps(url):
    client = APIClient()
    add_rows(url, 2)
    count_queries(client, url)
    few, first = count_queries(client, url)
    add_rows(url, 6)
    count_queries(client, url)
    many, second = count_queries(client, url)
    assert (few, many) == (2, 2)
    assert len(second["results"]) > len(first["results"])


def test_a_token_adds_a_fixed_number_of_queries():
    """Authentication and the draft check: the token, then the user's and groups' permissions.
    A client that sees drafts is never served from the fragment cache: launches with derived
    facts, sources, claims, the claims' further sources."""
    user = UserFactory(perms=["change_launch"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    add_rows("/api/v1/launches/", 2)
    LaunchFactory(status=Status.DRAFT)
    few, _ = count_queries(client, "/api/v1/launches/")
    add_rows("/api/v1/launches/", 6)
    many, _ = count_queries(client, "/api/v1/launches/")
    assert few == many == 4 + 3
