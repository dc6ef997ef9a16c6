"""The timeline's cards and event markers, cached as fragments under a stamp of their data: a
change renders again exactly the pieces that show it, at once, and no other."""

import datetime
import re

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.caching import bump, bump_data_version
from core.fragments import LocalPieces, local_pieces
from editorial.models import Status
from editorial.services import record_transition
from explore.views import CARD_TEMPLATE, MARKER_TEMPLATE, STORY_TEMPLATE
from reactions.models import Actor, Stance
from timeline.models import Launch

from .factories import (
    ClaimFactory,
    EventFactory,
    LaunchFactory,
    LinkFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db
PAGE = "/?year=2024"


@pytest.fixture(autouse=True)
def empty_caches():
    for store in caches.all():
        store.clear()


@pytest.fixture
def year():
    """Two launches with a reaction each, and an event linked to the first."""
    first = LaunchFactory(occurred_on=datetime.date(2024, 3, 1), missile_name="Hwasong-11")
    second = LaunchFactory(occurred_on=datetime.date(2024, 6, 1), missile_name="Hwasong-18")
    StatementFactory(launch=first, stance=Stance.CONDEMNS)
    StatementFactory(launch=second, stance=Stance.CONDEMNS)
    event = EventFactory(title="Joint drills", start_date=datetime.date(2024, 2, 20))
    LinkFactory(launch=first, event=event)
    return {"first": first, "second": second, "event": event}


def rendered(client, template):
    """The page, and how many times `template` was rendered to make it."""
    response = client.get(PAGE)
    assert response.status_code == 200
    return response.content.decode(), [t.name for t in response.templates].count(template)


def card_of(page, launch):
    """A launch's card, as the page shows it."""
    start = page.index(f'aria-labelledby="launch-{launch.pk}"')
    return page[start : page.index("</article>", start)]


def test_an_unchanged_page_renders_no_card_or_marker_again(client, year):
    first, cards = rendered(client, CARD_TEMPLATE)
    assert cards == 2
    again, cards = rendered(client, CARD_TEMPLATE)
    assert (again, cards) == (first, 0)
    assert rendered(client, MARKER_TEMPLATE)[1] == 0


def test_a_published_reaction_changes_its_card_at_once_and_no_other(client, year):
    before, _ = rendered(client, CARD_TEMPLATE)
    japan = Actor.objects.get(code="JP")
    statement = StatementFactory(
        launch=year["second"], actor=japan, stance=Stance.CONCERNED, status=Status.DRAFT
    )
    # A draft shows nowhere, and changes no stamp.
    assert rendered(client, CARD_TEMPLATE) == (before, 0)

    record_transition(instance=statement, status=Status.PUBLISHED)
    after, cards = rendered(client, CARD_TEMPLATE)
    assert cards == 1
    assert f"#statement-{statement.pk}" in card_of(after, year["second"])
    assert card_of(after, year["first"]) == card_of(before, year["first"])

    # Unpublished, the card shows what it showed before: the fragment kept then is that card.
    record_transition(instance=statement, status=Status.DRAFT)
    assert rendered(client, CARD_TEMPLATE) == (before, 0)


def test_a_changed_claim_changes_its_card(client, year):
    claim = ClaimFactory(launch=year["first"], attribute="distance", value_text="~700")
    page, cards = rendered(client, CARD_TEMPLATE)
    assert cards == 2
    assert "~700" in card_of(page, year["first"])

    claim.value_text = "about 750"
    claim.save()
    page, cards = rendered(client, CARD_TEMPLATE)
    assert cards == 1
    assert "about 750" in card_of(page, year["first"])


def test_a_new_launch_renders_its_card_and_the_next_ones_derived_facts(client, year):
    rendered(client, CARD_TEMPLATE)
    between = LaunchFactory(occurred_on=datetime.date(2024, 4, 1))
    page, cards = rendered(client, CARD_TEMPLATE)
    # The new card, and the second launch's, which now follows it; not the first's.
    assert cards == 2
    assert between.get_absolute_url() in card_of(page, year["second"])


def test_an_event_renamed_renders_its_marker_and_the_card_linked_to_it(client, year):
    rendered(client, CARD_TEMPLATE)
    event = year["event"]
    event.title = "Combined drills"
    event.save()
    response = client.get(PAGE)
    names = [t.name for t in response.templates]
    assert (names.count(MARKER_TEMPLATE), names.count(CARD_TEMPLATE)) == (1, 1)
    assert response.content.decode().count("Combined drills") == 2


def test_a_new_data_version_renders_every_card_again(client, year):
    rendered(client, CARD_TEMPLATE)
    Actor.objects.filter(code="US").update(short_name="United States of America")
    # A reference record renamed moves the data version, which every key holds.
    bump_data_version()
    page, cards = rendered(client, CARD_TEMPLATE)
    assert cards == 2
    assert page.count("<bdi>United States of America</bdi>") == 2


def test_a_cached_page_reads_no_card_details(client, year):
    def count():
        with CaptureQueriesContext(connection) as captured:
            client.get(PAGE)
        return captured

    cold = count()
    warm = count()
    # The links, claims and chips of the cards, and the links of the markers, are read only
    # to render them; the years, sites and actors of the menus, only to build them.
    assert len(cold) - len(warm) == 4 + 3


def test_without_a_fragment_cache_every_piece_is_rendered(client, year, settings):
    settings.FRAGMENT_CACHE_SECONDS = 0
    first, cards = rendered(client, CARD_TEMPLATE)
    again, cards_again = rendered(client, CARD_TEMPLATE)
    assert (cards, cards_again) == (2, 2)
    assert first == again


def test_fragments_are_kept_apart_from_the_data_version_and_the_counts(client, year):
    rendered(client, CARD_TEMPLATE)
    # Local memory holds a few hundred entries: fragments must not push the others out.
    assert any("piece:" in key for key in caches["fragments"]._cache)
    assert not any("piece:" in key for key in cache._cache)


def test_a_removed_claim_or_link_changes_its_card(client, year):
    claim = ClaimFactory(launch=year["first"], attribute="distance", value_text="~700")
    page, _ = rendered(client, CARD_TEMPLATE)
    assert "~700" in card_of(page, year["first"])
    assert "Joint drills" in card_of(page, year["first"])

    claim.delete()
    page, cards = rendered(client, CARD_TEMPLATE)
    assert cards == 1
    assert "~700" not in card_of(page, year["first"])

    year["first"].links.get().delete()
    page, cards = rendered(client, CARD_TEMPLATE)
    assert cards == 1
    assert "Joint drills" not in card_of(page, year["first"])


def story(client):
    """The front page's latest story, and how many times it was rendered to make the page."""
    response = client.get("/")
    html = response.content.decode()
    section = html[html.index('<section class="latest"') : html.index('<nav class="ways-in"')]
    return section, [t.name for t in response.templates].count(STORY_TEMPLATE)


def test_the_latest_story_changes_with_what_it_tells_and_only_then(client, year):
    before, renders = story(client)
    assert renders == 1
    assert "Latest reactions" not in before
    assert story(client) == (before, 0)

    japan = Actor.objects.get(code="JP")
    statement = StatementFactory(
        launch=year["second"], actor=japan, stance=Stance.CONCERNED, status=Status.DRAFT
    )
    assert story(client) == (before, 0)
    record_transition(instance=statement, status=Status.PUBLISHED)
    told, renders = story(client)
    assert renders == 1
    assert f"#statement-{statement.pk}" in told

    # A launch without reactions yet: the story tells the latest one that has some too,
    # against the actors that usually react to each.
    LaunchFactory(occurred_on=datetime.date(2024, 9, 1))
    told, renders = story(client)
    assert renders == 1
    assert "Latest reactions" in told
    assert "/actors/CN/" not in told
    china = Actor.objects.get(code="CN")
    StatementFactory(launch=year["first"], actor=china, stance=Stance.CONCERNED)
    told, renders = story(client)
    assert renders == 1
    assert "/actors/CN/" in told


def menu(page, name):
    """The (value, label) options of the filter form's menu `name` but "any", as the page
    shows them."""
    start = page.index(f'name="{name}"')
    options = page[start : page.index("</select>", start)]
    return re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', options)


def test_a_warm_front_page_reads_no_menu_and_no_usual_reactors(client, year):
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    sql = [query["sql"] for query in captured]
    # One constant-time stamp for them all; no actor, no year, no site read again.
    assert sum("history_id" in query for query in sql) == 1
    assert not [query for query in sql if "reactions_actor" in query]
    sites = str(Launch.objects.for_sites().query)[:60]
    assert not [query for query in sql if "RECURSIVE" in query or query.startswith(sites)]
    cold = len(sql)
    for store in caches.all():
        store.clear()
    local_pieces.clear()
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    # Rendered again: the years, sites and actors, the usual reactors of the latest launch,
    # and the cards', markers' and story's details.
    assert len(captured) > cold


def test_the_menus_show_a_new_year_site_and_actor_at_once(client, year):
    page = client.get(PAGE).content.decode()
    assert [value for value, _ in menu(page, "year")] == ["2024"]
    assert menu(page, "site") == []
    assert [code for code, _ in menu(page, "actor")] == ["US"]

    launch = LaunchFactory(
        occurred_on=datetime.date(2025, 2, 1),
        site_latitude="39.66",
        site_longitude="124.70",
        launch_site="Sohae",
    )
    StatementFactory(launch=launch, actor=Actor.objects.get(code="CN"))
    page = client.get(PAGE).content.decode()
    assert [value for value, _ in menu(page, "year")] == ["2025", "2024"]
    assert menu(page, "site") == [("39.66,124.7", "Sohae (1)")]
    assert [code for code, _ in menu(page, "actor")] == ["CN", "US"]

    record_transition(instance=launch, status=Status.DRAFT)
    page = client.get(PAGE).content.decode()
    assert [value for value, _ in menu(page, "year")] == ["2024"]
    assert menu(page, "site") == []
    assert [code for code, _ in menu(page, "actor")] == ["US"]


def test_a_change_the_history_does_not_show_yet_shows_once_announced(client, year):
    # A write that began before another and committed after it: its version is not the
    # latest, but the bump made once it committed moves the menus' stamp all the same.
    client.get(PAGE)
    Launch.objects.filter(pk=year["first"].pk).update(site_latitude=40, site_longitude=125)
    assert menu(client.get(PAGE).content.decode(), "site") == []
    bump("launches")
    assert menu(client.get(PAGE).content.decode(), "site") == [("40,125", "Unnamed site (1)")]


def test_without_a_fragment_cache_the_menus_are_read_each_time(client, year, settings):
    settings.FRAGMENT_CACHE_SECONDS = 0
    client.get(PAGE)
    Launch.objects.filter(pk=year["first"].pk).update(site_latitude=40, site_longitude=125)
    assert menu(client.get(PAGE).content.decode(), "site") == [("40,125", "Unnamed site (1)")]


def test_pieces_read_once_are_read_from_the_process_after(client, year, monkeypatch):
    store = caches["fragments"]
    asked = []

    def get_many(keys, *args, **kwargs):
        asked.extend(keys)
        return type(store).get_many(store, keys, *args, **kwargs)

    first, _ = rendered(client, CARD_TEMPLATE)
    monkeypatch.setattr(store, "get_many", get_many)
    assert rendered(client, CARD_TEMPLATE) == (first, 0)
    assert asked == []

    StatementFactory(launch=year["second"], actor=Actor.objects.get(code="JP"))
    page, cards = rendered(client, CARD_TEMPLATE)
    # The shared cache is asked for the card that changed (and the menus, whose stamp moved
    # with the statement's version), not for the others.
    assert cards == 1
    assert sum(":html:" in key for key in asked) == 1
    assert card_of(page, year["first"]) == card_of(first, year["first"])


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_the_process_keeps_the_pieces_used_last_within_its_bound_and_their_time():
    clock = Clock()
    kept = LocalPieces(10, clock=clock)
    kept.set_many({"a": "aaaa", "b": "bbbb"}, seconds=60)
    assert kept.get_many(["a"]) == {"a": "aaaa"}  # now used after "b"
    kept.set_many({"c": "cccc"}, seconds=60)
    assert kept.get_many(["a", "b", "c"]) == {"a": "aaaa", "c": "cccc"}
    kept.set_many({"big": "x" * 11}, seconds=60)  # larger than the bound: not kept
    assert kept.get_many(["big"]) == {}
    clock.now += 60
    assert kept.get_many(["a", "c"]) == {}
    assert kept.size == 0
