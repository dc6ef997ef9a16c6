"""Whole responses for anonymous readers, cached under a data version every write bumps.

One version for the whole dataset makes invalidation one increment and a CDN purge one
key: any change readers can see — a published record created, changed, unpublished or
deleted, or a record without a status (a source, speaker, claim, theme) that a published
record hangs from — moves every cached page and API response to a new key. Drafts never
move it: the version and the ETags are public, and must not tell anyone when drafts are
saved. Readers never see a stale response, and an unchanged dataset is served from the
cache (local memory by default; Redis, shared by all processes, in production).

A key holds only what makes the response: the query parameters the view reads (sorted;
any other is dropped from the request too), and the origin its absolute links use.
"""

import contextlib
import functools
import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from urllib.parse import urlencode

import redis
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save, pre_delete, pre_save
from django.http import HttpResponse, HttpResponseNotModified, QueryDict
from django.urls import Resolver404, resolve

from .breaker import Breaker
from .schema import query_parameters

logger = logging.getLogger(__name__)
VERSION_KEY = "salvo:data-version"
UNCACHED_PREFIXES = (
    "/admin/",
    "/healthz",
    "/readyz",
    "/static/",
    "/api/docs",
    "/api/schema",
    "/bench/",
    # The download files carry their own ETag; the data page is one small read of a file.
    # Both change when a rebuild ends, after the write that bumped the version.
    "/data/",
)
# Each process keeps the bodies it served last, under the same versioned keys, so a hot
# page costs a poll of the version's subscription, not a read of its body from Redis.
LOCAL_BYTES = 64 * 1024 * 1024


class LocalResponses:
    """A small least-recently-used store of cached responses, bounded by their size, each
    kept no longer than the shared cache keeps it (PUBLIC_CACHE_SECONDS)."""

    def __init__(self, limit, clock=time.monotonic):
        self.limit, self.size, self.entries = limit, 0, OrderedDict()
        self.lock = threading.Lock()
        self.clock = clock

    def get(self, key):
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                return None
            entry, expires = found
            if self.clock() >= expires:
                del self.entries[key]
                self.size -= len(entry[1])
                return None
            self.entries.move_to_end(key)
            return entry

    def put(self, key, entry, *, seconds):
        weight = len(entry[1])
        if weight > self.limit:
            return
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = (entry, self.clock() + seconds)
            self.size += weight
            while self.size > self.limit:
                _, (dropped, _) = self.entries.popitem(last=False)
                self.size -= len(dropped[1])


local_responses = LocalResponses(LOCAL_BYTES)


def _shared():
    """Whether the cache is Redis, shared by every process, rather than local memory."""
    return settings.CACHE_URL.startswith(("redis://", "rediss://"))


def _redis():
    """This process's Redis client when the cache is Redis, or None."""
    return _process_redis(os.getpid())


@functools.cache
def _process_redis(pid):
    # One per process, as a forked worker must not share its parent's socket. One
    # connection, held under the client's lock, rather than a pool: a third less per command.
    if _shared():
        return redis.Redis.from_url(
            settings.CACHE_URL,
            single_connection_client=True,
            socket_timeout=CACHE_TIMEOUT,
            socket_connect_timeout=CACHE_TIMEOUT,
            socket_keepalive=True,
        )
    return None


