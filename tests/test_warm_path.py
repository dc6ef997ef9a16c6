"""What a response served from the cache costs around it: the rate-limit headers take the
client's counts this process noted a moment ago, or read them in one round trip to the cache,
and nothing else reads it."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from core.throttling import AnonThrottle, OpenWhenUncountable, RecentCounts, recent_counts

from .factories import LaunchFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reads(monkeypatch):
    """The throttles' reads of the cache (of keys holding a count), by method; a read made
    by another (local memory's get_many gets each key) is not one more round trip."""
    seen = []
    depth = []
    for name in ("get", "get_many"):
        read = getattr(AnonThrottle.cache, name)

        def counted(keys, *args, _read=read, _name=name, **kwargs):
            if "throttle" in str(keys) and not depth:
                seen.append(_name)
            depth.append(_name)
            try:
                return _read(keys, *args, **kwargs)
            finally:
                depth.pop()

        monkeypatch.setattr(AnonThrottle.cache, name, counted)
    return seen


def test_a_cached_api_answer_reads_its_clients_counts_at_once(settings, reads):
    cache.clear()
    settings.PUBLIC_CACHE_SECONDS = 600
    LaunchFactory()
    api = APIClient()
    counted = api.get("/api/v1/launches/")
    assert counted["RateLimit-Remaining"] == "119"
    reads.clear()
    cached = api.get("/api/v1/launches/")
    assert cached.content == counted.content
    # The counts this process wrote a moment ago: not read again, and this one not counted.
    assert reads == []
    assert (cached["RateLimit-Limit"], cached["RateLimit-Remaining"]) == ("120", "119")
    # Once they are older than a moment, both throttles' counts (anonymous, and per
    # address) are read in one round trip, and the other processes' requests show.
    recent_counts.clear()
    AnonThrottle.cache.set(AnonThrottle().get_cache_key(cached.wsgi_request, None), [])
    cached = api.get("/api/v1/launches/")
    assert reads == ["get_many"]
    assert cached["RateLimit-Remaining"] == "120"


def test_recent_counts_are_kept_for_a_moment_and_for_a_bounded_number_of_clients():
    now = [0.0]
    counts = RecentCounts(clock=lambda: now[0])
    counts.note("a", [1.0])
    assert counts.get("a") == [1.0]
    now[0] = RecentCounts.PEEK_SECONDS
    assert counts.get("a") is None
    for n in range(RecentCounts.LIMIT + 1):
        counts.note(str(n), [])
    assert counts.get("0") is None
    assert counts.get(str(RecentCounts.LIMIT)) == []


@pytest.fixture
def clocks(monkeypatch):
    """The throttles' timer and RecentCounts' clock, moved by the test alone."""
    now = {"time": 1_000_000.0, "monotonic": 50.0}
    monkeypatch.setattr(SimpleRateThrottle, "timer", lambda self: now["time"])
    monkeypatch.setattr(recent_counts, "clock", lambda: now["monotonic"])
    return now


@pytest.fixture
def cached_list(settings):
    """An API list stored in the response cache by one (counted) request of the client's."""
    cache.clear()
    settings.PUBLIC_CACHE_SECONDS = 600
    LaunchFactory()
    api = APIClient()
    assert "X-Data-Version" in api.get("/api/v1/launches/")
    return api


def standing(api, **extra):
    """RateLimit-Remaining and -Reset of the client's cached answer."""
    cached = api.get("/api/v1/launches/", **extra)
    assert "X-Data-Version" in cached  # served by the response cache: counted by no throttle
    assert (cached["RateLimit-Limit"], cached["RateLimit-Policy"]) == ("120", "120;w=60")
    return cached["RateLimit-Remaining"], cached["RateLimit-Reset"]


def test_cached_answers_follow_the_clients_count_as_requests_and_seconds_pass(clocks, cached_list):
    assert standing(cached_list) == ("119", "60")
    clocks["time"] += 0.5
    assert standing(cached_list) == ("119", "60")  # 59.5 s to go: still "60"
    clocks["time"] += 0.6
    assert standing(cached_list) == ("119", "59")
    assert cached_list.get("/api/v1/actors/")["RateLimit-Remaining"] == "118"  # counted
    assert standing(cached_list) == ("118", "59")
    clocks["time"] += 59.0  # the first request counted has left the window
    assert standing(cached_list) == ("119", "1")
    clocks["time"] += 1.0  # and the second
    assert standing(cached_list) == ("120", "0")


def test_cached_answers_show_another_workers_counts_within_a_second(clocks, cached_list):
    assert standing(cached_list) == ("119", "60")
    key = AnonThrottle().get_cache_key(cached_list.get("/api/v1/launches/").wsgi_request, None)
    AnonThrottle.cache.set(key, [clocks["time"]] * 5)  # five requests another process counted
    clocks["monotonic"] += RecentCounts.PEEK_SECONDS / 2
    assert standing(cached_list) == ("119", "60")  # this process's count, noted a moment ago
    clocks["monotonic"] += RecentCounts.PEEK_SECONDS / 2
    assert standing(cached_list) == ("115", "60")


def test_each_client_gets_its_own_headers_and_a_signed_in_reader_its_users(clocks, cached_list):
    assert standing(cached_list) == ("119", "60")
    assert standing(cached_list, REMOTE_ADDR="192.0.2.7") == ("120", "0")
    assert standing(cached_list) == ("119", "60")
    # From the same address, a reader signed in is never served from the cache, and what no
    # throttle counts (an address naming no endpoint) tells it its user's quota.
    reader = APIClient()
    reader.force_login(UserFactory())
    signed_in = reader.get("/api/v1/nothing-here/")
    assert signed_in.status_code == 404
    assert (signed_in["RateLimit-Limit"], signed_in["RateLimit-Remaining"]) == ("600", "600")
    assert "Cookie" in signed_in["Vary"]
    listed = reader.get("/api/v1/launches/")
    assert "X-Data-Version" not in listed
    assert (listed["RateLimit-Limit"], listed["RateLimit-Remaining"]) == ("600", "599")
    anonymous = cached_list.get("/api/v1/nothing-here/")
    assert (anonymous["RateLimit-Limit"], anonymous["RateLimit-Remaining"]) == ("120", "119")
    assert standing(cached_list) == ("119", "60")


def test_a_304_from_the_cache_carries_the_headers_and_varies_on_the_session(clocks, cached_list):
    etag = cached_list.get("/api/v1/launches/")["ETag"]
    for _ in range(2):
        repeat = cached_list.get("/api/v1/launches/", headers={"If-None-Match": etag})
        assert repeat.status_code == 304
        assert repeat["RateLimit-Remaining"] == "119"
        assert [name.strip() for name in repeat["Vary"].split(",")] == ["Cookie", "origin"]


def test_while_the_counts_cannot_be_read_cached_answers_carry_only_the_limit(clocks, cached_list):
    assert standing(cached_list) == ("119", "60")
    OpenWhenUncountable.breaker.trip(60)
    try:
        cached = cached_list.get("/api/v1/launches/")
        assert "RateLimit-Remaining" not in cached
        assert "RateLimit-Reset" not in cached
        assert cached["RateLimit-Policy"] == f"{cached['RateLimit-Limit']};w=60"
    finally:
        OpenWhenUncountable.breaker.reset()
    assert standing(cached_list) == ("119", "60")
