"""What the pages and the API share: one search, one order of launches and events."""

import datetime
import re

import pytest

from .factories import EventFactory, LaunchFactory

pytestmark = pytest.mark.django_db


def launch_slugs(response):
    return re.findall(r'href="/launches/([^/"#]+)/"', response.content.decode())


def entries(response):
    """The slugs of the timeline's entries, in the order the page lists them."""
    return re.findall(
        r'<h3 id="launch-\d+"><a href="/launches/([^/"]+)/"|'
        r'<p class="event-title"><a href="/events/([^/"]+)/"',
        response.content.decode(),
    )


def test_the_timeline_page_the_api_and_the_search_page_find_the_same_launches(client):
    found = LaunchFactory(
        slug="2024-03-05-srbm",
        occurred_on=datetime.date(2024, 3, 5),
        missile_name="Hwasong-11",
        launch_site="Sunan, Pyongyang",
    )
    LaunchFactory(occurred_on=datetime.date(2024, 3, 6), missile_name="Hwasong-11")
    LaunchFactory(occurred_on=datetime.date(2024, 3, 7), launch_site="Sunan")
    query = {"q": "Hwasong-11 Sunan"}

    search_page = client.get("/search/", query)
    timeline_page = client.get("/", query)
    api = client.get("/api/v1/launches/", query)

    assert search_page.status_code == timeline_page.status_code == api.status_code == 200
    assert set(launch_slugs(search_page)) == {found.slug}
    assert set(launch_slugs(timeline_page)) == {found.slug}
    assert [launch["slug"] for launch in api.json()["results"]] == [found.slug]


def test_the_timeline_page_merges_launches_and_events_in_the_api_order(client):
    # 07:00 in Seoul on 5 March is 22:00 UTC on 4 March: before an event of 5 March.
    launch = LaunchFactory(
        slug="2024-03-05-srbm",
        occurred_on=datetime.date(2024, 3, 5),
        occurred_at=datetime.datetime(2024, 3, 4, 22, 0, tzinfo=datetime.UTC),
    )
    same_day = EventFactory(slug="sanctions", start_date=datetime.date(2024, 3, 5))
    day_only = LaunchFactory(
        slug="2024-03-05-cruise", occurred_on=datetime.date(2024, 3, 5), occurred_at=None
    )
    expected = [launch.slug, same_day.slug, day_only.slug]

    api = client.get("/api/v1/timeline/", {"year": 2024}).json()["results"]
    page = entries(client.get("/", {"year": 2024, "order": "oldest"}))
    newest = entries(client.get("/", {"year": 2024}))

    assert [entry["slug"] for entry in api] == expected
    assert ["".join(match) for match in page] == expected
    assert ["".join(match) for match in newest] == expected[::-1]