# Versions are decimal strings throughout: Lua numbers are doubles, and a version, which
# starts from the clock in nanoseconds, has more digits than a double keeps. Compared as
# strings: the longer is the larger, and of two as long, the later in order.
# A bump moves the version to the clock or one past it, whichever is larger, so that no
# number is ever used twice, even after Redis came back from an older snapshot.
BUMP_SCRIPT = """
local version = redis.call('GET', KEYS[1])
local now = ARGV[1]
if not version or #now > #version or (#now == #version and now > version) then
  redis.call('SET', KEYS[1], now)
else
  redis.call('INCR', KEYS[1])
end
version = redis.call('GET', KEYS[1])
redis.call('PUBLISH', ARGV[2], version)
return version
"""
READ_SCRIPT = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then redis.call('PUBLISH', ARGV[2], ARGV[1]) end
return redis.call('GET', KEYS[1])
"""
# How often a process asks Redis even though its subscription looks healthy: the bound on
# staleness if a connection died without the process noticing.
RECHECK_SECONDS = 1.0
# Seconds to wait on Redis before serving without the cache, and to leave it alone after
# it failed to answer, rather than make every request wait again.
CACHE_TIMEOUT = 1.0
CACHE_RETRY_SECONDS = 5.0
# How often a bump owed to Redis is tried again.
RETRY_INTERVAL = 0.5


class VersionWatch:
    """This process's copy of the data version, kept current by the version channel.

    Reading the version from Redis on every request costs a round trip, more than serving a
    cached body from memory. Instead each process subscribes to a channel on which every
    change of the version is published, by the same script as the change, and per request
    only polls its own connection. Redis writes the message to every subscriber in the
    same pass of its event loop as its answer to the bump, so a reader learns of it within
    the network's delivery time — long before the writer's response has reached anyone, on
    one host — and in any case within RECHECK_SECONDS, when the process asks Redis itself.
    It also asks whenever it cannot trust the subscription: before it is confirmed, after
    a reconnection (messages may have been missed) or an error.

    Two rules keep an old number from coming back: a process never takes a version lower
    than one it has seen — Redis restored an older snapshot, so it bumps past it — and a
    subscription lost and confirmed again bumps once, as Redis may have come back from a
    snapshot with a version a process that saw the later ones has not told it of yet.
    """

    def __init__(self, client, key, clock=time.monotonic):
        self.client, self.key, self.clock = client, key, clock
        database = client.connection_pool.connection_kwargs.get("db", 0)
        self.channel = f"{key}:{database}"  # channels are shared by a server's databases
        self.read_script = client.register_script(READ_SCRIPT)
        self.bump_script = client.register_script(BUMP_SCRIPT)
        self.lock = threading.Lock()
        self.subscription = None
        self.confirmed = False  # the subscription is live and was read directly since
        self.lost = False  # the subscription was lost since it was last confirmed
        self.version = None
        self.highest = 0  # the highest version this process has seen
        self.must_read = True  # ask Redis itself before the next answer
        self.read_at = 0.0

    def current(self):
        """The current version: from the subscription when it can be trusted, else from Redis."""
        with self.lock:
            if _outage().quiet():  # Redis failed while this request waited for the lock
                raise CacheUnavailable("Redis failed a moment ago")
            try:
                return self._current()
            except redis.RedisError:
                # Whatever it was, the subscription may have missed bumps meanwhile.
                self._unsubscribe()
                raise

    def _current(self):
        try:
            self._follow()
        except redis.RedisError:
            self._unsubscribe()
        if self.version is not None and self.version < self.highest:
            self.must_read = True
        if self.must_read or not self.confirmed or self.clock() - self.read_at >= RECHECK_SECONDS:
            routine = self.confirmed and not self.must_read
            read = int(self.read_script(keys=[self.key], args=self._args()))
            if routine and read != self.version:
                self._follow()  # a bump may have been published since the poll
                if self.version < read:
                    self._unsubscribe()  # it missed a change: it cannot be trusted
                read = max(read, self.version)
            self._take(read)
            self.must_read, self.read_at = False, self.clock()
        return self.version

    def bump(self):
        """Move the version on and publish it; this process reads it back before serving."""
        version = self.bump_script(keys=[self.key], args=self._args())
        with self.lock:
            self.highest = max(self.highest, int(version))
            self.must_read = True

    def _args(self):
        # Never below a version seen, even with the clock stepped back or behind another's.
        return [max(time.time_ns(), self.highest + 1), self.channel]

    def _take(self, version):
        # A version read from Redis itself, which may have come back from a snapshot.
        version = int(version)
        if version < self.highest:  # an older number than one seen: never serve under it
            version = int(self.bump_script(keys=[self.key], args=self._args()))
        self.version = version
        self.highest = max(self.highest, version)

    def _follow(self):
        if self.subscription is None:
            self.subscription = self.client.pubsub()
            self.subscription.subscribe(self.channel)
            self.subscription.connection.register_connect_callback(self._reconnected)
        while (message := self.subscription.get_message(timeout=0)) is not None:
            if message["type"] == "message":
                with contextlib.suppress(ValueError):  # only numbers are published here
                    self.version = int(message["data"])
                    self.highest = max(self.highest, self.version)
            elif message["type"] == "subscribe":
                # Confirmed, first or again after a reconnection: what was published before
                # may be lost, what is published from now on arrives. One direct read next.
                self.confirmed, self.must_read = True, True
                if self.lost:
                    self._take(self.bump_script(keys=[self.key], args=self._args()))
                    self.lost = False

    def _reconnected(self, connection):
        # redis-py reconnects a subscription by itself, inside a poll: until the new
        # subscription is confirmed, nothing it says can be trusted.
        self.confirmed, self.lost = False, True

    def _unsubscribe(self):
        if self.subscription is not None:
            with contextlib.suppress(redis.RedisError):
                self.subscription.close()
            self.lost = True
        self.subscription, self.confirmed = None, False


def _version_watch():
    return _process_version_watch(os.getpid())


@functools.cache
def _process_version_watch(pid):
    client = _redis()
    return None if client is None else VersionWatch(client, cache.make_key(VERSION_KEY))


class CacheUnavailable(Exception):
    """The shared cache cannot be trusted or reached: serve without it."""


class Outage:
    """What this process knows of Redis failing: until when to leave it alone, and since
    when a bump it could not make is owed. A bump is owed until one that started after the
    failure succeeds; a thread tries every RETRY_INTERVAL, so that it is made as soon as
    Redis answers, even in a process that serves no request (a worker, a command)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.breaker = Breaker()
        self.owed_since = None
        self.retrying = False

    def failed(self, *, bump):
        with self.lock:
            self.breaker.trip(CACHE_RETRY_SECONDS)
            if bump and self.owed_since is None:
                self.owed_since = time.monotonic()
                logger.error("cache unreachable: the data version is bumped when it answers")
            if self.owed_since is not None and not self.retrying:
                self.retrying = True
                threading.Thread(target=self._retry, name="salvo-bump", daemon=True).start()

    def bump(self, *, retrying=False):
        """Bump the shared version; a failure makes the bump owed. While Redis is left alone,
        the bump is owed at once, for the thread to make: a write does not wait on Redis."""
        if not retrying and self.quiet():
            self.failed(bump=True)
            return
        started = time.monotonic()
        try:
            watch = _version_watch()
            if watch is not None:  # None: the cache is no longer Redis, nothing is owed
                watch.bump()
        except redis.RedisError:
            self.failed(bump=True)
        else:
            with self.lock:
                if self.owed_since is not None and started >= self.owed_since:
                    self.owed_since = None
                    self.breaker.reset()

    def quiet(self):
        return self.breaker.is_open()

    def owed(self):
        return self.owed_since is not None

    def _retry(self):
        while True:
            with self.lock:
                if self.owed_since is None:
                    self.retrying = False
                    return
            time.sleep(RETRY_INTERVAL)
            self.bump(retrying=True)

    def abandon(self):
        """Owe nothing more (the cache it was owed to is no longer used)."""
        with self.lock:
            self.owed_since = None


