"""Throttles: the API's, per token user or client address, and one on anonymous pages; and
the rate-limit headers every API response carries.

Kept apart from core.api, which DRF's settings import: the middleware below loads this
module before DRF's views exist.
"""

import logging
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import reduce

import redis
from django.conf import settings
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from rest_framework import throttling
from rest_framework.settings import api_settings

from .breaker import Breaker
from .clients import client_address

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Quota:
    """Where a client stands against one rate: `remaining` and `reset` (seconds until the
    oldest counted request leaves the window) are None when the count could not be read."""

    limit: int
    window: int
    remaining: int | None = None
    reset: int | None = None

    def headers(self):
        """The IETF draft's RateLimit-* fields (draft-ietf-httpapi-ratelimit-headers)."""
        fields = {
            "RateLimit-Limit": self.limit,
            "RateLimit-Policy": f"{self.limit};w={self.window}",
        }
        if self.remaining is not None:
            fields |= {"RateLimit-Remaining": self.remaining, "RateLimit-Reset": self.reset}
        return {name: str(value) for name, value in fields.items()}

    def tighter(self, other):
        """The quota nearer its end: the one a client meets first."""
        if other.remaining is None or self.remaining is None:
            return self if other.remaining is None and self.remaining is not None else other
        return min(self, other, key=lambda quota: (quota.remaining, quota.limit))


class RecentCounts:
    """The counts this process last read or wrote, per key, each for PEEK_SECONDS.

    A cached API answer is counted by no throttle: it only tells its client where it stands,
    and reading that from the cache was a round trip costing as much as the rest of the
    answer. Read here instead, the headers of a cached answer miss at most PEEK_SECONDS of
    the requests another process counted for the same client; what a throttle enforces is
    always read from the cache.
    """

    PEEK_SECONDS = 1.0
    LIMIT = 10_000  # clients remembered; the least recently noted are forgotten first

    def __init__(self, clock=time.monotonic):
        self.clock, self.entries, self.lock = clock, OrderedDict(), threading.Lock()

    def note(self, key, history):
        with self.lock:
            self.entries.pop(key, None)
            self.entries[key] = (list(history), self.clock() + self.PEEK_SECONDS)
            while len(self.entries) > self.LIMIT:
                self.entries.popitem(last=False)

    def get(self, key):
        """The history noted under `key`, or None when there is none as recent."""
        with self.lock:
            found = self.entries.get(key)
        if found is None or self.clock() >= found[1]:
            return None
        return found[0]

    def clear(self):
        with self.lock:
            self.entries.clear()


recent_counts = RecentCounts()


class OpenWhenUncountable:
    """A request is let through, unthrottled, when its count cannot be read: the cache
    that keeps the counts being down must not take the API down with it. After a failure
    the cache is left alone for a few seconds, so that requests do not each wait on it.

    Each throttle that counted a request notes the client's quota on it, for the headers."""

    QUIET_SECONDS = 5.0
    breaker = Breaker()

    def allow_request(self, request, view):
        if self.breaker.is_open():
            self.note(request, counted=False)
            return True
        try:
            allowed = super().allow_request(request, view)
        except redis.RedisError as exc:
            self.breaker.trip(self.QUIET_SECONDS)
            logger.warning("throttle counts unavailable, requests let through: %r", exc)
            self.note(request, counted=False)
            return True
        if getattr(self, "key", None) is not None:
            recent_counts.note(self.key, self.history)
        self.note(request, counted=True)
        return allowed

    def note(self, request, *, counted):
        if self.rate is None or (counted and getattr(self, "key", None) is None):
            return  # not a request this throttle counts (a token's, for the anonymous one)
        quota = self.quota() if counted else Quota(self.num_requests, self.duration)
        django_request = getattr(request, "_request", request)
        django_request.quotas = [*getattr(django_request, "quotas", []), quota]

    def quota(self):
        """The client's quota after this request, from the history just read."""
        remaining = max(0, self.num_requests - len(self.history))
        reset = math.ceil(self.history[-1] + self.duration - self.now) if self.history else 0
        return Quota(self.num_requests, self.duration, remaining, max(0, reset))

    def peek_key(self, request):
        """The key of the client's count, or None when this throttle does not count it: for
        an API response no throttle counted (served from the response cache, or by an
        endpoint that is not throttled), read with the other throttles' in one round trip."""
        if self.rate is None:
            return None
        self.key = self.get_cache_key(request, None)
        return self.key

    def peeked(self, history):
        """The client's quota from its count as stored, without this request; None: the
        count could not be read."""
        if history is None:
            return Quota(self.num_requests, self.duration)
        self.now = self.timer()
        self.history = [moment for moment in history if moment > self.now - self.duration]
        return self.quota()


