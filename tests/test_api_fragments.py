"""The API's launch list keeps each launch, encoded, in the fragment cache under a stamp of
what it shows: a change made through the services shows on the next request, in that
launch's entry only, byte for byte as if nothing were cached; drafts never show."""

import datetime

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.caching import bump_data_version
from editorial.models import Status
from editorial.services import record_delete, record_sources_set, record_transition
from reactions.models import Actor, Speaker, Stance, Theme
from reactions.services import statement_update
from timeline.services import claim_update, event_update, launch_update, link_update

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
LIST = "/api/v1/launches/?expand=statements,links"


@pytest.fixture(autouse=True)
def empty_caches():
    for store in caches.all():
        store.clear()


@pytest.fixture
def pair():
    """Two launches, each with a reaction, a claim and a link to an event."""
    launches = {}
    for name, day in (("first", 1), ("second", 20)):
        launch = LaunchFactory(occurred_on=datetime.date(2024, 3, day))
        StatementFactory(launch=launch, speaker=SpeakerFactory())
        ClaimFactory(launch=launch, value_text="~700", source=SourceFactory())
        LinkFactory(launch=launch, event=EventFactory(title=f"Drills {name}"))
        launches[name] = launch
    return launches


def pieces():
    """The launches kept in the fragment cache, under every stamp they had."""
    return sum(":piece:" in key for key in caches["fragments"]._cache)


def entries(settings, url=LIST):
    """The list's launches by slug, after checking that the cached response is exactly the
    one built with nothing cached."""
    cached = APIClient().get(url)
    assert cached.status_code == 200
    kept = settings.FRAGMENT_CACHE_SECONDS
    settings.FRAGMENT_CACHE_SECONDS = 0
    afresh = APIClient().get(url)
    settings.FRAGMENT_CACHE_SECONDS = kept
    assert cached.content == afresh.content
    return {launch["slug"]: launch for launch in cached.json()["results"]}


def test_an_unchanged_list_reads_its_page_and_the_stamps_only(settings, pair):
    first = entries(settings)
    assert pieces() == 2
    with CaptureQueriesContext(connection) as queries:
        again = APIClient().get(LIST)
    assert len(queries) == 2
    assert {launch["slug"]: launch for launch in again.json()["results"]} == first
    assert pieces() == 2


def test_a_published_reaction_shows_at_once_in_its_launch_only(settings, pair):
    before = entries(settings)
    statement = StatementFactory(
        launch=pair["second"], actor=Actor.objects.get(code="JP"), status=Status.DRAFT
    )
    # A draft shows nowhere (its first version may have its launch built again: the same).
    assert entries(settings) == before

    record_transition(instance=statement, status=Status.PUBLISHED)
    built = pieces()
    after = entries(settings)
    assert pieces() == built + 1
    second = pair["second"].slug
    assert [s["actor"] for s in after[second]["statements"]] == ["US", "JP"]
    assert after[pair["first"].slug] == before[pair["first"].slug]

    record_transition(instance=statement, status=Status.DRAFT)
    assert entries(settings) == before


def test_a_reaction_edited_or_deleted_shows(settings, pair):
    entries(settings)
    statement = pair["first"].statements.get()
    statement_update(statement=statement, stance=Stance.CONCERNED, summary="Concerned now.")
    (shown,) = entries(settings)[pair["first"].slug]["statements"]
    assert (shown["stance"], shown["summary"]) == (Stance.CONCERNED, "Concerned now.")

    record_delete(instance=statement)
    assert entries(settings)[pair["first"].slug]["statements"] == []


def test_themes_co_signers_and_further_sources_of_a_reaction_show(settings, pair):
    entries(settings)
    statement = pair["first"].statements.get()
    theme = Theme.objects.create(slug="provocation", name="Provocation")
    further = SourceFactory(publisher="Another outlet")
    statement_update(
        statement=statement,
        themes=[theme],
        co_signers=[Actor.objects.get(code="JP")],
        further_sources=[further],
    )
    (shown,) = entries(settings)[pair["first"].slug]["statements"]
    assert shown["themes"] == ["provocation"]
    assert shown["co_signers"] == ["JP"]
    assert [source["id"] for source in shown["sources"]] == [statement.source_id, further.pk]

    statement_update(statement=statement, themes=[], co_signers=[], further_sources=[])
    (shown,) = entries(settings)[pair["first"].slug]["statements"]
    assert (shown["themes"], shown["co_signers"], len(shown["sources"])) == ([], [], 1)