def _outage():
    return _process_outage(os.getpid())


@functools.cache
def _process_outage(pid):
    # Per process: a forked child inherits its parent's state but not its retrying thread.
    return Outage()


def forget_redis():
    """Drop this process's Redis client, version watch and outage (after CACHE_URL changed)."""
    _outage().abandon()
    _process_redis.cache_clear()
    _process_version_watch.cache_clear()
    _process_outage.cache_clear()


# Set while requests are served around an unavailable cache: logged once, not per request.
_serving_without_cache = threading.Event()


def data_version():
    """The current data version.

    A cache that lost it (flushed, evicted) starts from the clock, never from a number
    used before: a process's local copies under an old version can never be served again.
    Raises CacheUnavailable while Redis is failing or a bump is owed to it.
    """
    if _shared():
        if _outage().quiet() or _outage().owed():
            raise CacheUnavailable("the data version cannot be trusted yet")
        try:
            return _version_watch().current()
        except redis.RedisError:
            _outage().failed(bump=False)
            raise
        except ValueError as exc:  # something other than a number stored under the key
            raise CacheUnavailable("the data version in Redis is not a number") from exc
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump_data_version():
    """Move every cached response to a new key: called after any write commits.

    With Redis unreachable the write still stands; the bump is owed, made as soon as Redis
    answers again, and nothing is served from the cache in between.
    """
    if _shared():
        _outage().bump()
        return
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # the key was evicted or never set
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)


PUBLISHED = "published"


def _tracked(model):
    return (
        model._meta.app_label in settings.READER_DATA_APPS
        and not model.__name__.startswith("Historical")
        and not model._meta.auto_created  # a many-to-many table: its ends are what count
    )


