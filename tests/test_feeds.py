"""Atom feeds of launches, statements, and one actor's statements."""

import datetime
from xml.etree import ElementTree

import pytest

from editorial.models import Status
from reactions.models import Actor, Speaker, Statement
from timeline.models import Launch

from .factories import LaunchFactory, SpeakerFactory, StatementFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    return feed, feed.findall(f"{ATOM}entry")


def test_the_launch_feed_lists_published_launches_latest_first(client):
    LaunchFactory(occurred_on=datetime.date(2024, 3, 1), missile_name="Hwasong-11")
    latest = LaunchFactory(
        occurred_on=datetime.date(2024, 5, 1), summary="Two missiles <b>east</b>."
    )
    LaunchFactory(occurred_on=datetime.date(2024, 6, 1), status=Status.DRAFT)
    feed, items = entries(client, "/feeds/launches/")
    assert feed.find(f"{ATOM}title").text == "Salvo: missile launches"
    assert [item.find(f"{ATOM}title").text for item in items] == [
        "Short-range ballistic (SRBM) launch, 1 May 2024",
        "Short-range ballistic (SRBM) launch, 1 March 2024 (Hwasong-11)",
    ]
    # A summary is read as HTML by feed readers: markup an analyst typed arrives escaped.
    assert items[0].find(f"{ATOM}summary").text == "Two missiles &lt;b&gt;east&lt;/b&gt;."
    assert items[0].find(f"{ATOM}link").get("href") == f"http://testserver/launches/{latest.slug}/"


def test_the_statement_feed_escapes_quotes_and_skips_drafts(client):
    StatementFactory(quote="<script>alert(1)</script> We condemn it.")
    StatementFactory(quote="Not yet reviewed.", status=Status.DRAFT)
    _, items = entries(client, "/feeds/statements/")
    assert len(items) == 1
    title = items[0].find(f"{ATOM}title").text
    assert title.startswith("United States condemns the Short-range ballistic (SRBM) launch of")
    summary = items[0].find(f"{ATOM}summary").text
    assert summary == "“&lt;script&gt;alert(1)&lt;/script&gt; We condemn it.”"
    assert items[0].find(f"{ATOM}author/{ATOM}name").text == "United States"


def test_an_actor_feed_carries_only_that_actors_statements(client):
    russia = Actor.objects.get(code="RU")
    StatementFactory(actor=russia, stance=2, quote="A legitimate right.")
    StatementFactory(quote="We condemn it.")
    feed, items = entries(client, "/actors/ru/feed/")
    assert feed.find(f"{ATOM}title").text == "Salvo: statements by Russia"
    assert [item.find(f"{ATOM}summary").text for item in items] == ["“A legitimate right.”"]
    assert client.get("/actors/XX/feed/").status_code == 404


# Stored before every writer refused them: C0 controls that XML 1.0 cannot carry, DEL and a
# C1 control, and the noncharacters U+FFFE and U+FFFF.
NOT_TEXT = "\x01\x0b\x0c\x1b\x7f\x85\ufffe\uffff"


def test_every_feed_stays_valid_xml_around_characters_stored_before_the_rule(client):
    russia = Actor.objects.get(code="RU")
    launch = LaunchFactory(occurred_on=datetime.date(2024, 3, 1))
    statement = StatementFactory(
        launch=launch, actor=russia, speaker=SpeakerFactory(actor=russia, name="Peskov")
    )
    # .update() writes past the validators, as rows stored before the rule were written.
    Launch.objects.filter(pk=launch.pk).update(
        missile_name=f"Hwasong{NOT_TEXT}-11", summary=f"Two{NOT_TEXT} missiles."
    )
    Statement.objects.filter(pk=statement.pk).update(quote=f"We{NOT_TEXT} object.")
    Speaker.objects.filter(pk=statement.speaker_id).update(name=f"Pes{NOT_TEXT}kov")
    Actor.objects.filter(pk=russia.pk).update(
        name=f"Russian{NOT_TEXT} Federation", short_name=f"Rus{NOT_TEXT}sia"
    )
    _, (item,) = entries(client, "/feeds/launches/")
    assert (item.find(f"{ATOM}title").text, item.find(f"{ATOM}summary").text) == (
        "Short-range ballistic (SRBM) launch, 1 March 2024 (Hwasong-11)",
        "Two missiles.",
    )
    for url in ("/feeds/statements/", "/actors/ru/feed/"):
        feed, (item,) = entries(client, url)
        assert item.find(f"{ATOM}summary").text == "“We object.” — Peskov"
        assert item.find(f"{ATOM}author/{ATOM}name").text == "Russia"
        assert item.find(f"{ATOM}title").text.startswith("Russia condemns the Short-range")
    assert feed.find(f"{ATOM}title").text == "Salvo: statements by Russia"


@pytest.mark.parametrize(
    ("stance", "verb"),
    [
        (-2, "condemns"),
        (-1, "voices concern over"),
        (0, "comments on"),
        (1, "supports"),
        (2, "defends"),
    ],
)
def test_a_statement_title_is_a_sentence_for_every_stance(client, stance, verb):
    eu = Actor.objects.get(code="EU")
    StatementFactory(actor=eu, stance=stance, launch__occurred_on=datetime.date(2024, 3, 1))
    _, (item,) = entries(client, "/feeds/statements/")
    assert item.find(f"{ATOM}title").text == (
        f"EU {verb} the Short-range ballistic (SRBM) launch of 1 March 2024"
    )


def test_entries_are_dated_by_the_record_not_by_its_import(client):
    timed = LaunchFactory(
        occurred_on=datetime.date(2024, 3, 1),
        occurred_at=datetime.datetime(2024, 2, 29, 23, 10, tzinfo=datetime.UTC),
    )
    LaunchFactory(occurred_on=datetime.date(2024, 5, 1), occurred_at=None)
    StatementFactory(launch=timed, issued_on=datetime.date(2024, 3, 2), issued_at=None)
    _, items = entries(client, "/feeds/launches/")
    assert [item.find(f"{ATOM}published").text for item in items] == [
        "2024-05-01T00:00:00+09:00",
        "2024-02-29T23:10:00+00:00",
    ]
    _, (item,) = entries(client, "/feeds/statements/")
    assert item.find(f"{ATOM}published").text == "2024-03-02T00:00:00+00:00"