def test_a_launchs_sources_and_its_claims_show(settings, pair):
    entries(settings)
    launch = pair["first"]
    cited = SourceFactory()
    record_sources_set(instance=launch, sources=[cited])
    assert entries(settings)[launch.slug]["sources"] == [cited.pk]

    claim = launch.claims.get()
    further = SourceFactory()
    claim_update(claim=claim, further_sources=[further])
    (shown,) = entries(settings)[launch.slug]["claims"]
    assert shown["sources"][-1]["id"] == further.pk
    claim_update(claim=claim, value_text="about 750")
    (shown,) = entries(settings)[launch.slug]["claims"]
    assert shown["value_text"] == "about 750"

    ClaimFactory(launch=launch, attribute="distance", value=450, value_text="450")
    assert entries(settings)[launch.slug]["disputed"] is True
    record_delete(instance=claim)
    assert [c["value_text"] for c in entries(settings)[launch.slug]["claims"]] == ["450"]


def test_a_launch_edited_shows_and_the_derived_facts_of_those_after_it(settings, pair):
    entries(settings)
    launch_update(launch=pair["first"], summary="Two missiles, says the JCS.")
    assert entries(settings)[pair["first"].slug]["summary"] == "Two missiles, says the JCS."

    between = LaunchFactory(occurred_on=datetime.date(2024, 3, 10))
    shown = entries(settings)
    assert shown[pair["second"].slug]["previous_launch"] == between.slug
    assert shown[pair["second"].slug]["category_ordinal"] == 3

    record_transition(instance=between, status=Status.DRAFT)
    shown = entries(settings)
    assert between.slug not in shown
    assert shown[pair["second"].slug]["previous_launch"] == pair["first"].slug


def test_a_link_and_its_event_show(settings, pair):
    entries(settings)
    link = pair["first"].links.get()
    event_update(event=link.event, title="Combined drills")
    (shown,) = entries(settings)[pair["first"].slug]["links"]
    assert shown["event_title"] == "Combined drills"

    further = SourceFactory()
    link_update(link=link, further_sources=[further])
    (shown,) = entries(settings)[pair["first"].slug]["links"]
    assert shown["sources"][-1]["id"] == further.pk
    link_update(link=link, rationale="Announced the day before.")
    (shown,) = entries(settings)[pair["first"].slug]["links"]
    assert shown["rationale"] == "Announced the day before."

    record_transition(instance=link.event, status=Status.DRAFT)
    assert entries(settings)[pair["first"].slug]["links"] == []


def test_a_reaction_moved_to_another_launch_leaves_the_first(settings, pair):
    entries(settings)
    statement = pair["second"].statements.get()
    statement_update(statement=statement, launch=pair["first"])
    shown = entries(settings)
    assert shown[pair["second"].slug]["statements"] == []
    assert len(shown[pair["first"].slug]["statements"]) == 2


def test_reference_data_shows_with_a_new_data_version(settings, pair):
    entries(settings)
    Speaker.objects.update(role="Renamed role")
    # A reference record renamed moves the data version, which every key holds.
    bump_data_version()
    shown = entries(settings)
    assert all(
        launch["statements"][0]["speaker"].endswith(", Renamed role") for launch in shown.values()
    )


def test_each_expansion_and_ordering_is_its_own_list(settings, pair):
    plain = entries(settings, "/api/v1/launches/")
    assert all(launch["statements"] is None for launch in plain.values())
    assert all(len(launch["links"]) == 1 for launch in entries(settings, LIST).values())
    newest = "/api/v1/launches/?page_size=1&ordering=-sort_at&expand=statements"
    pages, url = [], newest
    while url:
        response = APIClient().get(url)
        pages += [launch["slug"] for launch in response.json()["results"]]
        url = response.json()["next"]
    assert pages == [pair["second"].slug, pair["first"].slug]
    entries(settings, newest)


def test_clients_that_see_drafts_never_use_the_cache(settings, pair):
    entries(settings)
    draft = StatementFactory(launch=pair["first"], status=Status.DRAFT, quote="Not yet.")
    editor = APIClient()
    user = UserFactory(perms=["change_launch"])
    editor.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    kept = pieces()
    quotes = [s["quote"] for s in editor.get(LIST).json()["results"][0]["statements"]]
    assert "Not yet." in quotes
    assert pieces() == kept
    assert draft.pk not in [s["id"] for s in entries(settings)[pair["first"].slug]["statements"]]


def test_without_a_fragment_cache_nothing_is_kept(settings, pair):
    settings.FRAGMENT_CACHE_SECONDS = 0
    assert APIClient().get(LIST).status_code == 200
    assert pieces() == 0
