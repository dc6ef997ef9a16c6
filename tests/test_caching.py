"""Cached responses for anonymous readers: fast on repeat, never stale after a write."""

import os

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache

from reactions.models import Stance
from timeline.models import Status
from timeline.services import launch_update, record_transition

from .factories import LaunchFactory, StatementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def caching_on(settings):
    settings.PUBLIC_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def test_a_repeat_request_is_served_from_the_cache_without_queries(
    client, django_assert_num_queries
):
    launch = LaunchFactory(missile_name="Hwasong-11")
    first = client.get(launch.get_absolute_url())
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get(launch.get_absolute_url())
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert "Content-Security-Policy" in again


def test_a_conditional_repeat_gets_304(client):
    launch = LaunchFactory()
    etag = client.get(launch.get_absolute_url())["ETag"]
    repeat = client.get(launch.get_absolute_url(), headers={"If-None-Match": etag})
    assert repeat.status_code == 304
    assert repeat.content == b""


def test_a_publish_shows_on_the_very_next_request(client, django_capture_on_commit_callbacks):
    launch = LaunchFactory()
    statement = StatementFactory(
        launch=launch, quote="Fresh words from Seoul.", status=Status.REVIEW
    )
    etag = client.get(launch.get_absolute_url())["ETag"]
    assert "Fresh words from Seoul." not in client.get(launch.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        record_transition(instance=statement, status=Status.PUBLISHED)
    fresh = client.get(launch.get_absolute_url(), headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert "Fresh words from Seoul." in fresh.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        launch_update(launch=launch, missile_name="Renamed-7")
    assert "Renamed-7" in client.get(launch.get_absolute_url()).content.decode()


def test_signed_in_users_and_token_clients_are_never_served_from_the_cache(client):
    launch = LaunchFactory(status=Status.DRAFT)
    StatementFactory(launch=LaunchFactory(), stance=Stance.DEFENDS)
    assert client.get("/?year=2024").status_code == 200  # cached for anonymous readers
    User.objects.create_superuser("editor", password="a long passphrase here")
    client.login(username="editor", password="a long passphrase here")
    response = client.get("/?year=2024")
    assert "X-Data-Version" not in response
    assert client.get(
        launch.get_absolute_url(), headers={"Authorization": "Token x"}
    ).status_code in {
        404,
        401,
    }


def test_api_lists_are_cached_too_and_a_write_refreshes_them(
    client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    LaunchFactory(missile_name="Hwasong-11")
    first = client.get("/api/v1/launches/")
    assert first.status_code == 200
    assert "Cookie" in first["Vary"]
    with django_assert_num_queries(0):
        again = client.get("/api/v1/launches/")
    assert again.content == first.content
    with django_capture_on_commit_callbacks(execute=True):
        LaunchFactory(missile_name="Pukguksong-3")
    assert "Pukguksong-3" in client.get("/api/v1/launches/").content.decode()


def test_the_local_store_keeps_the_most_recent_bodies_within_its_size():
    from timeline.caching import LocalResponses

    store = LocalResponses(limit=10)
    store.put("a", (200, b"12345", {}))
    store.put("b", (200, b"12345", {}))
    assert store.get("a") is not None  # a is now the most recent
    store.put("c", (200, b"123", {}))  # over the limit: b, the least recent, goes
    assert store.get("b") is None
    assert store.get("a")[1] == b"12345"
    store.put("huge", (200, b"x" * 11, {}))
    assert store.get("huge") is None


@pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"),
    reason="needs a Redis server: CI sets CELERY_BROKER_URL to one",
)
def test_with_redis_the_version_is_shared_and_survives_a_flush(settings, monkeypatch):
    from timeline import caching

    settings.CACHE_URL = os.environ["CELERY_BROKER_URL"].rsplit("/", 1)[0] + "/9"
    caching._redis.cache_clear()
    try:
        client = caching._redis()
        client.flushdb()
        first = caching.data_version()
        caching.bump_data_version()
        assert caching.data_version() == first + 1
        client.flushdb()  # a Redis restart that kept nothing
        assert caching.data_version() > first + 1
    finally:
        caching._redis.cache_clear()
