"""Cached responses for anonymous readers: fast on repeat, never stale after a write."""

import contextlib
import datetime
import os
import socket
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
import redis
import redis.connection
from django.contrib.auth.models import User
from django.core.cache import cache

from editorial.models import Status
from editorial.services import record_transition
from reactions.models import Stance
from timeline.services import launch_update

from .factories import ClaimFactory, LaunchFactory, SourceFactory, StatementFactory
from .spare import wait_until

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("caching_on")]


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
    assert again["Cache-Control"] == "public, max-age=0, s-maxage=0, stale-while-revalidate=5"
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


def snapshot(client):
    """What an anonymous reader can watch: the data version and the ETags of `/` and the API."""
    pages = [client.get(path) for path in ("/", "/api/v1/launches/")]
    return [(page["X-Data-Version"], page["ETag"]) for page in pages]


def test_draft_saves_do_not_move_the_data_version_and_publishing_does(
    client, django_capture_on_commit_callbacks
):
    published = LaunchFactory(missile_name="Hwasong-11")
    draft = LaunchFactory(missile_name="Secret-1", status=Status.DRAFT)
    before = snapshot(client)
    with django_capture_on_commit_callbacks(execute=True):
        launch_update(launch=draft, missile_name="Secret-2")
        statement = StatementFactory(launch=published, status=Status.DRAFT)
        statement.quote = "Not yet."
        statement.save()
        source = SourceFactory()  # cited by nothing readers can see
        draft.sources.add(source)
        ClaimFactory(launch=draft, source=source)
        record_transition(instance=draft, status=Status.REVIEW)
    assert snapshot(client) == before
    with django_capture_on_commit_callbacks(execute=True):
        record_transition(instance=draft, status=Status.PUBLISHED)
    published_now = snapshot(client)
    assert all(after != seen for after, seen in zip(published_now, before, strict=True))
    with django_capture_on_commit_callbacks(execute=True):
        ClaimFactory(launch=draft, source=source)  # now on a published launch
    assert snapshot(client)[0][0] != published_now[0][0]
    withdrawn = snapshot(client)
    with django_capture_on_commit_callbacks(execute=True):
        launch_update(launch=draft, status=Status.DRAFT)  # unpublished, not by the service
    # Scoped to the launch and the list: the pages change, the version of everything not.
    assert all(after != seen for after, seen in zip(snapshot(client), withdrawn, strict=True))
    hidden = snapshot(client)
    with django_capture_on_commit_callbacks(execute=True):
        draft.delete()  # a draft's deletion: nothing readers could see
    assert snapshot(client) == hidden


def stored_responses():
    """The keys of the responses in the cache (local memory, as the tests run by default)."""
    return sorted(key for key in cache._cache if ":salvo:response:" in key)


def test_parameters_a_page_does_not_read_make_no_new_cache_entry(client):
    LaunchFactory(missile_name="Hwasong-11", occurred_on=datetime.date(2024, 5, 1))
    first = client.get("/?year=2024&utm_source=x")
    assert first.status_code == 200
    assert "utm_source" not in first.content.decode()  # links never carry what was dropped
    entries = stored_responses()
    assert len(entries) == 1
    for query in ("?utm_source=y&year=2024", "?year=2024", "?year=2024&_=123&zzz="):
        again = client.get(f"/{query}")
        assert again.content == first.content
        assert again["ETag"] == first["ETag"]
    assert stored_responses() == entries
    assert client.get("/?year=2023").status_code == 200  # a parameter it reads: its own entry
    assert len(stored_responses()) == 2


def test_api_lists_are_keyed_by_their_documented_parameters_only(client):
    LaunchFactory.create_batch(2)
    first = client.get("/api/v1/launches/?page_size=1&ordering=sort_at")
    assert first.status_code == 200
    entries = stored_responses()
    again = client.get("/api/v1/launches/?ordering=sort_at&page_size=1")
    assert again.content == first.content
    assert stored_responses() == entries
    assert len(client.get("/api/v1/launches/?page_size=2").json()["results"]) == 2


def test_a_query_asked_again_reaches_the_view_as_it_did_the_first_time(
    client, django_capture_on_commit_callbacks
):
    LaunchFactory(occurred_on=datetime.date(2024, 5, 1))
    LaunchFactory(occurred_on=datetime.date(2024, 6, 1))
    api_list, page = "/api/v1/launches/?page_size=1&ordering=-sort_at", "/?utm_source=x&year=2024"
    client.get(api_list)
    client.get(page)
    with django_capture_on_commit_callbacks(execute=True):  # both are rendered again
        LaunchFactory(missile_name="Pukguksong-3", occurred_on=datetime.date(2024, 7, 1))
    again = client.get(api_list).json()
    assert again["results"][0]["missile_name"] == "Pukguksong-3"
    asked = parse_qs(urlsplit(again["next"]).query)
    assert asked.keys() == {"cursor", "ordering", "page_size"}
    assert (asked["ordering"], asked["page_size"]) == (["-sort_at"], ["1"])
    page_again = client.get(page).content.decode()
    assert "Pukguksong-3" in page_again
    assert "utm_source" not in page_again
    for _ in range(2):
        refused = client.get("/api/v1/launches/?page_size=1&junk=1")
        assert refused.status_code == 400
        assert list(refused.json()) == ["junk"]