def _status_values(model):
    try:
        status = model._meta.get_field("status")
    except FieldDoesNotExist:
        return None
    return {value for value, _ in status.choices or ()}


@functools.cache
def _publishable(model):
    """Whether `model` has a publication status (launch, event, link, statement)."""
    return PUBLISHED in (_status_values(model) or ())


@functools.cache
def _workflow_only(model):
    """Whether `model` has a status of another kind (an import job, a trigger suggestion):
    records of the desk's workflow, which readers never see."""
    return _status_values(model) is not None and not _publishable(model)


def _query_name(field):
    """The lookup that leads from the model at the other end of `field` back to this one."""
    if field.auto_created and not field.concrete:  # a reverse relation: the field is theirs
        return field.field.name
    return field.related_query_name()


@functools.cache
def _publication_lookups(model):
    """(publishable model, lookup to `model`) for each record `model` may hang from, directly
    or through one record without a status (a source cited only by a launch's claim)."""
    lookups = []
    for field, related in _relations(model):
        if _publishable(related):
            lookups.append((related, _query_name(field)))
        elif field.auto_created and not field.concrete and not _workflow_only(related):
            # Through a record that points at this one (a claim citing a source), not one
            # this one points at (a claim's source), which it does not hang from.
            lookups += [
                (further, f"{_query_name(hop)}__{_query_name(field)}")
                for hop, further in _relations(related)
                if _publishable(further)
            ]
    return tuple(lookups)


def _relations(model):
    """(field, related model) for each relation of `model` to another tracked model that
    can be followed back (not a hidden `related_name="+"` one)."""
    for field in model._meta.get_fields():
        related = field.related_model if field.is_relation else None
        if related is None or related is model or not _tracked(related):
            continue
        if "+" not in _query_name(field):
            yield field, related


def _seen_by_readers(instance):
    """Whether readers see `instance` now: published, or, without a status of its own,
    hanging from a published record."""
    model = type(instance)
    if _publishable(model):
        return instance.status == PUBLISHED
    if _workflow_only(model):
        return False
    return any(
        publishable._base_manager.filter(**{lookup: instance.pk}, status=PUBLISHED).exists()
        for publishable, lookup in _publication_lookups(model)
    )


def _on_status_change(sender, instance, raw=False, **kwargs):
    # Whether a record saved as a draft was published until now: an unpublishing by any door.
    if raw or not _tracked(sender) or not _publishable(sender) or instance._state.adding:
        return
    instance._was_published = instance.status != PUBLISHED and (
        sender._base_manager.filter(pk=instance.pk, status=PUBLISHED).exists()
    )


def _on_save(sender, instance, **kwargs):
    was_published = instance.__dict__.pop("_was_published", False)
    if _tracked(sender) and (was_published or _seen_by_readers(instance)):
        transaction.on_commit(bump_data_version)


def _on_delete(sender, instance, **kwargs):
    # Before the delete, while what the record hangs from can still be followed; by what
    # is stored, which an instance in memory may not show.
    if not _tracked(sender):
        return
    if _publishable(sender):
        seen = sender._base_manager.filter(pk=instance.pk, status=PUBLISHED).exists()
    else:
        seen = _seen_by_readers(instance)
    if seen:
        transaction.on_commit(bump_data_version)


def _on_relation_change(sender, instance, action, model, pk_set, **kwargs):
    # Before a clear (its rows are still there to follow), after an add or a remove.
    if action not in ("post_add", "post_remove", "pre_clear") or not _tracked(type(instance)):
        return
    other_side_seen = (
        pk_set
        and _publishable(model)
        and model._base_manager.filter(pk__in=pk_set, status=PUBLISHED).exists()
    )
    if other_side_seen or _seen_by_readers(instance):
        transaction.on_commit(bump_data_version)


def connect():
    """Bump the version after any write readers can see, whatever wrote it: one bump a
    write, since every service that announces a change also saves a row."""
    pre_save.connect(_on_status_change, dispatch_uid="salvo-cache-status")
    post_save.connect(_on_save, dispatch_uid="salvo-cache-save")
    pre_delete.connect(_on_delete, dispatch_uid="salvo-cache-delete")
    m2m_changed.connect(_on_relation_change, dispatch_uid="salvo-cache-m2m")


