"""What a response served from the cache costs around it: the rate-limit headers take the
client's counts this process noted a moment ago, or read them in one round trip to the cache,
and nothing else reads it."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from core.throttling import AnonThrottle, RecentCounts, recent_counts

from .factories import LaunchFactory

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
