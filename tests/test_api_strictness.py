"""The API says what is wrong with a request rather than guessing: a parameter it does not
read is a 400 naming it, a value that is not one of a filter's choices a 400 naming them; and
every response tells its client where it stands against its rate (RateLimit-* headers)."""

import datetime

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from core.throttling import AnonThrottle

from .factories import EventFactory, LaunchFactory, StatementFactory
from .test_webhook_subscriptions import integrator

pytestmark = pytest.mark.django_db

READS = [
    "/api/v1/launches/",
    "/api/v1/claims/",
    "/api/v1/events/",
    "/api/v1/links/",
    "/api/v1/sources/",
    "/api/v1/actors/",
    "/api/v1/speakers/",
    "/api/v1/statements/",
    "/api/v1/timeline/",
    "/api/v1/stats/",
    "/api/v1/deletions/",
    "/api/v1/launches/2025-11-07-srbm/",
    "/api/v1/actors/RU/",
]


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def launch():
    return LaunchFactory(slug="2025-11-07-srbm")


def test_a_mistyped_filter_is_a_400_naming_it_not_every_launch(api, launch):
    response = api.get("/api/v1/launches/", {"outcome": "failure"})
    assert response.status_code == 400
    assert response.json() == {
        "outcome": [
            "Not a parameter of this endpoint; it reads actor, category, cursor, date_from, "
            "date_to, event_kind, expand, format, missile_class, ordering, page_size, q, "
            "site, stance, updated_since, year."
        ]
    }


def test_a_mistyped_filter_is_refused_from_the_response_cache_too(api, launch, settings):
    settings.PUBLIC_CACHE_SECONDS = 600
    assert api.get("/api/v1/launches/").status_code == 200
    response = api.get("/api/v1/launches/", {"outcome": "failure"})
    assert response.status_code == 400
    assert list(response.json()) == ["outcome"]


@pytest.mark.parametrize("path", READS)
def test_every_read_refuses_parameters_it_does_not_read(api, launch, path):
    response = api.get(path, {"colour": "red", "format": "json"})
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["colour"]
    assert body["colour"][0].startswith("Not a parameter of this endpoint; it reads ")


def test_a_value_that_is_not_a_choice_names_the_choices(api, launch):
    response = api.get("/api/v1/launches/", {"missile_class": "ballistic"})
    assert response.status_code == 400
    assert response.json() == {
        "missile_class": [
            "ballistic is not one of the choices: CRBM, SRBM, MRBM, IRBM, ICBM, SLBM, cruise, "
            "hypersonic_glide, slv, artillery_rocket, unknown."
        ]
    }
    response = api.get("/api/v1/events/", {"kind": "embargo"})
    assert response.status_code == 400
    assert "sanctions" in response.json()["kind"][0]
    response = api.get("/api/v1/launches/", {"ordering": "colour"})
    assert response.json() == {
        "ordering": ["Cannot sort by colour; try created_at, occurred_on, sort_at, updated_at."]
    }


def test_the_documented_parameters_still_work(api, launch):
    LaunchFactory.create_batch(2, missile_name="KN-23")
    StatementFactory(launch=launch)
    EventFactory()
    assert api.get("/api/v1/launches/", {"format": "csv"}).status_code == 200
    first = api.get(
        "/api/v1/launches/",
        {"page_size": 1, "ordering": "-sort_at", "expand": "statements,links", "q": "KN-23"},
    ).json()
    assert len(first["results"]) == 1
    following = api.get(first["next"]).json()
    assert len(following["results"]) == 1
    since = api.get("/api/v1/statements/", {"updated_since": "2000-01-01T00:00:00Z"})
    assert len(since.json()["results"]) == 1
    assert api.get("/api/v1/timeline/", {"year": 2024, "page_size": 5}).status_code == 200
    assert api.get("/api/v1/launches/2025-11-07-srbm/", {"expand": "links"}).status_code == 200


def rate_headers(response):
    return {name: value for name, value in response.headers.items() if name.startswith("RateLimit")}


