"""Throttles: the API's, per token user or client address, and one on anonymous pages; and
the rate-limit headers every API response carries.

Kept apart from core.api, which DRF's settings import: the middleware below loads this
module before DRF's views exist.
"""

import functools
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
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import split_header_value
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
        # Moved by every note and clear: what was worked out from the counts before is stale.
        self.changes = 0

    def note(self, key, history):
        """Keep `history` under `key`; returns what `noted(key)` returns until it expires."""
        noted = (list(history), self.clock() + self.PEEK_SECONDS)
        with self.lock:
            self.entries.pop(key, None)
            self.entries[key] = noted
            while len(self.entries) > self.LIMIT:
                self.entries.popitem(last=False)
            self.changes += 1
        return noted

    def get(self, key):
        """The history noted under `key`, or None when there is none as recent."""
        found = self.noted(key)
        return None if found is None else found[0]

    def noted(self, key):
        """(The history noted under `key`, until when it is kept), or None when there is none
        as recent."""
        with self.lock:
            found = self.entries.get(key)
        if found is None or self.clock() >= found[1]:
            return None
        return found

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.changes += 1


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

    def peeked_until(self):
        """Until when (by the timer) the quota just peeked stays as it is while nothing is
        added to the count: until its reset's second turns, which comes before the oldest
        request counted leaves the window and changes what remains."""
        if not self.history:
            return math.inf
        leaves = self.history[-1] + self.duration
        return leaves - math.ceil(leaves - self.now) + 1


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
            quotas = getattr(request, "quotas", None)
            if quotas:
                headers = reduce(Quota.tighter, quotas).headers()
            else:
                headers = _peeked_headers(request, response)
            for name, value in headers.items():
                response[name] = value
        return response


class PeekedHeaders:
    """The rate-limit headers last peeked for each anonymous client address, for as long as
    peeking again would give the same: until a count is noted or read in this process
    (RecentCounts.changes), one they came from leaves RecentCounts (and is to be read from
    the cache again), or a quota's reset turns a second.

    A cached answer of `make bench`'s API list took 274 µs in process, the same bytes from a
    view that does nothing 145: 56 of the difference went to finding out again who was
    asking (the session, its user, each throttle's key), each throttle's quota and the
    headers; kept, the headers cost 13. Kept only for a request no one can be signed in on:
    the throttles count it by its client address alone.
    """

    LIMIT = 10_000  # clients remembered; all are forgotten at once past it

    def __init__(self):
        self.entries = {}

    def get(self, key, now):
        """The headers kept under `key`, or None when they may no longer hold at `now` (by
        the throttles' timer)."""
        found = self.entries.get(key)
        if found is None:
            return None
        headers, changes, counts_expire, until = found
        if (
            changes != recent_counts.changes
            or recent_counts.clock() >= counts_expire
            or now >= until
        ):
            return None
        return headers

    def put(self, key, headers, throttles, counts):
        """Keep `headers`, peeked by `throttles` from `counts` (as `_peek` returns them),
        unless a count changed meanwhile."""
        changes = recent_counts.changes
        if not all(recent_counts.noted(name) is count for name, count in counts.items()):
            return
        if len(self.entries) >= self.LIMIT:
            self.entries.clear()
        self.entries[key] = (
            headers,
            changes,
            min(expires for _, expires in counts.values()),
            min(t.peeked_until() for t in throttles if getattr(t, "key", None) is not None),
        )


peeked_headers = PeekedHeaders()


def _anonymous(request):
    """Whether no one can be signed in on `request`: no session cookie, no Authorization."""
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _peeked_headers(request, response):
    """The rate-limit headers of a response no throttle counted."""
    throttles = [throttle() for throttle in api_settings.DEFAULT_THROTTLE_CLASSES]
    if (
        not throttles
        or OpenWhenUncountable.breaker.is_open()
        or not _anonymous(request)
        or not all(isinstance(throttle, ByClientAddress) for throttle in throttles)
    ):
        return _tightest(_peek(request, throttles)[0])
    # They depend on who is signed in, which it takes the session to know: as reading the
    # user would tell the session middleware, which adds the same. API answers say so already.
    if "cookie" not in _varies_on(response.get("Vary", "")):
        patch_vary_headers(response, ("Cookie",))
    key = (client_address(request), tuple((type(t), t.rate) for t in throttles))
    headers = peeked_headers.get(key, throttles[0].timer())
    if headers is None:
        quotas, counts = _peek(request, throttles)
        headers = _tightest(quotas)
        if counts:
            peeked_headers.put(key, headers, throttles, counts)
    return headers


@functools.lru_cache(maxsize=64)
def _varies_on(vary):
    return frozenset(name.lower() for name in split_header_value(vary))


def _tightest(quotas):
    return reduce(Quota.tighter, quotas).headers() if quotas else {}


def _peek(request, throttles):
    """Each throttle's quota for the client, and the counts they come from as RecentCounts
    keeps them, by key (None when they could not be read): the counts this process noted
    within RecentCounts.PEEK_SECONDS, the others read in one round trip. A cached answer is
    served in a fraction of a millisecond, and a read of the counts was half of it."""
    keyed = [
        (throttle, key)
        for throttle in throttles
        if hasattr(throttle, "peek_key") and (key := throttle.peek_key(request)) is not None
    ]
    if not keyed:
        return [], None
    if OpenWhenUncountable.breaker.is_open():
        return [throttle.peeked(None) for throttle, _ in keyed], None
    counts = {key: recent_counts.noted(key) for _, key in keyed}
    unread = [key for key, count in counts.items() if count is None]
    if unread:
        try:
            read = keyed[0][0].cache.get_many(unread)
        except redis.RedisError as exc:
            OpenWhenUncountable.breaker.trip(OpenWhenUncountable.QUIET_SECONDS)
            logger.warning("throttle counts unavailable: %r", exc)
            return [throttle.peeked(None) for throttle, _ in keyed], None
        for key in unread:
            counts[key] = recent_counts.note(key, read.get(key, []))
    return [throttle.peeked(counts[key][0]) for throttle, key in keyed], counts
