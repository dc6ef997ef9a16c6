"""The server-rendered pages readers start from: the timeline, a launch, an event, an actor,
the stance matrix, search and charts."""

import datetime
import re
from html import unescape

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.fragments import local_pieces
from editorial.models import Status
from reactions.models import Actor, QuoteKind, Stance, Statement
from timeline.models import (
    DatePrecision,
    Event,
    EventKind,
    Launch,
    LaunchClaim,
    LaunchFacts,
    Link,
    Relation,
)

from .factories import (
    EventFactory,
    LaunchFactory,
    SourceFactory,
    SpeakerFactory,
    StatementFactory,
)

pytestmark = pytest.mark.django_db

SEED_LAUNCH = "/launches/2025-11-07-srbm/"
SANCTIONS_WARNING = "/events/2025-11-06-dprk-denounces-us-sanctions-vows-proper-measures/"


def text_of(response):
    """The main landmark's text as a reader sees it: tags stripped, whitespace collapsed."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r"</?(a|span|strong|em|time|bdi)\b[^>]*>", "", main)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def test_the_timeline_tells_the_seed_story(client, demo):
    response = client.get("/?year=2025")
    html = response.content.decode()
    text = text_of(response)
    assert "7 Nov 2025, 12:35 KST" in html
    assert "(03:35 UTC)" in html
    assert "(<bdi>just past noon</bdi>)" in html
    assert "6th ballistic missile launch event of 2025, counted as the JCS counts" in text
    assert "16 days after the SRBM launch of 22 Oct 2025" in text
    assert "United States: condemns" in text
    assert "Russia: defends" in text
    assert "South Korea: condemns" in text
    assert "distance ~700 (JCS) · 450 (preliminary) km" in text
    assert "Response to DPRK denounces US sanctions" in text
    assert "SRBM launch of 7 Nov: response to this event" in text


def test_the_timeline_interleaves_events_with_launches_in_time_order(client, demo):
    text = text_of(client.get("/?year=2025&order=oldest"))
    warning = text.index("DPRK denounces US sanctions")
    launch = text.index("7 Nov 2025, 12:35 KST")
    treasury = text.index("US Treasury (OFAC) designates")
    assert treasury < warning < launch
    # Newest first by default, and still when asked for by name.
    for query in ("?year=2025", "?year=2025&order=newest"):
        newest_first = text_of(client.get(f"/{query}"))
        assert newest_first.index("7 Nov 2025, 12:35 KST") < newest_first.index(
            "DPRK denounces US sanctions"
        )


def test_the_timeline_shows_one_year_and_pages_by_year_keeping_the_filters(client, demo):
    # ASEAN reacted to one launch of 2025 and one of 2023, none of 2022.
    response = client.get("/?actor=ASEAN")
    html = response.content.decode()
    assert "1 launch in 2025." in text_of(response)
    assert "<h1>Missile launches and reactions, 2025</h1>" in html
    assert "2022" not in "".join(re.findall(r'<nav aria-label="Years".*?</nav>', html, re.S))
    assert 'href="?actor=ASEAN&amp;order=oldest"' in html
    everything = client.get("/?year=2024&missile_class=SRBM").content.decode()
    assert 'rel="prev" href="?year=2023&amp;missile_class=SRBM"' in everything
    assert 'rel="next" href="?year=2025&amp;missile_class=SRBM"' in everything


def test_the_timeline_offers_every_year_with_a_published_launch_and_no_other(client):
    for day in ("2019-06-01", "2021-01-01", "2021-12-31", "2023-12-31", "2024-01-01"):
        LaunchFactory(occurred_on=datetime.date.fromisoformat(day))
    LaunchFactory(
        occurred_on=datetime.date(2021, 1, 1), occurred_at=None, date_precision=DatePrecision.YEAR
    )
    LaunchFactory(occurred_on=datetime.date(2022, 5, 5), status=Status.DRAFT)
    LaunchFactory(occurred_on=datetime.date(2026, 5, 5), status=Status.REVIEW)
    assert Launch.objects.published_years() == [2024, 2023, 2021, 2019]
    assert Launch.objects.published().for_timeline_years() == [2024, 2023, 2021, 2019]
    html = client.get("/?year=2021&order=oldest").content.decode()
    menu = html[html.index('id="f-year"') : html.index("</select>", html.index('id="f-year"'))]
    assert re.findall(r'<option value="(\d+)"( selected)?>', menu) == [
        ("2024", ""),
        ("2023", ""),
        ("2021", " selected"),
        ("2019", ""),
    ]
    years = re.search(r'<nav aria-label="Years".*?</nav>', html, re.S).group()
    assert re.findall(r'<a href="([^"]+)"( aria-current="page")?>(\d+)</a>', years) == [
        ("?year=2024&amp;order=oldest", "", "2024"),
        ("?year=2023&amp;order=oldest", "", "2023"),
        ("?year=2021&amp;order=oldest", ' aria-current="page"', "2021"),
        ("?year=2019&amp;order=oldest", "", "2019"),
    ]
    Launch.objects.filter(occurred_on__year=2019).update(status=Status.DRAFT)
    assert Launch.objects.published_years() == [2024, 2023, 2021]


def test_the_timeline_filters_with_the_shared_filtersets(client, demo):
    by_stance = text_of(client.get("/?year=2025&stance=2"))
    assert "Russia: defends" in by_stance
    assert "1 launch in 2025." in by_stance
    by_kind = text_of(client.get("/?year=2025&event_kind=sanctions"))
    assert "7 Nov 2025, 12:35 KST" in by_kind
    html = client.get("/?year=2025&event_kind=sanctions").content.decode()
    assert 'class="entry entry-event kind-sanctions' in html
    assert 'class="entry entry-event kind-warning' not in html
    by_words = text_of(client.get("/?q=KN-23&year=2025"))
    assert "possibly KN-23" in by_words


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("year=abc", "Year (“abc”): Enter a whole number."),
        ("missile_class=ZZZ", "Missile class (“ZZZ”): Select a valid choice."),
        ("date_from=yesterday", "From (“yesterday”): Enter a valid date."),
        ("stance=7", "Stance (“7”): Ensure this value is less than or equal to 2."),
    ],
)
def test_invalid_filters_get_a_clear_message_not_an_error(client, query, message):
    LaunchFactory()
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    assert "Some filters could not be read" in text_of(response)
    assert message in text_of(response)
    assert client.get(f"/matrix/?{query}").status_code == 400


def test_uncertainty_looks_different(client):
    LaunchFactory(occurred_on=datetime.date(2024, 5, 1), occurred_at=None, confidence="suspected")
    EventFactory(
        title="Joint drills",
        start_date=datetime.date(2024, 5, 1),
        date_precision=DatePrecision.MONTH,
        kind=EventKind.EXERCISE,
    )
    html = client.get("/?year=2024").content.decode()
    assert '<span class="uncertain">time not reported</span>' in html
    assert 'class="launch-card confidence-suspected"' in html
    assert '<p class="badge confidence-suspected"><a' in html
    assert 'href="/methodology/#confidence-suspected">Suspected</a' in html
    assert "precision-month" in html
    assert 'May 2024 <span class="uncertain">(day unknown)</span>' in html


def test_the_launch_page_shows_claims_triggers_and_statements_by_stance(client, demo):
    text = text_of(client.get(SEED_LAUNCH))
    assert "We respect the legitimate right of our friends in North Korea" in text
    assert "Dmitry Peskov, Kremlin spokesman · Remarks · via RIA Novosti" in text
    assert "Reported speech: Urged Pyongyang to cease actions" in text
    assert "Distance about 700 km ~700 (JCS) 450 (preliminary)" in text
    assert "Site Taegwan, North Pyongan (40.22000°, 125.22000°)" in text
    assert "Where it was launched from" in text
    assert "Response to DPRK denounces US sanctions" in text
    assert "High confidence · source: North Korea fires suspected" in text
    assert "Who spoke, by day" in text
    assert "Russia — 7 Nov 2025 time not reported South Korea — 7 Nov 2025" in text
    assert text.index("Reactions") < text.index("Condemns (5)") < text.index("Defends (1)")
    assert text.index("Defends (1)") < text.index("Figures and who claimed them")
    html = client.get(SEED_LAUNCH).content.decode()
    assert f'Response to</span> <a href="{SANCTIONS_WARNING}' in html


def test_the_launch_page_shows_latency_original_text_and_coordinates(client):
    launch = LaunchFactory(
        occurred_at=datetime.datetime(2024, 3, 1, 1, 30, tzinfo=datetime.UTC),
        occurred_on=datetime.date(2024, 3, 1),
        site_latitude="39.01900",
        site_longitude="125.75300",
    )
    StatementFactory(
        launch=launch,
        issued_on=datetime.date(2024, 3, 1),
        issued_at=datetime.datetime(2024, 3, 1, 4, 40, tzinfo=datetime.UTC),
        original_text="Мы уважаем законное право",
        original_language="ru",
        speaker=SpeakerFactory(name="State Department"),
    )
    html = client.get(launch.get_absolute_url()).content.decode()
    assert "(+3 h 10 min after the launch)" in html
    assert '<p class="original" lang="ru">' in html
    assert "Мы уважаем законное право" in html
    assert "(39.01900°, 125.75300°)" in html


def test_the_event_and_actor_pages_link_back(client, demo):
    event = text_of(client.get(SANCTIONS_WARNING))
    assert "Short-range ballistic (SRBM) launch of 7 November 2025: response to this event" in event
    assert 'href="/launches/2025-11-07-srbm/"' in client.get(SANCTIONS_WARNING).content.decode()
    russia = client.get(reverse("reactions:actor", kwargs={"code": "ru"}))
    assert '<h1 dir="auto">Russia</h1>' in russia.content.decode()
    assert '<p class="official-name"><bdi>Russian Federation</bdi></p>' in russia.content.decode()
    assert "We respect the legitimate right" in text_of(russia)
    assert '<svg class="stance-chart"' in russia.content.decode()


def test_the_reactions_corpus_gives_the_actor_pages_and_charts_something_to_tell(client, demo):
    japan = text_of(client.get("/actors/JP/"))
    assert "Statements 29" in japan
    assert "Intercontinental ballistic (ICBM) launch, 31 Oct 2024 ✖ condemns" in japan
    charts = text_of(client.get("/charts/"))
    # Stance by actor and year: China's 2022 reactions were neutral (3) or supportive (4).
    assert re.search(r"China 2022 \S \S 3 4 \S", charts)
    # Latency: South Korea answered 25 of its 28 launches the same day, within 2 days at most.
    assert "South Korea 28 25 0 2" in charts


def test_the_actor_page_gives_the_median_response_latency(client):
    us = Actor.objects.get(code="US")
    for hours in (1, 2, 6):
        launch = LaunchFactory()
        StatementFactory(
            launch=launch,
            actor=us,
            issued_at=launch.occurred_at + datetime.timedelta(hours=hours),
        )
    text = text_of(client.get("/actors/US/"))
    assert "Statements 3" in text
    assert "Median response +2 h 0 min after the launch (over 3 statements" in text


def test_the_matrix_is_a_table_of_launches_by_actor_coloured_and_named_by_stance(client, demo):
    response = client.get("/matrix/?year=2025")
    html = response.content.decode()
    russia = '<a href="/actors/RU/" title="Russian Federation"><bdi>Russia</bdi></a>'
    assert f'<th scope="col">{russia}</th>' in html
    row = re.search(
        r'<tr>\s*<th scope="row"><a href="/launches/2025-11-07-srbm/">.*?</tr>', html, re.S
    )
    assert row
    assert 'class="stance-cell-2"' in row.group()
    assert "defends" in row.group()
    assert "condemns" in row.group()
    # 2022 has its reactions too: more than one launch has a filled cell.
    matrix_2022 = client.get("/matrix/?year=2022").content.decode()
    rows = re.findall(r'<tr>\s*<th scope="row">.*?</tr>', matrix_2022, re.S)
    assert sum('class="stance-cell' in row for row in rows) > 1


def test_search_finds_quotes_titles_and_names(client, demo):
    text = text_of(client.get("/search/?q=legitimate right"))
    assert "We respect the legitimate right" in text
    events = text_of(client.get("/search/?q=sanctions"))
    assert "DPRK denounces US sanctions" in events
    actors = text_of(client.get("/search/?q=Russia"))
    assert "Russian Federation" in actors
    assert "No statement matches." in text_of(client.get("/search/?q=zzzzzz"))


def test_the_chart_counts_launches_per_year_by_class_in_svg_without_styles(client, demo):
    html = client.get("/charts/").content.decode()
    assert '<svg class="bar-chart"' in html
    assert "style=" not in html
    rows = list(Launch.objects.for_chart())
    totals = [
        sum(row["count"] for row in rows if row["year"] == year) for year in range(2022, 2026)
    ]
    assert sum(totals) == Launch.objects.published().count()
    footer = "".join(f"<td>{total}</td>" for total in totals)
    assert f'<th scope="row">All launches</th>{footer}</tr>' in html


def test_drafts_are_never_shown(client):
    launch = LaunchFactory(status=Status.DRAFT)
    assert client.get(launch.get_absolute_url()).status_code == 404
    published = LaunchFactory()
    StatementFactory(launch=published, quote="A draft quote.", status=Status.DRAFT)
    assert "A draft quote." not in client.get(published.get_absolute_url()).content.decode()
    assert "A draft quote." not in client.get("/actors/US/").content.decode()
    assert "A draft quote." not in client.get("/search/?q=draft").content.decode()


def test_user_text_is_escaped_and_every_page_carries_a_strict_csp(client):
    statement = StatementFactory(
        quote='<script>alert(1)</script><img src=x onerror="alert(2)">',
        quote_kind=QuoteKind.VERBATIM,
    )
    launch = statement.launch
    for url in [
        launch.get_absolute_url(),
        f"/?year={launch.occurred_on.year}",
        "/actors/US/",
        "/search/?q=alert",
        f"/matrix/?year={launch.occurred_on.year}",
    ]:
        response = client.get(url)
        html = response.content.decode()
        assert "<script>alert(1)" not in html
        assert "<img src=x" not in html
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "style=" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=" in (
        client.get(launch.get_absolute_url()).content.decode()
    )


def bulk_seed(count, *, prefix):
    """`count` published launches spread over 2021 to 2024, each with two statements, a claim
    and a link to one shared event, each citing a further source; written with bulk_create to
    keep the test quick."""
    us, russia = Actor.objects.get(code="US"), Actor.objects.get(code="RU")
    source, further = SourceFactory(), SourceFactory()
    event = Event.objects.filter(slug="shared").first() or EventFactory(
        slug="shared", start_date=datetime.date(2021, 1, 1)
    )
    start = datetime.datetime(2021, 1, 1, 1, 30, tzinfo=datetime.UTC)
    step = datetime.timedelta(days=1460) / count
    launches = []
    for n in range(count):
        at = start + step * n
        launches.append(
            Launch(
                slug=f"{prefix}-{n}",
                occurred_on=(at + datetime.timedelta(hours=9)).date(),
                occurred_at=at,
                sort_at=at,
                missile_class=["SRBM", "ICBM", "cruise"][n % 3],
                missile_count=1,
                distance_km=500,
                status=Status.PUBLISHED,
            )
        )
    launches = Launch.objects.bulk_create(launches)
    LaunchFacts.objects.refresh()
    Statement.objects.bulk_create(
        Statement(
            launch=launch,
            actor=actor,
            issued_on=launch.occurred_at.date(),
            issued_at=launch.occurred_at + datetime.timedelta(hours=2),
            quote=f"{actor.code} on {launch.slug}: we condemn this launch.",
            stance=stance,
            source=source,
            status=Status.PUBLISHED,
        )
        for launch in launches
        for actor, stance in ((us, Stance.CONDEMNS), (russia, Stance.DEFENDS))
    )
    claims = LaunchClaim.objects.bulk_create(
        LaunchClaim(
            launch=launch, attribute="distance", value_text="~500", claimant="JCS", source=source
        )
        for launch in launches
    )
    links = Link.objects.bulk_create(
        Link(
            launch=launch,
            event=event,
            relation=Relation.RESPONSE_TO,
            rationale="Reported as a response.",
            source=source,
            status=Status.PUBLISHED,
        )
        for launch in launches
    )
    statements = Statement.objects.filter(launch__in=launches)
    for model, records in ((Statement, statements), (LaunchClaim, claims), (Link, links)):
        through = model.further_sources.through
        owner = f"{model._meta.model_name}_id"
        through.objects.bulk_create(
            through(**{owner: record.pk, "source_id": further.pk}) for record in records
        )


PAGES = [
    "/",
    "/?year=2022&actor=RU&order=newest",
    "/launches/few-0/",
    "/events/shared/",
    "/actors/RU/",
    "/matrix/",
    "/matrix/?year=2022",
    "/search/?q=condemn",
    "/charts/",
    "/feeds/launches/",
    "/feeds/statements/",
    "/actors/US/feed/",
]


def count_queries(client, url):
    for store in caches.all():  # no cached fragment of a page either: each is rendered
        store.clear()
    local_pieces.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_page_queries_do_not_grow_with_the_data(client):
    bulk_seed(10, prefix="few")
    for url in PAGES:  # warm the caches that fill once per process (content types…)
        client.get(url)
    few = {url: count_queries(client, url) for url in PAGES}
    bulk_seed(490, prefix="many")
    assert Launch.objects.count() == 500
    assert Statement.objects.count() == 1000
    many = {url: count_queries(client, url) for url in PAGES}
    assert few == many
    # The launch page's 12: its statements, claims and links read their further sources in
    # one query each.
    assert max(many.values()) <= 12, many
