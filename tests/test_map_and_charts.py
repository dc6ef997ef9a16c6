"""The map of launch sites (page, launch page, GeoJSON, the timeline's site filter) and the
charts page's counts."""

import datetime
import re
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from editorial.models import Status
from explore import geography
from explore.charts import first_reaction_delays, launches_per_month, stances_per_actor
from reactions.models import Actor, Statement
from tests.factories import LaunchFactory, StatementFactory
from tests.paths import ROOT
from timeline.models import Launch

pytestmark = pytest.mark.django_db

SUNAN = {"site_latitude": Decimal("39.22"), "site_longitude": Decimal("125.67")}
SINPO = {"site_latitude": Decimal("40.03"), "site_longitude": Decimal("128.19")}


@pytest.fixture
def sites():
    """Three launches from Sunan (under two names), one from Sinpo, one without coordinates,
    and a draft from a site of its own."""
    for day in (3, 9):
        LaunchFactory(occurred_on=datetime.date(2024, 5, day), launch_site="Sunan", **SUNAN)
    LaunchFactory(occurred_on=datetime.date(2025, 1, 2), launch_site="Sunan area", **SUNAN)
    LaunchFactory(occurred_on=datetime.date(2024, 6, 1), launch_site="Sinpo", **SINPO)
    LaunchFactory(occurred_on=datetime.date(2024, 7, 1), launch_site="inland area")
    LaunchFactory(
        occurred_on=datetime.date(2024, 8, 1),
        launch_site="Draftsite",
        site_latitude=Decimal("41.5"),
        site_longitude=Decimal("129.5"),
        status=Status.DRAFT,
    )


def circles(html):
    """(href, cx, cy, r, title) of each site drawn on a map page."""
    pattern = re.compile(
        r'<a href="([^"]+)"\s+aria-label="[^"]+">\s*<circle class="site" cx="([\d.]+)" '
        r'cy="([\d.]+)" r="([\d.]+)">\s*<title>([^<]+)</title>'
    )
    return [(h, float(x), float(y), float(r), t) for h, x, y, r, t in pattern.findall(html)]


def test_the_map_draws_each_site_sized_by_its_launches_and_linked_to_its_timeline(client, sites):
    html = client.get("/map/").content.decode()
    drawn = circles(html)
    assert [(href, title.split(",")[0]) for href, *_, title in drawn] == [
        ("/?site=39.22%2C125.67", "Sunan: 3 launches"),
        ("/?site=40.03%2C128.19", "Sinpo: 1 launch"),
    ]
    (_, x, y, big, _), (*_, small, _) = drawn
    assert big > small
    # The area, not the radius, grows with the count: three launches, about three times it.
    assert (big - 3) ** 2 == pytest.approx(3 * (small - 3) ** 2, rel=0.05)
    assert (x, y) == tuple(geography.project(125.67, 39.22).__dict__.values())
    assert re.search(r'<image href="/static/map/korea(\.[0-9a-f]+)?\.svg"', html)
    assert "Natural Earth" in html
    assert "Draftsite" not in html
    assert "41.5" not in html
    # The text fallback: every site with its other names, linked the same way.
    assert '<a href="/?site=39.22%2C125.67"><bdi>Sunan</bdi></a>' in html
    assert "also reported as\n          <bdi>Sunan area</bdi>" in html


def test_a_sites_link_opens_the_timeline_of_its_launches_only(client, sites):
    def slugs(**fields):
        return set(Launch.objects.filter(**fields).values_list("slug", flat=True))

    html = client.get("/?site=39.22%2C125.67&year=2024").content.decode()
    assert re.search(r'class="count"[^>]*>2\s+launches in 2024', html)
    for slug in slugs(launch_site="Sunan"):
        assert f'href="/launches/{slug}/"' in html
    for slug in slugs(launch_site__in=["Sinpo", "inland area"]):
        assert f'href="/launches/{slug}/"' not in html