def test_every_api_response_carries_its_clients_rate_limit(api, launch, settings):
    counted = [api.get("/api/v1/actors/") for _ in range(2)]
    assert [rate_headers(r) for r in counted] == [
        {
            "RateLimit-Limit": "120",
            "RateLimit-Policy": "120;w=60",
            "RateLimit-Remaining": str(remaining),
            "RateLimit-Reset": "60",
        }
        for remaining in (119, 118)
    ]
    # An error, an address that names no endpoint, the docs: the count, not counted again.
    for response in (
        api.get("/api/v1/launches/", {"outcome": "failure"}),
        api.get("/api/v1/nothing-here/"),
        api.get("/api/docs/"),
    ):
        assert response.status_code in (400, 404, 200)
        assert rate_headers(response)["RateLimit-Limit"] == "120"
    assert rate_headers(api.get("/api/docs/"))["RateLimit-Remaining"] == "117"
    # A cached answer gets its own client's headers, never another's.
    settings.PUBLIC_CACHE_SECONDS = 600
    api.get("/api/v1/stats/")
    cached = api.get("/api/v1/stats/")
    assert rate_headers(cached)["RateLimit-Remaining"] == "116"


def test_a_throttled_client_is_told_it_has_none_left(api, monkeypatch):
    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    responses = [api.get("/api/v1/actors/") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert [r.headers["RateLimit-Remaining"] for r in responses] == ["1", "0", "0"]
    assert responses[-1].headers["RateLimit-Limit"] == "2"
    assert 0 < int(responses[-1].headers["RateLimit-Reset"]) <= 60


def test_the_schema_documents_the_400_and_the_rate_limit_headers(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            if method == "get":
                assert "not one this endpoint reads" in responses["400"]["description"], path
            for status, response in responses.items():
                assert "RateLimit-Remaining" in response["headers"], (path, method, status)


def test_the_subscription_list_refuses_parameters_it_does_not_read(client):
    _, auth = integrator("newsroom")
    listed = client.get("/api/v1/webhooks/subscriptions/", {"page": 1}, **auth)
    assert listed.status_code == 200
    refused = client.get("/api/v1/webhooks/subscriptions/", {"status": "paused"}, **auth)
    assert refused.status_code == 400
    assert list(refused.json()) == ["status"]
    assert refused["RateLimit-Limit"] == "600"


def api_filtersets():
    """Each API view's filterset class, by the view's name."""
    from django.urls import get_resolver

    found = {}

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns)
                continue
            view = getattr(pattern.callback, "cls", None)
            filterset = getattr(view, "filterset_class", None)
            if filterset is not None:
                found[view.__name__] = (view, filterset)

    walk(get_resolver().url_patterns)
    return found


def test_every_api_filterset_leaves_a_list_as_it_is_when_given_nothing():
    """What lets the filter backend skip building a filterset for a request that names no
    filter: each filter, given no value, filters nothing."""
    filtersets = api_filtersets()
    assert {"LaunchViewSet", "StatementViewSet"} <= set(filtersets)
    for name, (_, filterset_class) in filtersets.items():
        queryset = filterset_class._meta.model._default_manager.all()
        filtered = filterset_class(data={}, queryset=queryset)
        assert filtered.is_valid(), name
        assert str(filtered.qs.query) == str(queryset.query), name


def test_a_list_given_one_filter_among_other_parameters_is_filtered(api):
    LaunchFactory(occurred_on=datetime.date(2024, 5, 1), missile_class="ICBM")
    LaunchFactory(occurred_on=datetime.date(2025, 5, 1), missile_class="SRBM")
    assert len(api.get("/api/v1/launches/?page_size=5").json()["results"]) == 2
    for query in ("year=2024", "date_from=2025-01-01", "missile_class=ICBM"):
        narrowed = api.get(f"/api/v1/launches/?page_size=5&{query}").json()["results"]
        assert len(narrowed) == 1, query