class ByClientAddress:
    """Counted by the client's address as core.clients finds it, never by a header a
    client may set for itself (DRF's own rule trusts X-Forwarded-For from anyone)."""

    def get_ident(self, request):
        return client_address(request)


class AnonThrottle(ByClientAddress, OpenWhenUncountable, throttling.AnonRateThrottle):
    """Requests without a token, counted per client address."""


class TokenThrottle(ByClientAddress, OpenWhenUncountable, throttling.UserRateThrottle):
    """Requests with a token, counted per user."""


# The API throttles itself; admin logins have their lockout; probes and files are cheap.
UNTHROTTLED_PREFIXES = ("/api/", "/admin/", "/healthz", "/readyz", "/static/", "/bench/")


class PageThrottle(ByClientAddress, OpenWhenUncountable, throttling.SimpleRateThrottle):
    """Anonymous page requests per client address, at PAGE_ANON_RATE (None: unlimited)."""

    scope = "page"

    def get_rate(self):
        return settings.PAGE_ANON_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PageThrottleMiddleware:
    """Answers an anonymous reader over PAGE_ANON_RATE with a 429 page and Retry-After.

    It sits after the response cache, so only requests that reach the views are counted:
    a cached page costs no query, and counting it would cost a round trip to the cache on
    the hottest path. Requests that make the site work (misses, 404s, filters and pages
    not asked before) are what one client must not monopolise.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.PAGE_ANON_RATE and self._counted(request):
            throttle = PageThrottle()
            if not throttle.allow_request(request, None):
                return self._too_many(request, throttle.wait())
        return self.get_response(request)

    @staticmethod
    def _counted(request):
        user = getattr(request, "user", None)
        return not request.path.startswith(UNTHROTTLED_PREFIXES) and not (
            user is not None and user.is_authenticated
        )

    @staticmethod
    def _too_many(request, wait):
        seconds = max(1, math.ceil(wait or 1))
        response = render(request, "429.html", {"retry_after": seconds}, status=429)
        response["Retry-After"] = str(seconds)
        add_never_cache_headers(response)
        return response


class RateLimitHeadersMiddleware:
    """Every API response tells its client where it stands: RateLimit-Limit, -Remaining,
    -Reset and -Policy, for the quota the client is nearest to the end of.

    It sits before the response cache, so a cached answer gets the headers of its own
    client, and none are ever stored. A response no throttle counted (a cached answer, the
    docs page, an address that names no endpoint) reads the client's count without adding
    to it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            quotas = getattr(request, "quotas", None) or self._peek(request)
            if quotas:
                for name, value in reduce(Quota.tighter, quotas).headers().items():
                    response[name] = value
        return response

    @staticmethod
    def _peek(request):
        """Each throttle's quota for the client: the counts this process noted within
        RecentCounts.PEEK_SECONDS, the others read in one round trip. A cached answer is
        served in a fraction of a millisecond, and a read of the counts was half of it."""
        throttles = (throttle() for throttle in api_settings.DEFAULT_THROTTLE_CLASSES)
        keyed = [
            (throttle, key)
            for throttle in throttles
            if hasattr(throttle, "peek_key") and (key := throttle.peek_key(request)) is not None
        ]
        if not keyed:
            return []
        if OpenWhenUncountable.breaker.is_open():
            return [throttle.peeked(None) for throttle, _ in keyed]
        noted = ((key, recent_counts.get(key)) for _, key in keyed)
        counts = {key: history for key, history in noted if history is not None}
        unread = [key for _, key in keyed if key not in counts]
        if unread:
            try:
                read = keyed[0][0].cache.get_many(unread)
            except redis.RedisError as exc:
                OpenWhenUncountable.breaker.trip(OpenWhenUncountable.QUIET_SECONDS)
                logger.warning("throttle counts unavailable: %r", exc)
                return [throttle.peeked(None) for throttle, _ in keyed]
            for key in unread:
                counts[key] = read.get(key, [])
                recent_counts.note(key, counts[key])
        return [throttle.peeked(counts[key]) for throttle, key in keyed]