@pytest.mark.parametrize(
    "value",
    [
        *("39.22", "north,east", "91,125", "90.5,1", "1,180.01", "39.22,125.67,3"),
        *("NaN,1", "sNaN,1", "1,-Infinity", "1e1,2", " 39.22,125.67", "\u0663,1"),
    ],
)
def test_a_site_that_cannot_be_read_is_refused_with_its_reason(client, value):
    response = client.get("/api/v1/launches/", {"site": value})
    assert response.status_code == 400
    assert list(response.json()) == ["site"]


def test_the_sites_geojson_lists_published_sites_longitude_first(client, sites):
    data = client.get("/api/v1/sites/").json()
    assert data["type"] == "FeatureCollection"
    assert data["features"] == [
        {
            "type": "Feature",
            "id": "39.22,125.67",
            "geometry": {"type": "Point", "coordinates": [125.67, 39.22]},
            "properties": {
                "name": "Sunan",
                "names": ["Sunan", "Sunan area"],
                "launches": 3,
                "first_launch": "2024-05-03",
                "last_launch": "2025-01-02",
                "timeline_url": "http://testserver/?site=39.22%2C125.67",
                "launches_url": "http://testserver/api/v1/launches/?site=39.22,125.67",
            },
        },
        {
            "type": "Feature",
            "id": "40.03,128.19",
            "geometry": {"type": "Point", "coordinates": [128.19, 40.03]},
            "properties": {
                "name": "Sinpo",
                "names": ["Sinpo"],
                "launches": 1,
                "first_launch": "2024-06-01",
                "last_launch": "2024-06-01",
                "timeline_url": "http://testserver/?site=40.03%2C128.19",
                "launches_url": "http://testserver/api/v1/launches/?site=40.03,128.19",
            },
        },
    ]
    listed = client.get("/api/v1/launches/", {"site": "39.22,125.67"}).json()
    assert len(listed["results"]) == 3
    # However it is written, the same coordinates (to the five places stored) are the site.
    for spelling in ("39.2200,125.670", "39.220000000000000001,125.67"):
        same = client.get("/api/v1/launches/", {"site": spelling}).json()
        assert len(same["results"]) == 3


def test_a_launch_page_shows_its_site_on_a_small_map(client, sites):
    launch = Launch.objects.get(launch_site="Sinpo")
    html = client.get(launch.get_absolute_url()).content.decode()
    point = geography.project(128.19, 40.03)
    assert f'<circle class="site site-here" cx="{point.x}" cy="{point.y}"' in html
    assert 'href="/?site=40.03%2C128.19">Every launch from this site</a>' in html
    without = Launch.objects.get(launch_site="inland area")
    assert "site-here" not in client.get(without.get_absolute_url()).content.decode()


def test_the_map_page_and_the_geojson_cost_the_same_queries_whatever_the_sites(client):
    def cost(url):
        client.get(url)  # what fills once per process (content types…)
        cache.clear()  # measured as rendered, not as served from the cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def seed(count, offset):
        """Launches from sites of their own, each with a reaction, the next day."""
        for n in range(count):
            launch = LaunchFactory(
                launch_site=f"Site {offset + n}",
                site_latitude=Decimal("38") + Decimal(offset + n) / 100,
                site_longitude=Decimal("125"),
            )
            StatementFactory(
                launch=launch,
                stance=n % 5 - 2,
                issued_on=launch.occurred_on + datetime.timedelta(days=1),
                actor=Actor.objects.get(code=("US", "RU", "CN")[n % 3]),
            )

    seed(2, 0)
    few = {url: cost(url) for url in ("/map/", "/api/v1/sites/", "/charts/", "/")}
    assert all(few.values()), few  # rendered, not served from the cache
    seed(40, 100)
    assert {url: cost(url) for url in few} == few


def test_launches_per_month_counts_launch_events_and_keeps_empty_months():
    rows = [
        {"month": datetime.date(2024, 1, 1), "missile_class": "SRBM", "count": 2},
        {"month": datetime.date(2024, 1, 1), "missile_class": "cruise", "count": 1},
        {"month": datetime.date(2024, 3, 1), "missile_class": "SRBM", "count": 1},
    ]
    chart = launches_per_month(rows)
    assert [bar.label for bar in chart["bars"]] == ["Jan 2024", "Feb 2024", "Mar 2024"]
    assert [bar.total for bar in chart["bars"]] == [3, 0, 1]
    assert chart["table"] == [
        (datetime.date(2024, 1, 1), [2, 1], 3),
        (datetime.date(2024, 3, 1), [1, 0], 1),
    ]


