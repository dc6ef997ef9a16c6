"""What a reader, a crawler and a sharing card find around the record: the methodology every
label links to, the licence, the footer's links, sharing metadata, sitemap.xml, robots.txt,
print styles and the error pages."""

import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from core import errors
from editorial.models import Status
from reactions.models import Stance
from reactions.templatetags.stances import stance_glyph

from .factories import EventFactory, LaunchFactory, StatementFactory

pytestmark = pytest.mark.django_db

SEED_LAUNCH = "/launches/2025-11-07-srbm/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def anchors_of(html):
    return set(re.findall(r'\bid="([^"]+)"', html))


def definition_links(html):
    """The fragments of every link to the methodology page."""
    return re.findall(r'href="/methodology/#([^"]+)"', html)


def test_the_methodology_defines_every_label(client):
    html = client.get("/methodology/").content.decode()
    ids = anchors_of(html)
    for label in ("confirmed", "suspected", "claimed"):
        assert f"confidence-{label}" in ids
    for _, label in Stance.choices:
        assert f"stance-{label.lower()}" in ids
    assert {"counting", "missile-count", "disputed", "sources", "corrections", "licence"} <= ids
    text = re.sub(r"<[^>]+>", "", html)
    assert "one launch is one or several missiles fired together" in text
    assert "CC BY 4.0" in text
    assert "For example:" in text


def test_every_label_on_the_launch_page_and_timeline_links_to_its_definition(client, demo):
    methodology = anchors_of(client.get("/methodology/").content.decode())
    launch = client.get(SEED_LAUNCH).content.decode()
    timeline = client.get("/?year=2025").content.decode()
    for html in (launch, timeline):
        fragments = definition_links(html)
        assert set(fragments) <= methodology, set(fragments) - methodology
    # The seed launch is suspected and disputed; its reactions condemn (five of them), are
    # concerned and defend.
    assert re.search(
        r'class="badge confidence-suspected"><a\s+href="/methodology/#confidence-suspected"',
        launch,
    )
    assert 'href="/methodology/#disputed"' in launch
    assert (
        launch.count('class="stance-label stance--2"\n      href="/methodology/#stance-condemns"')
        == 5
    )
    assert 'href="/methodology/#stance-defends"' in launch
    assert 'class="relation" href="/methodology/#relation-response_to"' in timeline
    chips = re.findall(r'<li class="chip stance-(-?\d)">(.*?)</li>', timeline)
    assert chips
    for stance, chip in chips:
        word = dict(Stance.choices)[int(stance)].lower()
        assert f'<a href="/methodology/#stance-{word}">{word}</a>' in chip


def test_link_and_matrix_labels_link_to_their_definitions(client, demo):
    methodology = anchors_of(client.get("/methodology/").content.decode())
    event = client.get(
        "/events/2025-11-06-dprk-denounces-us-sanctions-vows-proper-measures/"
    ).content.decode()
    matrix = client.get("/matrix/?year=2025").content.decode()
    assert 'href="/methodology/#relation-response_to"' in event
    assert 'href="/methodology/#link-confidence"' in event
    for value, label in Stance.choices:
        glyph = f'<span class="glyph" aria-hidden="true">{stance_glyph(value)}</span>'
        assert (
            f'{glyph} <a\n      href="/methodology/#stance-{label.lower()}">{label}</a>' in matrix
        )
    for html in (event, matrix):
        assert set(definition_links(html)) <= methodology


def test_the_footer_links_the_methodology_the_api_docs_and_the_licence(client):
    html = client.get("/methodology/").content.decode()
    footer = html[html.index("<footer") :]
    assert 'href="/methodology/"' in footer
    assert 'href="/api/docs/"' in footer
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in footer
    licence = (Path(settings.BASE_DIR) / "LICENSE-DATA").read_text()
    assert "CC BY 4.0" in licence
    assert "https://creativecommons.org/licenses/by/4.0/" in licence


