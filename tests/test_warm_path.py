"""What a response served from the cache costs around it: the rate-limit headers read the
client's counts in one round trip to the cache, and nothing else reads it."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from core.throttling import AnonThrottle

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
    # Both throttles' counts (anonymous, and per address), in one read; this one not counted.
    assert reads == ["get_many"]
    assert (cached["RateLimit-Limit"], cached["RateLimit-Remaining"]) == ("120", "119")
