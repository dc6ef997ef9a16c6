"""Embeds for newsrooms: the framable timeline, its oEmbed description, and cross-origin
reads of the API; framing and cross-origin access everywhere else stay refused."""

import datetime

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.fragments import local_pieces
from reactions.models import Actor

from .factories import EventFactory, LaunchFactory, LinkFactory, StatementFactory

pytestmark = pytest.mark.django_db
ORIGIN = "https://news.example"


@pytest.fixture
def record():
    first = LaunchFactory(
        slug="2025-11-07-srbm", occurred_on=datetime.date(2025, 11, 7), missile_name="Hwasong-11"
    )
    StatementFactory(launch=first, actor=Actor.objects.get(code="RU"), quote="Legitimate.")
    LaunchFactory(slug="2025-10-22-srbm", occurred_on=datetime.date(2025, 10, 22))
    LinkFactory(launch=first, event=EventFactory(start_date=datetime.date(2025, 11, 4)))
    return first


@pytest.fixture
def cached(settings):
    settings.PUBLIC_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def frame_ancestors(response):
    policy = response["Content-Security-Policy"]
    return next(d for d in policy.split("; ") if d.startswith("frame-ancestors")).split(" ", 1)[1]


def test_the_embed_shows_the_timeline_with_its_filters_compactly(client, record):
    html = client.get("/embed/?year=2025").content.decode()
    assert "Hwasong-11" in html
    assert 'href="/launches/2025-10-22-srbm/"' in html
    assert '<base target="_blank">' in html
    assert 'class="site-header"' not in html
    assert "Filter the timeline" not in html
    only_russia = client.get("/embed/?year=2025&actor=RU").content.decode()
    assert "Hwasong-11" in only_russia
    assert '<p class="count">1 launch</p>' in only_russia
    refused = client.get("/embed/?year=twenty")
    assert refused.status_code == 400
    assert "could not be read" in refused.content.decode()


def test_the_embed_sets_no_cookie_and_does_not_vary_on_it(client, record, cached, settings):
    settings.PAGE_ANON_RATE = "1000/minute"  # the throttle asks who is signed in
    for _ in range(2):  # rendered, then from the cache
        response = client.get("/embed/?year=2025")
        assert response.status_code == 200
        assert response.cookies == {}
        assert "cookie" not in response.get("Vary", "").lower()
    # Pages still say they vary on the cookie.
    assert "Cookie" in client.get("/charts/")["Vary"]


def test_only_embeds_may_be_framed(client, record, cached):
    for _ in range(2):  # rendered, then from the cache
        embed = client.get("/embed/")
        assert not embed.has_header("X-Frame-Options")
        assert frame_ancestors(embed) == "*"
    for path in ("/", "/data/", "/oembed?url=http://testserver/", "/api/v1/launches/", "/charts/"):
        response = client.get(path)
        assert response["X-Frame-Options"] == "DENY", path
        assert frame_ancestors(response) == "'none'", path


def test_timeline_pages_announce_their_oembed(client, record):
    html = client.get("/?year=2025").content.decode()
    assert (
        '<link rel="alternate" type="application/json+oembed" '
        'href="http://testserver/oembed?url=http%3A%2F%2Ftestserver%2F%3Fyear%3D2025&amp;format=json"'
        ' title="Embed this timeline">'
    ) in html


def test_oembed_describes_a_rich_iframe_of_the_embed(client, record):
    response = client.get(
        "/oembed",
        {"url": "http://testserver/?year=2025&actor=RU&page=3", "maxwidth": 500, "maxheight": 900},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    src = "http://testserver/embed/?year=2025&amp;actor=RU"
    assert response.json() == {
        "version": "1.0",
        "type": "rich",
        "title": "Salvo: missile launches and reactions",
        "provider_name": "Salvo",
        "provider_url": "http://testserver/",
        "html": f'<iframe src="{src}" width="500" height="720" '
        'title="Salvo: missile launches and reactions" loading="lazy" '
        'style="border:1px solid #ccc"></iframe>',
        "width": 500,
        "height": 720,
    }
    plain = client.get("/oembed", {"url": "http://testserver/"}).json()
    assert (plain["width"], plain["height"]) == (640, 720)


@pytest.mark.parametrize(
    ("query", "status", "detail"),
    [
        ({}, 400, "url is required: the timeline page to embed."),
        ({"url": "http://elsewhere.example/"}, 404, "is not a page of this site."),
        ({"url": "http://testserver/launches/2025-11-07-srbm/"}, 404, "is not a timeline page"),
        ({"url": "http://testserver/", "format": "xml"}, 501, "Only the json format is served."),
        ({"url": "http://testserver/", "maxwidth": "wide"}, 400, "maxwidth must be a whole"),
        ({"url": "http://testserver/", "maxheight": "10"}, 400, "maxheight must be a whole"),
    ],
)
def test_oembed_refuses_what_it_cannot_embed(client, query, status, detail):
    response = client.get("/oembed", query)
    assert response.status_code == status
    assert detail in response.json()["detail"]


def test_the_embed_costs_the_same_queries_whatever_the_number_of_launches(client, record):
    def count():
        for store in caches.all():  # no cached card or marker either: each is rendered
            store.clear()
        local_pieces.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/embed/?year=2025").status_code == 200
        return len(captured)

    few = count()
    for day in range(1, 7):
        launch = LaunchFactory(occurred_on=datetime.date(2025, 3, day))
        StatementFactory(launch=launch)
        LinkFactory(launch=launch)
    assert count() == few


def test_the_api_is_readable_across_origins(client, record):
    response = client.get("/api/v1/launches/", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.has_header("Access-Control-Allow-Credentials")
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/v1/launches/",
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"},
    )
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert not preflight.has_header("Access-Control-Allow-Credentials")


def test_no_cross_origin_access_to_pages_or_writes(client, record):
    for path in ("/", "/data/", "/embed/", "/launches/2025-11-07-srbm/"):
        response = client.get(path, headers={"Origin": ORIGIN})
        assert not response.has_header("Access-Control-Allow-Origin"), path
    for method in ("post", "patch", "put", "delete"):
        response = getattr(client, method)(
            "/api/v1/launches/2025-11-07-srbm/",
            data="{}",
            content_type="application/json",
            headers={"Origin": ORIGIN},
        )
        assert response.status_code in (401, 403, 405), method
        assert not response.has_header("Access-Control-Allow-Origin"), method
    preflight = client.options(
        "/api/v1/launches/", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    )
    assert "POST" not in preflight.get("Access-Control-Allow-Methods", "")