def meta(html, key):
    found = re.search(rf'<meta (?:name|property)="{key}"[^>]*content="([^"]*)"', html)
    return found.group(1) if found else None


def test_pages_carry_sharing_metadata(client, demo):
    html = client.get(SEED_LAUNCH).content.decode()
    assert meta(html, "og:title") == "Short-range ballistic (SRBM) launch, 7 November 2025"
    assert meta(html, "og:url") == f"http://testserver{SEED_LAUNCH}"
    assert meta(html, "og:type") == "website"
    assert meta(html, "description").startswith("North Korea launched")
    assert 'property="og:description"' in html
    assert meta(html, "twitter:card") == "summary"
    assert 'media="print"' in html


def test_the_launch_page_has_print_styles(client):
    css = (Path(settings.BASE_DIR) / "static/css/print.css").read_text()
    assert ".site-header nav" in css
    assert "attr(href)" in css


def sitemap_paths(client):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    return {loc.text.removeprefix("http://testserver") for loc in root.iter(f"{SITEMAP}loc")}


def test_the_sitemap_lists_published_records_only(client):
    launch = LaunchFactory(slug="published-launch")
    draft = LaunchFactory(slug="draft-launch", status=Status.DRAFT)
    event = EventFactory(slug="published-event")
    EventFactory(slug="draft-event", status=Status.DRAFT)
    shown = StatementFactory(launch=launch)
    hidden = StatementFactory(launch=launch, status=Status.DRAFT)
    on_draft = StatementFactory(launch=draft)
    paths = sitemap_paths(client)
    assert {
        launch.get_absolute_url(),
        event.get_absolute_url(),
        f"/statements/{shown.pk}/",
    } <= paths
    assert "/actors/US/" in paths
    assert {"/", "/methodology/"} <= paths
    for gone in (
        draft.get_absolute_url(),
        "/events/draft-event/",
        f"/statements/{hidden.pk}/",
        f"/statements/{on_draft.pk}/",
        "/actors/RU/",  # no statement readers may see
    ):
        assert gone not in paths


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_admin(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Disallow: /admin/" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_a_missing_page_is_friendly_and_a_missing_api_endpoint_stays_json(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<h1 id="error-h">Page not found</h1>' in html
    assert "<code>/no-such-page/</code>" in html
    assert 'action="/search/"' in html
    assert 'href="/api/docs/"' in html
    api = client.get("/api/v1/no-such-endpoint/")
    assert api.status_code == 404
    assert api.json() == {"detail": "No API endpoint at this address."}


def test_a_server_error_is_friendly_and_stays_json_for_the_api():
    page = errors.server_error(RequestFactory().get("/launches/x/"))
    assert page.status_code == 500
    assert "Something went wrong on our side" in page.content.decode()
    assert 'href="/"' in page.content.decode()
    api = errors.server_error(RequestFactory().get("/api/v1/launches/"))
    assert api.status_code == 500
    assert api["Content-Type"] == "application/json"


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries)


def test_the_new_pages_query_the_same_however_many_records(client):
    pages = ["/methodology/", "/sitemap.xml", "/robots.txt"]
    StatementFactory(launch=LaunchFactory())
    EventFactory()
    for url in pages:
        client.get(url)
    few = {url: count_queries(client, url) for url in pages}
    for _ in range(20):
        StatementFactory(launch=LaunchFactory())
        EventFactory()
    many = {url: count_queries(client, url) for url in pages}
    assert few == many
    assert many["/sitemap.xml"] <= 10, many


@pytest.fixture
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_sitemap_uses_the_sites_canonical_origin(client, settings, fresh_cache):
    settings.SITE_URL = "https://salvo.example.org"
    settings.PUBLIC_CACHE_SECONDS = 600  # the cache is what makes a request use SITE_URL
    LaunchFactory(slug="published-launch")
    body = client.get("/sitemap.xml").content.decode()
    assert "<loc>https://salvo.example.org/launches/published-launch/</loc>" in body
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: https://salvo.example.org/sitemap.xml" in robots