def test_a_parameter_the_api_does_not_read_is_refused_not_dropped_by_the_cache(client):
    LaunchFactory.create_batch(2)
    refused = client.get("/api/v1/launches/?page_size=1&junk=1")
    assert refused.status_code == 400
    assert list(refused.json()) == ["junk"]
    assert stored_responses() == []


def test_a_response_over_the_entry_size_cap_is_served_but_not_stored(client, settings):
    settings.PUBLIC_CACHE_MAX_ENTRY_BYTES = 100
    launch = LaunchFactory(missile_name="Hwasong-11")
    response = client.get(launch.get_absolute_url())
    assert response.status_code == 200
    assert "Hwasong-11" in response.content.decode()
    assert stored_responses() == []


def test_a_foreign_host_does_not_poison_the_cached_links_of_others(client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    settings.SITE_URL = "https://salvo.example.org"
    LaunchFactory.create_batch(2)
    asked_by_evil = client.get("/api/v1/launches/?page_size=1", headers={"Host": "evil.example"})
    assert asked_by_evil.json()["next"].startswith("https://salvo.example.org/api/v1/launches/")
    for response in (asked_by_evil, client.get("/api/v1/launches/?page_size=1")):
        assert "evil.example" not in response.content.decode()
        assert response["Link"].startswith("<https://salvo.example.org/api/v1/launches/?")
    feed = client.get("/feeds/launches/", headers={"Host": "evil.example"})
    assert "evil.example" not in feed.content.decode()
    assert "https://salvo.example.org/launches/" in client.get("/feeds/launches/").content.decode()


def test_without_a_site_url_each_host_has_its_own_cache_entries(client, settings):
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    settings.SITE_URL = ""
    LaunchFactory.create_batch(2)
    asked_by_evil = client.get("/api/v1/launches/?page_size=1", headers={"Host": "evil.example"})
    assert asked_by_evil.json()["next"].startswith("http://evil.example/")
    assert (
        client.get("/api/v1/launches/?page_size=1").json()["next"].startswith("http://testserver/")
    )


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


def test_the_local_store_keeps_the_most_recent_bodies_within_its_size_and_time():
    from core.caching import LocalResponses

    now = [100.0]
    store = LocalResponses(limit=10, clock=lambda: now[0])
    store.put("a", (200, b"12345", {}), seconds=60)
    store.put("b", (200, b"12345", {}), seconds=60)
    assert store.get("a") is not None  # a is now the most recent
    store.put("c", (200, b"123", {}), seconds=60)  # over the limit: b, the least recent, goes
    assert store.get("b") is None
    assert store.get("a")[1] == b"12345"
    store.put("huge", (200, b"x" * 11, {}), seconds=60)
    assert store.get("huge") is None
    now[0] += 60  # as long as the shared cache keeps a body, and no longer
    assert store.get("a") is None
    assert store.size == 3


needs_redis = pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"),
    reason="needs a Redis server: CI sets CELERY_BROKER_URL to one",
)
REDIS_DB = 9


@pytest.fixture
def redis_cache(settings):
    """The response cache's version on a real Redis (database 9 of the broker's server)."""
    from core import caching

    settings.CACHE_URL = os.environ["CELERY_BROKER_URL"].rsplit("/", 1)[0] + f"/{REDIS_DB}"
    caching.forget_redis()
    client = redis.Redis.from_url(settings.CACHE_URL)
    client.flushdb()
    yield client
    client.flushdb()
    caching.forget_redis()