# A cached response is only served to requests with no Cookie and no Authorization, and
# its key holds the Accept header: a response varying on these alone is safe to share.
KEYED_VARY = {"accept", "accept-encoding", "authorization", "cookie"}


def _varies_only_on_what_the_key_holds(response):
    varies = {h.strip().lower() for h in response.get("Vary", "").split(",") if h.strip()}
    return varies <= KEYED_VARY


def reads(*names):
    """Declare the query parameters a page reads, for its cache key: a page that declares
    none is served uncached when it has a query string, so that no parameter it does not read
    makes a cache entry. Decorates a view function, a view class or a feed class."""

    def declare(view):
        view.cached_parameters = frozenset(names)
        return view

    return declare


def _page_parameters(view):
    declared = getattr(view, "cached_parameters", None)
    if declared is None:
        declared = getattr(getattr(view, "view_class", None), "cached_parameters", None)
    return declared


def _known_parameters(request):
    """The query parameters the view at this address reads, or None when not known."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if request.path_info.startswith("/api/"):
        return query_parameters().get(match.func)
    return _page_parameters(match.func)


def _keep_only(request, names):
    """Drop from the request every query parameter not in `names`, and sort the rest: the
    view sees, and the cache key holds, exactly the parameters that make the response."""
    asked = request.GET.lists()
    kept = sorted(
        ((name, value) for name, values in asked if name in names for value in values),
        key=lambda pair: pair[0],
    )
    query = urlencode(kept)
    request.META["QUERY_STRING"] = query
    request.GET = QueryDict(query)


def _canonical_origin(request):
    """The origin absolute links in a shared response are built from: SITE_URL, which the
    request is made to use, or without it the request's own, which the key then holds, so
    that no Host header a reader sent reaches the links served to others."""
    asked = request.get_host()  # refuses a host not in ALLOWED_HOSTS, whatever follows
    if not settings.SITE_URL:
        return f"{request.scheme}://{asked}"
    origin = settings.SITE_URL.rstrip("/")
    scheme, _, host = origin.partition("://")
    request._current_scheme_host = origin  # what build_absolute_uri() starts from
    request.get_host = lambda: host  # feeds: the site's domain
    request.is_secure = lambda: scheme == "https"
    return origin


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
        if request.META.get("QUERY_STRING"):
            names = _known_parameters(request)
            refused = request.path_info.startswith("/api/") and set(request.GET) - (names or set())
            if names is None or refused:
                # The API refuses a parameter it does not read (core.api): never dropped here.
                return self.get_response(request)
            _keep_only(request, names)
        origin = _canonical_origin(request)
        try:
            version = data_version()
        except (redis.RedisError, CacheUnavailable) as exc:
            if not _serving_without_cache.is_set():
                logger.warning("cache unavailable, serving without it: %r", exc)
                _serving_without_cache.set()
            return self.get_response(request)
        if _serving_without_cache.is_set():
            logger.warning("cache available again")
            _serving_without_cache.clear()
        fingerprint = hashlib.sha256(
            "\n".join(
                (origin, request.get_full_path(), request.headers.get("Accept", ""), request.method)
            ).encode()
        ).hexdigest()[:32]
        key = f"salvo:response:{version}:{fingerprint}"
        cached = local_responses.get(key) or self._or_miss(cache.get, key)
        if cached is None:
            response = self.get_response(request)
            if not self._cacheable_response(request, response):
                return response
            if not response.has_header("ETag"):
                response["ETag"] = f'W/"{version}-{fingerprint[:16]}"'
            cached = (response.status_code, response.content, self._headers(response))
            if len(response.content) > settings.PUBLIC_CACHE_MAX_ENTRY_BYTES:
                return self._answer(request, cached, version)  # served, never stored
            self._or_miss(cache.set, key, cached, timeout=settings.PUBLIC_CACHE_SECONDS)
        local_responses.put(key, cached, seconds=settings.PUBLIC_CACHE_SECONDS)
        return self._answer(request, cached, version)

    @staticmethod
    def _answer(request, cached, version):
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
    def _or_miss(operation, *args, **kwargs):
        # The shared cache failing after the version was read costs a miss, not an error.
        try:
            return operation(*args, **kwargs)
        except redis.RedisError as exc:
            logger.warning("cache unavailable: %r", exc)
            return None

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