def test_stances_and_first_reactions_are_counted_per_actor(client):
    first = LaunchFactory(occurred_on=datetime.date(2024, 3, 10))
    second = LaunchFactory(occurred_on=datetime.date(2025, 4, 1))
    russia = Actor.objects.get(code="RU")
    StatementFactory(launch=first, stance=-2, issued_on=datetime.date(2024, 3, 10))
    StatementFactory(launch=first, stance=-2, issued_on=datetime.date(2024, 3, 14))
    StatementFactory(launch=second, stance=-1, issued_on=datetime.date(2025, 4, 3))
    StatementFactory(launch=first, actor=russia, stance=2, issued_on=datetime.date(2024, 3, 9))
    StatementFactory(launch=second, actor=russia, stance=0, status=Status.DRAFT)
    stances = stances_per_actor(list(Statement.objects.for_chart_stances()))
    assert stances["table"] == [
        ("United States", 2024, [2, 0, 0, 0, 0]),
        ("United States", 2025, [0, 1, 0, 0, 0]),
        ("Russia", 2024, [0, 0, 0, 0, 1]),
    ]
    delays = first_reaction_delays(list(Statement.objects.for_chart_first_reactions()))
    # Russia's statement is dated the day before the launch's Korean day: day 0.
    assert [(d.name, d.launches, d.median, d.longest, d.same_day) for d in delays["delays"]] == [
        ("Russia", 1, 0, 0, 1),
        ("United States", 2, 1, 2, 1),
    ]
    html = client.get("/charts/").content.decode()
    assert "one launch event" in html
    assert '<th scope="row">United States</th>\n        <td>2</td>' in html
    assert "style=" not in html


def test_the_base_map_is_rebuilt_the_same_from_natural_earth(tmp_path):
    topology = tmp_path / "countries.json"
    # One square country, quantized as TopoJSON stores it: a small world-atlas.
    topology.write_text(
        '{"type":"Topology","transform":{"scale":[0.01,0.01],"translate":[124,38]},'
        '"objects":{"countries":{"type":"GeometryCollection","geometries":[{"type":"Polygon",'
        '"arcs":[[0]],"properties":{"name":"North Korea"}}]}},'
        '"arcs":[[[0,0],[100,0],[0,100],[-100,0],[0,-100]]]}'
    )
    output = tmp_path / "map.svg"
    subprocess.run(
        [sys.executable, ROOT / "scripts/build-map", "--topology", topology, "--output", output],
        check=True,
        capture_output=True,
    )
    svg = output.read_text()
    corners = [geography.project(lon, lat) for lon, lat in ((124, 38), (125, 38), (125, 39))]
    assert all(f"{p.x:.1f} {p.y:.1f}" in svg for p in corners)
    committed = (ROOT / "static" / "map" / "korea.svg").read_text()
    assert committed.startswith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 ')
    assert "Natural Earth" in committed


def test_the_timeline_form_offers_each_site_and_keeps_the_one_chosen(client, sites):
    html = client.get("/?site=39.22,125.67").content.decode()
    options = re.findall(r'<option value="([^"]*)"( selected)?\s*>([^<]+)</option>', html)
    site_options = [o for o in options if o[0] in ("", "39.22,125.67", "40.03,128.19")]
    assert ("39.22,125.67", " selected", "Sunan (3)") in site_options
    assert ("40.03,128.19", "", "Sinpo (1)") in site_options
    assert "Draftsite" not in html


def test_the_sites_are_served_as_geojson_when_asked_and_never_as_csv(client, sites):
    asked = client.get("/api/v1/sites/", HTTP_ACCEPT="application/geo+json")
    assert asked["Content-Type"] == "application/geo+json"
    assert asked.json()["type"] == "FeatureCollection"
    assert client.get("/api/v1/sites/?format=geojson")["Content-Type"] == "application/geo+json"
    assert client.get("/api/v1/sites/")["Content-Type"] == "application/json"
    assert client.get("/api/v1/sites/?format=csv").status_code == 404