class Clock:
    """A monotonic clock a test moves by hand."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def watch(url, clock=None):
    """A VersionWatch as another process would have it, counting its reads of Redis."""
    from core.caching import VERSION_KEY, VersionWatch

    watch = VersionWatch(redis.Redis.from_url(url), cache.make_key(VERSION_KEY), clock or Clock())
    script, watch.reads = watch.read_script, 0

    def read(**kwargs):
        watch.reads += 1
        return script(**kwargs)

    watch.read_script = read
    return watch


def confirmed(watch):
    """Poll `watch` until its subscription is confirmed, as requests would."""
    wait_until(lambda: watch.current() and watch.confirmed, timeout=5, interval=0.005)
    return watch


def kill_subscription(client, watch):
    """Drop `watch`'s subscription from the server's side, as a Redis restart would."""
    host, port = watch.subscription.connection._sock.getsockname()[:2]
    client.client_kill_filter(_type="pubsub", addr=f"{host}:{port}")


@needs_redis
def test_with_redis_the_version_is_shared_and_survives_a_flush(redis_cache):
    from core import caching

    first = caching.data_version()
    caching.bump_data_version()
    second = caching.data_version()
    assert second > first
    redis_cache.flushdb()  # a Redis restart that kept nothing
    caching.forget_redis()
    assert caching.data_version() > second


@needs_redis
def test_processes_follow_each_others_bumps_without_asking_redis(redis_cache, settings):
    writer, reader = confirmed(watch(settings.CACHE_URL)), confirmed(watch(settings.CACHE_URL))
    reads = reader.reads
    for _ in range(50):
        writer.bump()
        bumped = writer.current()  # the bumping process reads its bump back at once
        # Another process: by its next poll (on one host, microseconds after the writer had
        # its reply), without asking Redis.
        wait_until(lambda b=bumped: reader.current() == b, timeout=1, interval=0.0005)
    assert reader.reads == reads


@needs_redis
def test_a_lost_subscription_is_not_trusted_and_no_bump_is_missed(redis_cache, settings):
    writer, reader = watch(settings.CACHE_URL), confirmed(watch(settings.CACHE_URL))
    before = reader.current()
    kill_subscription(redis_cache, reader)
    writer.bump()  # published while the reader does not listen
    missed = writer.current()
    assert missed > before
    assert reader.current() >= missed  # read from Redis itself
    # Subscribed again, the version moves on once more: Redis may have come back from a
    # snapshot older than versions a process saw.
    assert confirmed(reader).current() > missed
    reads = reader.reads
    writer.bump()
    bumped = writer.current()
    wait_until(lambda: reader.current() == bumped, timeout=1, interval=0.0005)
    assert reader.reads == reads  # following the subscription again


@needs_redis
def test_a_version_older_than_one_seen_is_never_served_under(redis_cache, settings):
    from core.caching import VERSION_KEY

    reader = confirmed(watch(settings.CACHE_URL))
    seen = reader.current()
    # Redis comes back from a snapshot taken before the last bumps.
    redis_cache.set(cache.make_key(VERSION_KEY), seen - 5)
    kill_subscription(redis_cache, reader)
    assert reader.current() > seen


@needs_redis
def test_a_silent_subscription_is_checked_once_a_second(redis_cache, settings):
    from core.caching import RECHECK_SECONDS, VERSION_KEY

    clock = Clock()
    reader = confirmed(watch(settings.CACHE_URL, clock))
    before = reader.current()
    redis_cache.incr(cache.make_key(VERSION_KEY))  # changed without a message, as if lost
    assert reader.current() == before  # the subscription said nothing
    clock.now += RECHECK_SECONDS
    assert reader.current() == before + 1  # asked Redis itself
    assert not reader.confirmed  # and no longer trusts the subscription that missed it
    assert confirmed(reader).current() > before + 1  # subscribed again, bumped past it


@needs_redis
def test_each_process_has_its_own_connection(redis_cache):
    from core import caching

    # A forked worker must not write on its parent's socket.
    assert caching._process_redis(1) is not caching._process_redis(2)
    assert caching._process_redis(1) is caching._process_redis(1)


@pytest.fixture
def shared_cache(settings):
    """Point the response cache and Django's cache (the API's throttles) at a Redis URL."""
    from core import caching

    def point(url):
        settings.CACHE_URL = url
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
            }
        }
        caching.forget_redis()

    original = settings.CACHE_URL, settings.CACHES
    yield point
    settings.CACHE_URL, settings.CACHES = original
    caching._serving_without_cache.clear()
    caching.forget_redis()
    from core.api import OpenWhenUncountable

    OpenWhenUncountable.breaker.reset()  # throttles count again at once


@pytest.fixture
def cache_waits(monkeypatch):
    """The connections to Redis this test's thread opens, each one a wait where the cache
    is down or frozen (the bump's retrying thread, which no request waits on, aside)."""
    opened = []
    connect = redis.connection.Connection._connect

    def counted(connection):
        if threading.current_thread() is threading.main_thread():
            opened.append(connection.port)
        return connect(connection)

    monkeypatch.setattr(redis.connection.Connection, "_connect", counted)
    return opened


def test_with_the_cache_down_pages_and_the_api_answer_and_writes_stand(
    client, shared_cache, django_capture_on_commit_callbacks, caplog, cache_waits
):
    from core import caching

    shared_cache("redis://127.0.0.1:1/0")  # nothing listens on port 1
    launch = LaunchFactory(missile_name="Hwasong-11", status=Status.PUBLISHED)
    for _ in range(3):
        response = client.get(launch.get_absolute_url())
        assert response.status_code == 200
        assert "Hwasong-11" in response.content.decode()
        assert "X-Data-Version" not in response  # served without the cache
    api = client.get("/api/v1/launches/")
    assert api.status_code == 200  # unthrottled rather than down
    assert [row["slug"] for row in api.json()["results"]] == [launch.slug]
    with django_capture_on_commit_callbacks(execute=True):
        launch_update(launch=launch, missile_name="Renamed-7")  # its bump cannot be made
    launch.refresh_from_db()
    assert launch.missile_name == "Renamed-7"
    assert caching._outage().owed()
    assert "Renamed-7" in client.get(launch.get_absolute_url()).content.decode()
    # Nothing waits on the missing cache: one try for the version and one for the throttle's
    # count, then it is left alone (no retry, no backoff).
    assert len(cache_waits) == 2
    warnings = [r.getMessage() for r in caplog.records if r.name == "core.caching"]
    assert len([m for m in warnings if m.startswith("cache unavailable")]) == 1  # not per request


def test_a_bump_missed_while_redis_was_down_is_made_when_it_is_back(
    client, shared_cache, spare_redis, django_capture_on_commit_callbacks, monkeypatch
):
    from core import caching

    monkeypatch.setattr(caching, "CACHE_RETRY_SECONDS", 0.2)
    shared_cache(spare_redis.url)
    launch = LaunchFactory(missile_name="Hwasong-11", status=Status.PUBLISHED)
    cached = client.get(launch.get_absolute_url())
    before = int(cached["X-Data-Version"])
    assert "Hwasong-11" in cached.content.decode()
    assert "Hwasong-11" in client.get(launch.get_absolute_url()).content.decode()  # from cache
    spare_redis.stop()
    with django_capture_on_commit_callbacks(execute=True):
        launch_update(launch=launch, missile_name="Renamed-7")
    assert caching._outage().owed()
    assert "Renamed-7" in client.get(launch.get_absolute_url()).content.decode()  # uncached
    # Back: no request is needed for the owed bump to be made.
    spare_redis.start()  # empty: what sets the version now is the owed bump
    wait_until(lambda: not caching._outage().owed(), timeout=10)
    stored = redis.Redis.from_url(spare_redis.url).get(cache.make_key(caching.VERSION_KEY))
    assert int(stored) > before
    assert not caching._outage().quiet()  # served from the cache again, at once
    fresh = client.get(launch.get_absolute_url())
    assert int(fresh["X-Data-Version"]) == int(stored)
    assert "Renamed-7" in fresh.content.decode()


@pytest.fixture
def hanging_redis():
    """An address that accepts connections and never answers, as a frozen Redis would."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted = []

    def accept():
        with contextlib.suppress(OSError):
            while True:
                accepted.append(server.accept()[0])

    threading.Thread(target=accept, daemon=True).start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()
    for connection in accepted:
        connection.close()


def test_a_frozen_cache_costs_one_timeout_then_nothing_for_a_while(
    client, shared_cache, hanging_redis, django_capture_on_commit_callbacks, cache_waits
):
    from core import caching

    shared_cache(hanging_redis)
    launch = LaunchFactory(missile_name="Hwasong-11", status=Status.PUBLISHED)
    assert client.get(launch.get_absolute_url()).status_code == 200  # the version: one wait
    assert client.get("/api/v1/launches/").status_code == 200  # the throttle's count: one
    assert len(cache_waits) == 2  # each a connection that times out, none tried again
    for _ in range(5):
        assert client.get(launch.get_absolute_url()).status_code == 200
        assert client.get("/api/v1/launches/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        launch_update(launch=launch, missile_name="Renamed-7")  # owed, not waited for
    assert caching._outage().owed()
    assert "Renamed-7" in client.get(launch.get_absolute_url()).content.decode()
    assert len(cache_waits) == 2  # left alone: nothing waits on it again


@needs_redis
def test_with_redis_a_junk_parameter_makes_no_new_entry(
    client, settings, shared_cache, redis_cache
):
    shared_cache(settings.CACHE_URL)  # the responses too, not only the version
    launch = LaunchFactory(missile_name="Hwasong-11")
    for query in ("", "?a=1", "?b=2", "?a=3&b=4"):
        assert client.get(f"{launch.get_absolute_url()}{query}").status_code == 200
    assert len(redis_cache.keys("*salvo:response:*")) == 1
