"""The draft-visibility probe: no public door shows anything of a draft.

A draft launch carries a marker in every text field; a draft statement (marker in its quote)
hangs from a published launch; a draft event with a marker title is tied to it by a draft
link; a source and a speaker exist only for the drafts, and so does a further source that
the draft statement, link and claim cite besides their first. Anonymous readers then go through
every public door — pages, API lists and details, CSV, feeds, search, stats, the timeline,
deletions, webhook payloads, ETags and the data version, a cache warmed by an editor — and
each must answer exactly as it did before the drafts existed, and never show the marker.
"""

import contextlib
import datetime
import json

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from editorial.models import Status
from editorial.services import TransitionRefused, record_transition
from reactions.models import Actor
from timeline.models import LaunchClaim
from timeline.services import launch_update
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

pytestmark = pytest.mark.django_db

MARKER = "zqxdraftmarker"
SLUGS = {
    "launch": f"2025-11-09-{MARKER}",
    "event": f"2025-11-08-{MARKER}-talks",
}
YEAR = 2025
DATA_FILES = [
    "datapackage.json",
    "salvo-data.json",
    "salvo-data.zip",
    "launches.csv",
    "claims.csv",
    "events.csv",
    "links.csv",
    "statements.csv",
    "actors.csv",
    "speakers.csv",
    "sources.csv",
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def published():
    """The public record: two launches, a statement with its speaker, an event and its link."""
    first = LaunchFactory(
        slug="2025-11-07-srbm",
        occurred_on=datetime.date(2025, 11, 7),
        launch_site="Sunan",
        site_latitude=39.22,
        site_longitude=125.67,
        missile_name="Hwasong-11",
        summary="One SRBM toward the East Sea.",
    )
    later = LaunchFactory(slug="2025-11-20-srbm", occurred_on=datetime.date(2025, 11, 20))
    ClaimFactory(launch=first)
    StatementFactory(
        launch=first,
        quote="We condemn the launch.",
        speaker=SpeakerFactory(name="Press secretary"),
        issued_at=datetime.datetime(2025, 11, 7, 6, 0, tzinfo=datetime.UTC),
    )
    # Every feed has an entry: an empty feed says it was updated now, whatever happened.
    StatementFactory(launch=later, actor=Actor.objects.get(code="RU"), quote="Legitimate.")
    link = LinkFactory(
        launch=first,
        event=EventFactory(slug="2025-11-04-sanctions", start_date=datetime.date(2025, 11, 4)),
    )
    return {
        "launch": first,
        "later": later,
        "link": link,
        "statement": first.statements.get(),
    }


def make_drafts(published):
    """The drafts, each carrying the marker wherever it has text."""
    source = SourceFactory(
        url=f"https://news.example/{MARKER}",
        title=f"{MARKER} source",
        publisher=f"{MARKER}.example",
    )
    marked = {
        name: f"{MARKER} {name}"
        for name in (
            "time_note",
            "count_note",
            "missile_type_label",
            "missile_name",
            "launch_site",
            "direction",
            "outcome_note",
            "reporting_authority",
            "summary",
            "notes",
        )
    }
    launch = LaunchFactory(
        slug=SLUGS["launch"],
        occurred_on=datetime.date(2025, 11, 9),
        missile_class="ICBM",
        status=Status.DRAFT,
        external_id=MARKER,
        site_latitude=40.5,
        site_longitude=129.5,
        **marked,
    )
    further = SourceFactory(
        url=f"https://further.example/{MARKER}",
        title=f"{MARKER} further source",
        publisher=f"{MARKER} further",
    )
    launch.sources.add(source)
    ClaimFactory(
        launch=launch,
        value_text=f"{MARKER} km",
        claimant=f"{MARKER} JCS",
        note=MARKER,
        value=900,
        source=source,
    ).further_sources.add(further)
    speaker = SpeakerFactory(
        actor=Actor.objects.get(code="RU"), name=f"{MARKER} speaker", role=MARKER
    )
    statement = StatementFactory(
        launch=published["launch"],
        actor=Actor.objects.get(code="RU"),
        speaker=speaker,
        quote=f"{MARKER} quote",
        original_text=f"{MARKER} original",
        summary=f"{MARKER} summary",
        via=f"{MARKER} via",
        source=source,
        status=Status.DRAFT,
        stance=2,
    )
    on_draft = StatementFactory(
        launch=launch, quote=f"{MARKER} on the draft launch", source=source, status=Status.DRAFT
    )
    event = EventFactory(
        slug=SLUGS["event"],
        title=f"{MARKER} talks",
        start_date=datetime.date(2025, 11, 8),
        kind_label=MARKER,
        date_note=MARKER,
        location=MARKER,
        participants=MARKER,
        description=MARKER,
        status=Status.DRAFT,
    )
    event.sources.add(source)
    link = LinkFactory(
        launch=published["launch"],
        event=event,
        rationale=f"{MARKER} rationale",
        source=source,
        status=Status.DRAFT,
    )
    for record in (statement, link):
        record.further_sources.add(further)
    return {
        "launch": launch,
        "statement": statement,
        "on_draft": on_draft,
        "event": event,
        "link": link,
        "source": source,
        "further": further,
        "speaker": speaker,
    }


def public_doors(published):
    """Every address an anonymous reader may ask, published records included."""
    launch, statement = published["launch"], published["statement"]
    return [
        "/",
        f"/?year={YEAR}",
        f"/?year={YEAR}&order=newest",
        f"/?year={YEAR}&actor=RU",
        f"/?year={YEAR}&stance=2",
        f"/?year={YEAR}&missile_class=ICBM",
        launch.get_absolute_url(),
        published["later"].get_absolute_url(),
        published["link"].event.get_absolute_url(),
        "/actors/US/",
        "/actors/RU/",
        f"/matrix/?year={YEAR}",
        "/charts/",
        "/map/",
        "/?site=39.22,125.67",
        "/feeds/launches/",
        "/feeds/statements/",
        "/actors/US/feed/",
        "/actors/RU/feed/",
        "/api/v1/launches/",
        "/api/v1/launches/?expand=statements,links",
        "/api/v1/launches/?ordering=-sort_at",
        f"/api/v1/launches/?year={YEAR}&stance=2",
        "/api/v1/launches/?missile_class=ICBM",
        f"/api/v1/launches/{launch.slug}/?expand=statements,links",
        f"/api/v1/launches/{published['later'].slug}/",
        "/api/v1/claims/",
        "/api/v1/events/",
        f"/api/v1/events/{published['link'].event.slug}/",
        "/api/v1/links/",
        f"/api/v1/links/{published['link'].pk}/",
        "/api/v1/sources/",
        "/api/v1/speakers/",
        "/api/v1/speakers/?actor=RU",
        "/api/v1/statements/",
        "/api/v1/statements/?actor=RU",
        "/api/v1/statements/?ordering=stance",
        f"/api/v1/statements/{statement.pk}/",
        "/api/v1/timeline/",
        f"/api/v1/timeline/?year={YEAR}",
        "/api/v1/stats/",
        "/api/v1/sites/",
        "/api/v1/launches/?site=39.22,125.67",
        "/api/v1/deletions/?since=2000-01-01T00:00:00Z",
        "/api/v1/launches/?format=csv",
        "/api/v1/launches/?format=csv&expand=statements,links",
        f"/api/v1/launches/{launch.slug}/?format=csv&expand=statements,links",
        "/api/v1/claims/?format=csv",
        "/api/v1/events/?format=csv",
        "/api/v1/links/?format=csv",
        "/api/v1/sources/?format=csv",
        "/api/v1/speakers/?format=csv",
        "/api/v1/statements/?format=csv",
        "/actors/",
        "/actors/?region=europe",
        "/actors/?stance=2",
        "/actors/?region=europe&stance=-2",
        "/events/",
        f"/events/?year={YEAR}",
        "/events/?kind=talks",
        f"/speakers/{statement.speaker_id}/",
        f"/sources/{statement.source_id}/",
        f"/sources/{published['link'].source_id}/",
        "/data/",
        *(f"/data/{name}" for name in DATA_FILES),
        "/embed/",
        f"/embed/?year={YEAR}",
        f"/embed/?year={YEAR}&actor=RU",
        f"/embed/?year={YEAR}&missile_class=ICBM",
        f"/oembed?url=http://testserver/?year={YEAR}",
        f"/statements/{statement.pk}/",
        "/methodology/",
        "/sitemap.xml",
        "/robots.txt",
    ]


def draft_addresses(drafts):
    """Where the drafts would be if they were public: each must be a 404 for a reader."""
    launch, event = drafts["launch"], drafts["event"]
    claim = LaunchClaim.objects.get(launch=launch)
    return [
        launch.get_absolute_url(),
        event.get_absolute_url(),
        f"/api/v1/launches/{launch.slug}/",
        f"/api/v1/launches/{launch.slug}/?format=csv",
        f"/api/v1/events/{event.slug}/",
        f"/api/v1/links/{drafts['link'].pk}/",
        f"/api/v1/statements/{drafts['statement'].pk}/",
        f"/api/v1/statements/{drafts['on_draft'].pk}/",
        f"/api/v1/claims/{claim.pk}/",
        f"/api/v1/sources/{drafts['source'].pk}/",
        f"/api/v1/speakers/{drafts['speaker'].pk}/",
        f"/speakers/{drafts['speaker'].pk}/",
        f"/sources/{drafts['source'].pk}/",
        f"/api/v1/sources/{drafts['further'].pk}/",
        f"/sources/{drafts['further'].pk}/",
        f"/statements/{drafts['statement'].pk}/",
        f"/statements/{drafts['on_draft'].pk}/",
    ]


def searches():
    """Searches for the marker, each with the same search for a word found nowhere."""
    return [
        ("/search/?q={}", "search"),
        ("/search/?q={}&kind=statements", "search statements"),
        ("/search/?q={}&kind=speakers", "search speakers"),
        ("/search/?q={}&kind=events&page=2", "search events, page 2"),
        ("/?q={}", "timeline"),
        ("/events/?q={}", "event index"),
        ("/embed/?q={}", "embed"),
        ("/api/v1/launches/?q={}", "launches"),
        ("/api/v1/events/?q={}", "events"),
        ("/api/v1/statements/?q={}", "statements"),
        ("/api/v1/sources/?q={}", "sources"),
        ("/api/v1/speakers/?q={}", "speakers"),
        # The launch list reads no `launch` (a 400): claims are filtered by a launch's slug.
        ("/api/v1/claims/?launch={}", "launch slug"),
        (f"/api/v1/statements/?launch={SLUGS['launch']}&q={{}}", "statements by slug"),
        (f"/api/v1/links/?event={SLUGS['event']}&relation=response_to&launch={{}}", "links"),
    ]


NOWHERE = "qzxnowhereword"  # as long as the marker: the pages echo it in the same places


def snapshot(client, paths):
    return {
        path: (response.status_code, response.content)
        for path in paths
        for response in [client.get(path)]
    }


def leaks(responses):
    """The addresses whose answers mention the marker or a draft's slug."""
    needles = [MARKER.encode(), *(slug.encode() for slug in SLUGS.values())]
    return sorted(path for path, (_, body) in responses.items() if any(n in body for n in needles))


def differences(before, after):
    return sorted(path for path in before if before[path] != after[path])


def test_every_public_door_answers_as_if_the_drafts_did_not_exist(client, published):
    paths = public_doors(published)
    before = snapshot(client, paths)
    assert {status for status, _ in before.values()} == {200}, [
        path for path, (status, _) in before.items() if status != 200
    ]
    drafts = make_drafts(published)
    after = snapshot(client, paths)
    leaked, changed = leaks(after), differences(before, after)
    assert (leaked, changed) == ([], []), "(where the marker shows, where answers differ)"
    for path in draft_addresses(drafts):
        assert client.get(path).status_code == 404, path


def test_searching_for_the_marker_finds_nothing(client, published):
    make_drafts(published)
    for template, name in searches():
        found = client.get(template.format(MARKER))
        nowhere = client.get(template.format(NOWHERE))
        assert found.status_code == nowhere.status_code == 200, name
        assert found.content.replace(MARKER.encode(), NOWHERE.encode()) == nowhere.content, name


def test_what_an_editor_saw_first_is_never_served_to_a_reader(client, published, settings):
    settings.PUBLIC_CACHE_SECONDS = 600
    drafts = make_drafts(published)
    paths = public_doors(published)
    editor = UserFactory(username="editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editor"))
    signed_in = APIClient()
    signed_in.force_login(editor)
    with_token = APIClient()
    with_token.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    for visitor in (signed_in, with_token):
        seen = snapshot(visitor, [*paths, *draft_addresses(drafts)])
        # The editor does see the drafts: the probe is looking at the right thing.
        assert leaks(seen)
    after_the_editor = snapshot(client, paths)
    cache.clear()
    cold = snapshot(client, paths)
    assert [path for path in paths if after_the_editor[path] != cold[path]] == []
    for path in draft_addresses(drafts):
        assert client.get(path).status_code == 404, path


