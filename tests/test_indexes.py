"""The reader's indexes: the actors and the events, a speaker's page and a source's page."""

import datetime
import re
from html import unescape

import pycountry
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial.models import Status
from reactions.models import Actor, Speaker, Stance, Statement
from reactions.regions import REGION_OF_STATE
from timeline.models import (
    DatePrecision,
    Event,
    EventKind,
    Launch,
    LaunchClaim,
    LaunchFacts,
    Link,
    Relation,
    Source,
)

from .factories import (
    ClaimFactory,
    EventFactory,
    LaunchFactory,
    LinkFactory,
    SourceFactory,
    SpeakerFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def text_of(response):
    """The main landmark's text as a reader sees it: tags stripped, whitespace collapsed."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r"</?(a|span|strong|em|time|bdi)\b[^>]*>", "", main)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def section(response, heading_id):
    """The text of the section labelled by `heading_id`."""
    html = response.content.decode()
    start = html.index(f'aria-labelledby="{heading_id}"')
    end = html.find("</section>", start)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start:end])))


def actor(code):
    return Actor.objects.get(code=code)


def day(text):
    return datetime.date.fromisoformat(text)


# The indexes


def test_the_actor_and_event_indexes_answer(client):
    """They were 404: a reader could not find a country without knowing its URL."""
    StatementFactory()
    EventFactory()
    for path in ("/actors/", "/events/"):
        response = client.get(path)
        assert response.status_code == 200, path
    nav = client.get("/").content.decode()
    nav = nav[nav.index('<nav aria-label="Main">') : nav.index("</nav>")]
    assert 'href="/actors/"' in nav
    assert 'href="/events/"' in nav


def test_every_state_has_a_region_and_organisations_have_their_own():
    states = {country.alpha_2 for country in pycountry.countries}
    assert states - set(REGION_OF_STATE) == {"AQ"}  # Antarctica is in no M49 region
    assert set(REGION_OF_STATE) <= states
    assert REGION_OF_STATE["KP"] == REGION_OF_STATE["JP"] == "east-asia"
    assert REGION_OF_STATE["RU"] == "europe"
    assert REGION_OF_STATE["US"] == "northern-america"


@pytest.fixture
def spoken():
    """Statements of the US, Russia, Japan and the UN on two launches, and drafts."""
    first = LaunchFactory(occurred_on=day("2025-10-22"), missile_class="SRBM")
    second = LaunchFactory(occurred_on=day("2025-11-07"), missile_class="ICBM")
    for launch in (first, second):
        StatementFactory(launch=launch, actor=actor("US"), stance=Stance.CONDEMNS)
    StatementFactory(launch=first, actor=actor("US"), stance=Stance.CONCERNED)
    StatementFactory(launch=first, actor=actor("RU"), stance=Stance.DEFENDS)
    StatementFactory(launch=first, actor=actor("JP"), stance=Stance.CONDEMNS)
    StatementFactory(launch=second, actor=actor("UN"), stance=Stance.CONCERNED)
    draft_launch = LaunchFactory(occurred_on=day("2025-11-20"), status=Status.DRAFT)
    StatementFactory(launch=draft_launch, actor=actor("FR"), stance=Stance.CONDEMNS)
    StatementFactory(launch=second, actor=actor("RU"), stance=Stance.NEUTRAL, status=Status.DRAFT)
    return first, second


def test_the_actor_index_shows_counts_stance_mix_and_latest_statement(client, spoken):
    _, second = spoken
    response = client.get("/actors/")
    text = text_of(response)
    assert "4 actors, 6 published statements in all." in text
    us = section(response, "region-northern-america")
    assert "United States 3 statements" in us
    assert "Condemns: 2" in us
    assert "Concerned: 1" in us
    assert "Latest: 7 Nov 2025 ✖ condemns · on the Intercontinental ballistic (ICBM) launch" in us
    latest = Statement.objects.get(actor__code="US", launch=second)
    assert f'href="{latest.get_absolute_url()}"' in response.content.decode()
    russia = section(response, "region-europe")
    assert "1 statement ✔ Defends: 1 Latest: 22 Oct 2025" in russia
    assert "Neutral" not in russia  # the draft
    assert "France" not in text  # spoke only on a draft launch
    assert "Japan" in section(response, "region-east-asia")
    assert "Organisations" in text
    assert text.index("East Asia") < text.index("Europe") < text.index("Northern America")
    assert text.index("Northern America") < text.index("Organisations")


def test_the_stance_mix_is_a_bar_with_its_numbers_in_words(client, spoken):
    html = client.get("/actors/?region=northern-america").content.decode()
    bar = html[html.index('<svg class="stance-bar"') : html.index("</svg>")]
    assert 'aria-hidden="true"' in bar
    assert re.findall(r'class="stance-fill-(-?\d)" x="([\d.]+)" y="0"\s+width="([\d.]+)"', bar) == [
        ("-2", "0.000", "66.667"),
        ("-1", "66.667", "33.333"),
    ]
    assert 'aria-label="United States: statements by stance"' in html


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("region=europe", ["Russia"], ["United States", "Japan", "United Nations"]),
        ("region=organisations", ["United Nations"], ["Russia", "Japan"]),
        ("stance=2", ["Russia"], ["United States", "Japan", "United Nations"]),
        ("stance=-2&region=east-asia", ["Japan"], ["United States", "Russia"]),
        ("stance=0", [], ["Russia"]),  # only a draft is neutral
    ],
)
def test_the_actor_index_filters_by_region_and_stance(client, spoken, query, shown, hidden):
    response = client.get(f"/actors/?{query}")
    assert response.status_code == 200
    text = text_of(response)
    for name in shown:
        assert name in text, name
    for name in hidden:
        assert name not in text, name
    if not shown:
        assert "No actor matches these filters." in text


def test_the_actor_index_says_what_it_was_filtered_by(client, spoken):
    text = text_of(client.get("/actors/?region=europe&stance=2"))
    assert (
        "1 actor in Europe with at least one “defends” statement, 1 published statement in all."
    ) in text


def test_the_actor_index_says_which_filter_it_could_not_read(client, spoken):
    response = client.get("/actors/?region=atlantis&stance=9")
    assert response.status_code == 400
    text = text_of(response)
    assert "Some filters could not be read" in text
    assert "Region (“atlantis”): Select a valid choice." in text
    assert "Stance taken (“9”): Select a valid choice." in text


@pytest.fixture
def events():
    launch = LaunchFactory(occurred_on=day("2025-11-07"), missile_class="SRBM")
    sanctions = EventFactory(
        title="Treasury designations", kind=EventKind.SANCTIONS, start_date=day("2025-11-04")
    )
    LinkFactory(launch=launch, event=sanctions, relation=Relation.RESPONSE_TO)
    drills = EventFactory(
        title="Spring drills",
        kind=EventKind.EXERCISE,
        start_date=day("2024-03-01"),
        date_precision=DatePrecision.MONTH,
    )
    EventFactory(title="Draft summit", kind=EventKind.SUMMIT, status=Status.DRAFT)
    draft_launch = LaunchFactory(occurred_on=day("2025-11-10"), status=Status.DRAFT)
    LinkFactory(launch=draft_launch, event=sanctions)
    LinkFactory(launch=launch, event=drills, status=Status.DRAFT)
    return launch, sanctions, drills


def test_the_event_index_lists_events_newest_first_with_their_launches(client, events):
    launch, sanctions, _ = events
    response = client.get("/events/")
    text = text_of(response)
    html = response.content.decode()
    assert "2 events." in text
    assert html.index('id="year-2025"') < html.index('id="year-2024"')
    assert text.index("Treasury designations") < text.index("March 2024")
    assert "4 Nov 2025 Sanctions Treasury designations" in text
    assert "Short-range ballistic (SRBM) launch of 7 Nov 2025: response to this event" in text
    assert f'href="{sanctions.get_absolute_url()}"' in html
    assert f'href="{launch.get_absolute_url()}"' in html
    # The drills' day is unknown, and their only link is a draft.
    assert "March 2024 (day unknown) Military exercise Spring drills No launch linked." in text
    assert "Draft summit" not in text
    assert "10 Nov 2025" not in text


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("kind=sanctions", "Treasury designations", "Spring drills"),
        ("year=2024", "Spring drills", "Treasury designations"),
        ("kind=exercise&year=2024", "Spring drills", "Treasury designations"),
        ("q=treasury", "Treasury designations", "Spring drills"),
    ],
)
def test_the_event_index_filters_by_kind_and_year(client, events, query, shown, hidden):
    text = text_of(client.get(f"/events/?{query}"))
    assert shown in text
    assert hidden not in text


def test_the_event_index_offers_the_years_with_events_and_refuses_what_it_cannot_read(
    client, events
):
    html = client.get("/events/?year=2024").content.decode()
    years = html[html.index('id="f-year"') : html.index("</select>", html.index('id="f-year"'))]
    assert re.findall(r'<option value="(\d+)"', years) == ["2025", "2024"]
    assert '<option value="2024" selected' in years
    response = client.get("/events/?kind=picnic&year=twenty")
    assert response.status_code == 400
    text = text_of(response)
    assert "Kind (“picnic”): Select a valid choice." in text
    assert "Year (“twenty”): Enter a whole number." in text


def test_the_event_index_pages_by_fifty(client):
    Event.objects.bulk_create(
        Event(
            slug=f"event-{n}",
            kind=EventKind.TALKS,
            title=f"Round {n:02d} of talks",
            start_date=day("2024-01-01") + datetime.timedelta(days=n),
            status=Status.PUBLISHED,
        )
        for n in range(60)
    )
    text = text_of(client.get("/events/"))
    assert "60 events, 1\N{EN DASH}50 shown." in text
    assert "Round 59" in text
    assert "Round 09 " not in text
    assert "Page 1 of 2" in text
    assert "Round 09 " in text_of(client.get("/events/?page=2"))


# A speaker's page


def test_a_speaker_page_says_who_they_are_and_what_they_said_newest_first(client):
    peskov = SpeakerFactory(actor=actor("RU"), name="Dmitry Peskov", role="Kremlin spokesman")
    older = StatementFactory(
        launch=LaunchFactory(occurred_on=day("2025-10-22")),
        actor=actor("RU"),
        speaker=peskov,
        quote="We call for restraint.",
        stance=Stance.NEUTRAL,
    )
    newer = StatementFactory(
        launch=LaunchFactory(occurred_on=day("2025-11-07")),
        actor=actor("RU"),
        speaker=peskov,
        quote="A legitimate right.",
        stance=Stance.DEFENDS,
    )
    StatementFactory(
        launch=newer.launch,
        actor=actor("RU"),
        speaker=peskov,
        quote="Unpublished words.",
        status=Status.DRAFT,
    )
    response = client.get(f"/speakers/{peskov.pk}/")
    text = text_of(response)
    assert "Dmitry Peskov" in text
    assert "Kremlin spokesman, speaking for Russia (state)" in text
    assert "2 published statements." in text
    assert text.index(newer.quote) < text.index(older.quote)
    assert "Unpublished words." not in text
    assert 'href="/actors/RU/"' in response.content.decode()


def test_a_speaker_page_pages_by_fifty(client):
    speaker = SpeakerFactory(name="Spokesperson")
    source = SourceFactory()
    launches = Launch.objects.bulk_create(
        Launch(
            slug=f"launch-{n}",
            occurred_on=day("2024-01-01") + datetime.timedelta(days=n),
            sort_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=n),
            missile_class="SRBM",
            status=Status.PUBLISHED,
        )
        for n in range(55)
    )
    LaunchFacts.objects.refresh()
    Statement.objects.bulk_create(
        Statement(
            launch=launch,
            actor=speaker.actor,
            speaker=speaker,
            issued_on=launch.occurred_on,
            quote=f"Statement number {n:02d}.",
            stance=Stance.CONDEMNS,
            source=source,
            status=Status.PUBLISHED,
        )
        for n, launch in enumerate(launches)
    )
    first = text_of(client.get(f"/speakers/{speaker.pk}/"))
    assert "55 published statements." in first
    assert "Statement number 54." in first
    assert "Statement number 04." not in first
    assert "Statement number 04." in text_of(client.get(f"/speakers/{speaker.pk}/?page=2"))


def test_a_speaker_readers_cannot_see_is_not_found(client):
    hidden = SpeakerFactory()
    StatementFactory(speaker=hidden, status=Status.DRAFT)
    on_draft_launch = SpeakerFactory()
    StatementFactory(speaker=on_draft_launch, launch=LaunchFactory(status=Status.DRAFT))
    for path in (
        f"/speakers/{hidden.pk}/",
        f"/speakers/{on_draft_launch.pk}/",
        f"/speakers/{SpeakerFactory().pk}/",
        "/speakers/99999999999999999999999/",
        "/speakers/peskov/",
    ):
        assert client.get(path).status_code == 404, path


# A source's page


@pytest.fixture
def cited():
    """One source behind a statement, a launch, a claim, an event and a link, and drafts."""
    source = SourceFactory(
        title="North Korea fires a missile",
        publisher="Yonhap",
        url="https://en.yna.example/missile",
        published_at=datetime.datetime(2025, 11, 7, 4, 0, tzinfo=datetime.UTC),
    )
    launch = LaunchFactory(occurred_on=day("2025-11-07"), missile_class="SRBM")
    launch.sources.add(source)
    ClaimFactory(launch=launch, source=source, value_text="~700", claimant="JCS")
    event = EventFactory(title="Treasury designations", start_date=day("2025-11-04"))
    event.sources.add(source)
    LinkFactory(launch=launch, event=event, source=source)
    speaker = SpeakerFactory(actor=actor("KR"), name="Office of National Security")
    StatementFactory(
        launch=launch, actor=actor("KR"), speaker=speaker, source=source, stance=Stance.CONDEMNS
    )
    # Drafts that cite it: none of them shows.
    StatementFactory(launch=launch, actor=actor("CN"), source=source, status=Status.DRAFT)
    draft_launch = LaunchFactory(occurred_on=day("2025-11-10"), status=Status.DRAFT)
    draft_launch.sources.add(source)
    ClaimFactory(launch=draft_launch, source=source, value_text="~999")
    draft_event = EventFactory(title="Secret summit", status=Status.DRAFT)
    draft_event.sources.add(source)
    LinkFactory(launch=launch, event=draft_event, source=source)
    return source, launch, event, speaker


def test_a_source_page_shows_the_source_and_everything_it_backs(client, cited):
    source, _, event, speaker = cited
    response = client.get(f"/sources/{source.pk}/")
    html = response.content.decode()
    text = text_of(response)
    assert "North Korea fires a missile" in text
    assert "Publisher Yonhap" in text
    assert "Published 7 Nov 2025" in text
    assert '<a href="https://en.yna.example/missile" rel="noopener noreferrer"' in html
    assert (
        "Statements it reports (1) South Korea on the Short-range ballistic (SRBM) launch of "
        "7 Nov 2025 ✖ condemns · Office of National Security, 7 Nov 2025"
    ) in text
    assert f'href="/speakers/{speaker.pk}/"' in html
    assert "Launches it reports (1) Short-range ballistic (SRBM) launch of 7 Nov 2025" in text
    assert "Figures it gives (1)" in text
    assert "distance (km): ~700 (claimed by JCS)" in text
    assert "Events it reports (1) Treasury designations · 4 Nov 2025" in text
    assert "Links between launches and events it supports (1)" in text
    assert f'href="{event.get_absolute_url()}"' in html
    for draft in ("China", "10 Nov 2025", "~999", "Secret summit"):
        assert draft not in text, draft


def test_a_dataset_source_without_an_address_says_so(client):
    dataset = SourceFactory(url="", reference="CNS-DB", title="CNS database", publisher="CNS")
    LaunchFactory().sources.add(dataset)
    text = text_of(client.get(f"/sources/{dataset.pk}/"))
    assert "Read it no single address: a dataset cited as CNS-DB" in text


def test_a_source_that_backs_nothing_readers_may_see_is_not_found(client):
    unused = SourceFactory()
    drafts_only = SourceFactory()
    StatementFactory(source=drafts_only, status=Status.DRAFT)
    LaunchFactory(status=Status.DRAFT).sources.add(drafts_only)
    for path in (f"/sources/{unused.pk}/", f"/sources/{drafts_only.pk}/", "/sources/x/"):
        assert client.get(path).status_code == 404, path


def test_a_long_list_of_backed_records_is_cut_and_says_so(client):
    source = SourceFactory()
    Launch.objects.bulk_create(
        Launch(
            slug=f"launch-{n}",
            occurred_on=day("2022-01-01") + datetime.timedelta(days=n),
            sort_at=datetime.datetime(2022, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=n),
            missile_class="SRBM",
            status=Status.PUBLISHED,
        )
        for n in range(105)
    )
    LaunchFacts.objects.refresh()
    source.launches.add(*Launch.objects.all())
    text = text_of(client.get(f"/sources/{source.pk}/"))
    assert "Launches it reports (105) The 100 latest are listed." in text
    assert text.count("Short-range ballistic (SRBM) launch of") == 100


# Where speakers and sources appear


def test_statements_link_their_speaker_and_source_pages(client):
    speaker = SpeakerFactory(name="Press secretary")
    statement = StatementFactory(speaker=speaker)
    no_address = SourceFactory(url="", reference="KCNA-WIRE", title="KCNA wire")
    other = StatementFactory(launch=statement.launch, actor=actor("RU"), source=no_address)
    for path in (statement.launch.get_absolute_url(), "/actors/US/", f"/speakers/{speaker.pk}/"):
        html = client.get(path).content.decode()
        assert f'href="/speakers/{speaker.pk}/"><bdi>Press secretary</bdi></a' in html, path
        assert f'href="/sources/{statement.source_id}/"' in html, path
        assert f'(<a href="{statement.source.url}" rel="noopener">original</a>)' in html, path
    launch_page = client.get(statement.launch.get_absolute_url()).content.decode()
    assert f'href="/sources/{other.source_id}/"' in launch_page


# Query counts


def seed(count, *, prefix):
    """`count` published launches, each with a statement by each of `count // 5 + 2` actors
    (their speaker, the source shared), a claim and a link to an event of their own."""
    source = Source.objects.first() or SourceFactory()
    actors = list(Actor.objects.filter(kind="state").order_by("code")[: count // 5 + 2])
    speakers = {
        actor.pk: Speaker.objects.get_or_create(actor=actor, name=f"Spokesperson of {actor}")[0]
        for actor in actors
    }
    start = datetime.datetime(2022, 1, 1, 1, 30, tzinfo=datetime.UTC)
    launches = Launch.objects.bulk_create(
        Launch(
            slug=f"{prefix}-{n}",
            occurred_on=(start + datetime.timedelta(days=n)).date(),
            occurred_at=start + datetime.timedelta(days=n),
            sort_at=start + datetime.timedelta(days=n),
            missile_class="SRBM",
            status=Status.PUBLISHED,
        )
        for n in range(count)
    )
    LaunchFacts.objects.refresh()
    source.launches.add(*launches)
    events = Event.objects.bulk_create(
        Event(
            slug=f"{prefix}-event-{n}",
            kind=EventKind.SANCTIONS,
            title=f"Sanctions {prefix} {n}",
            start_date=launch.occurred_on,
            status=Status.PUBLISHED,
        )
        for n, launch in enumerate(launches)
    )
    source.events.add(*events)
    Statement.objects.bulk_create(
        Statement(
            launch=launch,
            actor=actor,
            speaker=speakers[actor.pk],
            issued_on=launch.occurred_on,
            quote=f"{actor.code} on {launch.slug}.",
            stance=Stance.values[n % 5],
            source=source,
            status=Status.PUBLISHED,
        )
        for launch in launches
        for n, actor in enumerate(actors)
    )
    LaunchClaim.objects.bulk_create(
        LaunchClaim(launch=launch, attribute="distance", value_text="~500", source=source)
        for launch in launches
    )
    Link.objects.bulk_create(
        Link(
            launch=launch,
            event=event,
            relation=Relation.RESPONSE_TO,
            rationale="Reported as a response.",
            source=source,
            status=Status.PUBLISHED,
        )
        for launch, event in zip(launches, events, strict=True)
    )
    return source


def count_queries(client, path):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def test_index_queries_do_not_grow_with_the_data(client):
    source = seed(5, prefix="few")
    speaker = Speaker.objects.get(actor__code="AD")
    pages = [
        "/actors/",
        "/actors/?region=europe&stance=-2",
        "/events/",
        "/events/?kind=sanctions&year=2022",
        f"/speakers/{speaker.pk}/",
        f"/sources/{source.pk}/",
    ]
    for path in pages:  # warm what fills once per process
        count_queries(client, path)
    few = {path: count_queries(client, path) for path in pages}
    seed(150, prefix="many")
    assert Actor.objects.filter(statements__isnull=False).distinct().count() == 32
    assert Statement.objects.count() == 5 * 3 + 150 * 32
    many = {path: count_queries(client, path) for path in pages}
    assert few == many
    assert max(many.values()) <= 6, many


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/actors/?region=%00", 400),
        ("/actors/?stance=%00", 400),
        ("/actors/?stance=99999999999999999999", 400),
        ("/events/?q=%00", 400),
        ("/events/?kind=%00", 400),
        ("/events/?year=99999", 400),
        ("/events/?date_from=0001-01-01&date_to=9999-12-31", 200),
        ("/events/?page=%00", 200),
        ("/events/?page=99999999999999999999", 200),
        ("/speakers/99999999999999999999/", 404),
        ("/speakers/{speaker}/?page=%00", 200),
        ("/sources/99999999999999999999/", 404),
    ],
)
def test_hostile_reads_of_the_indexes_are_answered_not_failed(client, path, status):
    speaker = SpeakerFactory()
    StatementFactory(speaker=speaker)
    assert client.get(path.format(speaker=speaker.pk)).status_code == status


def test_what_analysts_typed_is_escaped_on_the_index_pages(client):
    hostile = "<script>alert(1)</script>"
    speaker = SpeakerFactory(name=hostile, role=hostile)
    source = SourceFactory(title=hostile, publisher=hostile)
    launch = LaunchFactory()
    StatementFactory(launch=launch, speaker=speaker, source=source, quote=hostile)
    LinkFactory(launch=launch, event=EventFactory(title=hostile), source=source)
    for path in ("/actors/", "/events/", f"/speakers/{speaker.pk}/", f"/sources/{source.pk}/"):
        html = client.get(path).content.decode()
        assert "<script>alert(1)" not in html, path
        assert "style=" not in html, path
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;"
        in client.get(f"/sources/{source.pk}/").content.decode()
    )
