"""Cached responses for anonymous readers: fast on repeat, never stale after a write."""

import os
import time

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


needs_redis = pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"),
    reason="needs a Redis server: CI sets CELERY_BROKER_URL to one",
)


@pytest.fixture
def redis_cache(settings):
    """The response cache's version on a real Redis (database 9 of the broker's server)."""
    import redis

    from timeline import caching

    settings.CACHE_URL = os.environ["CELERY_BROKER_URL"].rsplit("/", 1)[0] + "/9"
    caching.forget_redis()
    client = redis.Redis.from_url(settings.CACHE_URL)
    client.flushdb()
    yield client
    client.flushdb()
    caching.forget_redis()


def counting_reads(watch):
    """`watch`, with a count of the times it asked Redis for the version."""
    script, watch.reads = watch.read_script, 0

    def read(**kwargs):
        watch.reads += 1
        return script(**kwargs)

    watch.read_script = read
    return watch


def confirmed(watch):
    """Poll `watch` until its subscription is confirmed, as requests would."""
    for _ in range(200):
        watch.current()
        if watch.confirmed:
            return watch
        time.sleep(0.005)
    raise AssertionError("the subscription was never confirmed")


@needs_redis
def test_with_redis_the_version_is_shared_and_survives_a_flush(redis_cache):
    from timeline import caching

    first = caching.data_version()
    caching.bump_data_version()
    assert caching.data_version() == first + 1
    redis_cache.flushdb()  # a Redis restart that kept nothing
    caching.forget_redis()
    assert caching.data_version() > first + 1


@needs_redis
def test_processes_follow_each_others_bumps_without_asking_redis(redis_cache, settings):
    import redis

    from timeline.caching import VERSION_KEY, VersionWatch

    key, url = cache.make_key(VERSION_KEY), settings.CACHE_URL
    writer, reader = (
        counting_reads(confirmed(VersionWatch(redis.Redis.from_url(url), key))) for _ in range(2)
    )
    start = reader.current()
    assert writer.current() == start
    for n in range(1, 51):
        writer.bump()
        assert reader.current() == start + n  # the very next read, in the other process
    assert (writer.reads, reader.reads) == (0, 0)  # nothing but a poll of the subscription


@needs_redis
def test_a_lost_subscription_is_not_trusted_and_no_bump_is_missed(redis_cache, settings):
    import redis

    from timeline.caching import VERSION_KEY, VersionWatch

    key, url = cache.make_key(VERSION_KEY), settings.CACHE_URL
    writer = VersionWatch(redis.Redis.from_url(url), key)
    reader = counting_reads(confirmed(VersionWatch(redis.Redis.from_url(url), key)))
    before = reader.current()
    redis_cache.client_kill_filter(_type="pubsub")  # every subscription dropped by the server
    writer.bump()  # published while nobody listens
    writer.bump()
    assert reader.current() >= before + 2  # read directly, not from the lost subscription
    assert reader.reads >= 1
    # Subscribed again, the version moves on once more: a Redis back from a restart may
    # hold a version from before a write that could not bump it.
    confirmed(reader)
    assert reader.current() == before + 3
    reads = reader.reads
    writer.bump()
    assert reader.current() == before + 4
    assert reader.reads == reads  # following the subscription again


@needs_redis
def test_a_silent_subscription_is_checked_once_a_second(redis_cache, settings, monkeypatch):
    import redis

    from timeline import caching

    key, url = cache.make_key(caching.VERSION_KEY), settings.CACHE_URL
    reader = counting_reads(confirmed(caching.VersionWatch(redis.Redis.from_url(url), key)))
    redis_cache.incr(key)  # changed without a message, as if the message had been lost
    stale = reader.current()
    now = time.monotonic()
    monkeypatch.setattr(caching.time, "monotonic", lambda: now + caching.RECHECK_SECONDS)
    assert reader.current() == stale + 1


@needs_redis
def test_each_process_has_its_own_connection(redis_cache, monkeypatch):
    from timeline import caching

    parent = caching._redis()
    monkeypatch.setattr(caching.os, "getpid", lambda: -1)  # as a forked worker sees itself
    assert caching._redis() is not parent
    assert caching._version_watch().client is caching._redis()


@pytest.fixture
def redis_down(settings):
    """The shared cache configured on a Redis that does not answer."""
    from timeline import caching

    settings.CACHE_URL = "redis://127.0.0.1:1/0"
    caching.forget_redis()
    yield settings
    caching._bump_pending.clear()
    caching._serving_without_cache.clear()
    caching.forget_redis()


def test_with_the_cache_down_pages_are_served_and_writes_stand(
    client, redis_down, django_capture_on_commit_callbacks, caplog
):
    from timeline import caching

    launch = LaunchFactory(missile_name="Hwasong-11")
    for _ in range(3):
        response = client.get(launch.get_absolute_url())
        assert response.status_code == 200
        assert "Hwasong-11" in response.content.decode()
        assert "X-Data-Version" not in response  # served without the cache
    with django_capture_on_commit_callbacks(execute=True):
        launch_update(launch=launch, missile_name="Renamed-7")  # its bump cannot be made
    launch.refresh_from_db()
    assert launch.missile_name == "Renamed-7"
    assert caching._bump_pending.is_set()
    assert "Renamed-7" in client.get(launch.get_absolute_url()).content.decode()
    warnings = [r.getMessage() for r in caplog.records if r.name == "timeline.caching"]
    assert len([m for m in warnings if m.startswith("cache unavailable")]) == 1  # not per request


@needs_redis
def test_a_bump_missed_while_the_cache_was_down_is_made_before_it_serves_again(
    client, redis_down, django_capture_on_commit_callbacks
):
    from timeline import caching

    launch = LaunchFactory(missile_name="Hwasong-11")
    url = os.environ["CELERY_BROKER_URL"].rsplit("/", 1)[0] + "/9"
    redis_down.CACHE_URL = url
    caching.forget_redis()
    cached = client.get(launch.get_absolute_url())
    before = int(cached["X-Data-Version"])
    assert "Hwasong-11" in cached.content.decode()
    redis_down.CACHE_URL = "redis://127.0.0.1:1/0"
    caching.forget_redis()
    with django_capture_on_commit_callbacks(execute=True):
        launch_update(launch=launch, missile_name="Renamed-7")
    assert caching._bump_pending.is_set()
    redis_down.CACHE_URL = url  # Redis answers again, with the version of before the write
    caching.forget_redis()
    response = client.get(launch.get_absolute_url())
    assert int(response["X-Data-Version"]) > before
    assert "Renamed-7" in response.content.decode()
    assert not caching._bump_pending.is_set()