def conditional_state(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response["ETag"], response.get("X-Data-Version")


def test_saving_a_draft_changes_no_etag_or_data_version(
    client, published, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_CACHE_SECONDS = 600
    drafts = make_drafts(published)
    paths = ["/", f"/?year={YEAR}", "/api/v1/launches/", "/api/v1/statements/", "/api/v1/stats/"]
    before = {path: conditional_state(client, path) for path in paths}
    with django_capture_on_commit_callbacks(execute=True):
        launch_update(launch=drafts["launch"], summary=f"{MARKER} second thoughts")
    with django_capture_on_commit_callbacks(execute=True):
        StatementFactory(launch=published["launch"], quote=MARKER, status=Status.DRAFT)
    after = {path: conditional_state(client, path) for path in paths}
    assert after == before
    for path, (etag, _) in before.items():
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304, path


def test_deleting_drafts_leaves_the_deletions_feed_as_it_was(client, published):
    drafts = make_drafts(published)
    path = "/api/v1/deletions/?since=2000-01-01T00:00:00Z"
    before = client.get(path).content
    for name in ("statement", "on_draft", "link", "launch", "event", "speaker", "source"):
        drafts[name].delete()
    assert client.get(path).content == before


@pytest.fixture
def subscribed():
    return Subscription.objects.create(
        name="Newsroom", target_url="https://hooks.example/salvo", event_types=EventType.values
    )


def test_webhook_payloads_carry_nothing_of_a_draft(published, subscribed):
    drafts = make_drafts(published)
    editor = UserFactory(username="editor")
    editor.groups.add(Group.objects.get(name="Editor"))
    # A statement on the draft launch, with the draft-only speaker and source.
    on_draft = StatementFactory(
        launch=drafts["launch"],
        actor=drafts["speaker"].actor,
        speaker=drafts["speaker"],
        source=drafts["source"],
        quote="Seoul condemns the launch.",
        status=Status.DRAFT,
    )
    # A link to the draft event, and a launch published after the draft one.
    link = LinkFactory(launch=published["later"], event=drafts["event"], status=Status.DRAFT)
    later = LaunchFactory(slug="2025-11-21-srbm", occurred_on=datetime.date(2025, 11, 21))
    later.status = Status.DRAFT
    later.save(update_fields=["status"])
    for record in (on_draft, link, later, published["statement"]):
        # Refusing to publish under a draft is as good as publishing without naming it.
        with contextlib.suppress(TransitionRefused):
            record_transition(instance=record, status=Status.PUBLISHED, user=editor)
    launch_update(launch=published["later"], summary="Revised figures.")
    deliveries = Delivery.objects.order_by("id")
    assert deliveries, "nothing was announced: the probe saw nothing"
    needles = [MARKER, *SLUGS.values()]
    leaked = [
        (delivery.event_type, [n for n in needles if n in json.dumps(delivery.payload)])
        for delivery in deliveries
    ]
    assert not [leak for leak in leaked if leak[1]], leaked


def test_a_change_log_shows_nothing_of_the_drafts_before_publication(client, published):
    """A record written as a draft with the marker, cleaned and then published: its page, its
    change log, its citation and the sitemap show the publication and nothing before it."""
    editor = UserFactory(username="editor")
    editor.groups.add(Group.objects.get(name="Editor"))
    drafts = make_drafts(published)
    launch = drafts["launch"]
    clean = dict.fromkeys(("time_note", "count_note", "missile_type_label"), "")
    clean |= dict.fromkeys(("missile_name", "launch_site", "direction", "outcome_note"), "")
    launch_update(
        launch=launch,
        user=editor,
        reporting_authority="JCS",
        summary="Cleaned.",
        notes="",
        external_id=None,
        **clean,
    )
    launch.sources.clear()
    LaunchClaim.objects.filter(launch=launch).delete()
    drafts["on_draft"].delete()
    record_transition(instance=launch, status=Status.PUBLISHED, user=editor)
    statement = drafts["statement"]
    statement.speaker = None
    statement.source = published["statement"].source
    statement.further_sources.clear()
    for name in ("quote", "original_text", "summary", "via"):
        setattr(statement, name, "Cleaned." if name == "quote" else "")
    statement.save()
    record_transition(instance=statement, status=Status.PUBLISHED, user=editor)
    paths = [launch.get_absolute_url(), f"/statements/{statement.pk}/", "/sitemap.xml"]
    responses = snapshot(client, paths)
    assert {status for status, _ in responses.values()} == {200}
    page = responses[launch.get_absolute_url()][1].decode()
    assert "— Published</li>" in page
    assert "Changed:" not in page
    # The slug, now public, carries the marker by construction: everything else must not.
    bodies = {p: body.replace(SLUGS["launch"].encode(), b"") for p, (_, body) in responses.items()}
    assert [p for p, body in bodies.items() if MARKER.encode() in body] == []
