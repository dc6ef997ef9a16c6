"""The server-rendered pages readers start from: the timeline, a launch, an event, an actor."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reactions.models import Actor
from timeline.models import Launch, Status

from .factories import LaunchFactory, LinkFactory, StatementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    from django.core.management import call_command

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_timeline_tells_the_seed_story(client, demo):
    html = client.get("/?year=2025").content.decode()
    assert "7 Nov 2025, 12:35 KST" in html
    assert "(03:35 UTC)" in html
    assert "(just past noon)" in html
    assert "6th ballistic missile launch of 2025" in html
    assert "16 days after the SRBM launch of 22 Oct 2025" in html
    assert "United States: condemns" in html
    assert "Russia: defends" in html
    assert "South Korea: condemns" in html
    assert "Response to <a" in html


def test_the_launch_page_shows_each_statement_with_speaker_channel_and_source(client, demo):
    html = client.get("/launches/2025-11-07-srbm/").content.decode()
    assert "We respect the legitimate right of our friends in North Korea" in html
    assert "Dmitry Peskov, Kremlin spokesman · Remarks · via RIA Novosti" in html
    assert "Reported speech: Urged Pyongyang to cease actions" in html
    assert "Distance (km): ~700 (JCS)" in html
    assert 'Response to <a href="/events/2025-11-06-dprk-denounces-us-sanctions' in html


def test_the_event_and_actor_pages_link_back(client, demo):
    event = client.get(
        "/events/2025-11-06-dprk-denounces-us-sanctions-vows-proper-measures/"
    ).content.decode()
    assert 'href="/launches/2025-11-07-srbm/"' in event
    russia = client.get(reverse("reactions:actor", kwargs={"code": "ru"})).content.decode()
    assert "<h1>Russian Federation</h1>" in russia
    assert "We respect the legitimate right" in russia


def test_drafts_are_never_shown(client):
    launch = LaunchFactory(status=Status.DRAFT)
    assert client.get(launch.get_absolute_url()).status_code == 404
    published = LaunchFactory()
    StatementFactory(launch=published, quote="A draft quote.", status=Status.DRAFT)
    assert "A draft quote." not in client.get(published.get_absolute_url()).content.decode()


def test_user_text_is_escaped_and_the_page_carries_a_strict_csp(client):
    statement = StatementFactory(quote='<script>alert(1)</script><img src=x onerror="alert(2)">')
    response = client.get(statement.launch.get_absolute_url())
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=" in html
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy


def seed(count):
    russia = Actor.objects.get(code="RU")
    start = datetime.date(2021, 1, 1)
    for day in range(count):
        launch = LaunchFactory(occurred_on=start + datetime.timedelta(days=day % 360))
        StatementFactory(launch=launch)
        StatementFactory(launch=launch, actor=russia, stance=2)
        LinkFactory(launch=launch)


@pytest.mark.parametrize("path", ["/?year=2021", "/launches/{slug}/", "/actors/RU/"])
def test_page_queries_do_not_grow_with_the_data(client, path):
    seed(3)
    url = path.format(slug=Launch.objects.first().slug)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    seed(60)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(few) == len(many) <= 8
