"""Throttles: the API's, per token user or client address, and one on anonymous pages.

Kept apart from core.api, which DRF's settings import: the middleware below loads this
module before DRF's views exist.
"""

import logging
import math

import redis
from django.conf import settings
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from rest_framework import throttling

from .breaker import Breaker
from .clients import client_address

logger = logging.getLogger(__name__)


class OpenWhenUncountable:
    """A request is let through, unthrottled, when its count cannot be read: the cache
    that keeps the counts being down must not take the API down with it. After a failure
    the cache is left alone for a few seconds, so that requests do not each wait on it."""

    QUIET_SECONDS = 5.0
    breaker = Breaker()

    def allow_request(self, request, view):
        if self.breaker.is_open():
            return True
        try:
            return super().allow_request(request, view)
        except redis.RedisError as exc:
            self.breaker.trip(self.QUIET_SECONDS)
            logger.warning("throttle counts unavailable, requests let through: %r", exc)
            return True


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
