"""Whole responses for anonymous readers, cached under a data version every write bumps.

One version for the whole dataset makes invalidation one increment and a CDN purge one
key: any change to a launch, event, link, source or statement, published or not, moves
every cached page and API response to a new key. Readers never see a stale response, and
an unchanged dataset is served from the cache (local memory by default; Redis, shared by
all processes, in production).
"""

import functools
import hashlib
import threading
import time
from collections import OrderedDict

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse, HttpResponseNotModified

from . import signals

VERSION_KEY = "salvo:data-version"
DATA_APPS = {"timeline", "reactions"}
UNCACHED_PREFIXES = (
    "/admin/",
    "/healthz",
    "/readyz",
    "/static/",
    "/api/docs",
    "/api/schema",
    "/bench/",
)
# Each process keeps the bodies it served last, under the same versioned keys, so a hot
# page costs one small read of the data version from the shared cache, not its body.
LOCAL_BYTES = 64 * 1024 * 1024


class LocalResponses:
    """A small least-recently-used store of cached responses, bounded by their size."""

    def __init__(self, limit):
        self.limit, self.size, self.entries = limit, 0, OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        weight = len(entry[1])
        if weight > self.limit:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = entry
            self.size += weight
            while self.size > self.limit:
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped[1])


local_responses = LocalResponses(LOCAL_BYTES)


@functools.cache
def _redis():
    """One Redis client for the process when the cache is Redis: the version is read on
    every anonymous request, and a client per read would cost more than the read. One
    connection, held under the client's lock, rather than a pool: a third less per read."""
    if settings.CACHE_URL.startswith(("redis://", "rediss://")):
        return redis.Redis.from_url(settings.CACHE_URL, single_connection_client=True)
    return None


def data_version():
    """The current data version.

    A cache that lost it (flushed, evicted) starts from the clock, never from a number
    used before: a process's local copies under an old version can never be served again.
    """
    client, key = _redis(), cache.make_key(VERSION_KEY)
    if client is not None:
        version = client.get(key)
        if version is None:
            client.set(key, time.time_ns(), nx=True)
            version = client.get(key)
        return int(version)
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump_data_version():
    """Move every cached response to a new key: called after any write commits."""
    client = _redis()
    if client is not None:
        key = cache.make_key(VERSION_KEY)
        client.set(key, time.time_ns(), nx=True)
        client.incr(key)
        return
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # the key was evicted or never set
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)


def _on_write(sender, **kwargs):
    if sender._meta.app_label in DATA_APPS and not sender.__name__.startswith("Historical"):
        transaction.on_commit(bump_data_version)


def connect():
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_write, dispatch_uid=f"salvo-cache-{signal}")
    for signal in (signals.record_published, signals.record_updated, signals.record_unpublished):
        signal.connect(_on_write, dispatch_uid=f"salvo-cache-{id(signal)}")


# A cached response is only served to requests with no Cookie and no Authorization, and
# its key holds the Accept header: a response varying on these alone is safe to share.
KEYED_VARY = {"accept", "accept-encoding", "authorization", "cookie"}


def _varies_only_on_what_the_key_holds(response):
    varies = {h.strip().lower() for h in response.get("Vary", "").split(",") if h.strip()}
    return varies <= KEYED_VARY


class PublicResponseCacheMiddleware:
    """Serve anonymous GETs from the cache, with an ETag and 304s for repeat requests.

    Only requests without a session cookie or Authorization header are cached, and only
    200 responses that set no cookie: nothing personal is ever stored or served.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self._cacheable_request(request):
            return self.get_response(request)
        version = data_version()
        fingerprint = hashlib.sha256(
            "\n".join(
                (request.get_full_path(), request.headers.get("Accept", ""), request.method)
            ).encode()
        ).hexdigest()[:32]
        key = f"salvo:response:{version}:{fingerprint}"
        cached = local_responses.get(key) or cache.get(key)
        if cached is None:
            response = self.get_response(request)
            if not self._cacheable_response(request, response):
                return response
            if not response.has_header("ETag"):
                response["ETag"] = f'W/"{version}-{fingerprint[:16]}"'
            cached = (response.status_code, response.content, self._headers(response))
            cache.set(key, cached, timeout=settings.PUBLIC_CACHE_SECONDS)
        local_responses.put(key, cached)
        status, content, headers = cached
        if request.headers.get("If-None-Match") == headers.get("ETag"):
            response = HttpResponseNotModified()
            response["ETag"] = headers["ETag"]
        else:
            response = HttpResponse(content, status=status)
            for name, value in headers.items():
                response[name] = value
        response["X-Data-Version"] = str(version)
        return response

    @staticmethod
    def _cacheable_request(request):
        return (
            settings.PUBLIC_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "Authorization" not in request.headers
            and not request.path.startswith(UNCACHED_PREFIXES)
        )

    @staticmethod
    def _cacheable_response(request, response):
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and _varies_only_on_what_the_key_holds(response)
        )

    @staticmethod
    def _headers(response):
        kept = ("Content-Type", "ETag", "Last-Modified", "Link", "Content-Language", "Vary")
        headers = {name: response[name] for name in kept if response.has_header(name)}
        max_age = settings.PUBLIC_CACHE_MAX_AGE
        headers["Cache-Control"] = f"public, max-age={max_age}" + (
            "" if max_age else ", must-revalidate"
        )
        return headers
