"""Whole responses for anonymous readers, cached until a record they show changes.

Each response names the records it shows as surrogate keys (`launch-123`, `launches` for
the list and its order, `statements`, `actor-4`): a view declares them with
`surrogate_keys()`, and one that declares nothing depends on everything (`all`). A change
readers can see to a record with a publication status bumps that record's key, the keys of
the records it hangs from and its model's collection key; any other change readers see (a
source, an actor, a claim, a bulk load) bumps `all`. Drafts bump nothing: the ETags are
public, and must not tell anyone when drafts are saved.

`all` moves the generation, which is in every cache key. A scoped bump takes a sequence
number (clock-based, never reused) that every process learns at once; a stored response
keeps the sequence number current before it was rendered and its keys, and is fresh while
none of its keys was bumped after it. One request renders a stale or missing response
again; meanwhile the others get the previous copy if it went stale less than STALE_SECONDS
ago, or wait for the new one. No more than REVALIDATING_AT_ONCE stale copies are rendered
again at a time across the site; the others are served stale meanwhile (within the same
STALE_SECONDS), so that a publish never takes every worker from readers. Signed-in and
token requests never touch the cache.

A key holds only what makes the response: the query parameters the view reads (sorted;
any other is dropped from the request too), and the origin its absolute links use.
"""

import bisect
import contextlib
import copy
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
from django.utils.text import slugify

from .breaker import Breaker
from .replicas import primary_reads
from .schema import query_parameters
from .tasks import cdn_purge

logger = logging.getLogger(__name__)
VERSION_KEY = "salvo:data-version"  # the generation: moved by `all` bumps
SEQUENCE_KEY = "salvo:data-sequence"  # the last sequence number a scoped bump took
BUMPS_KEY = "salvo:data-bumps"  # each key bumped lately, and its last sequence number
RENDER_KEY = "salvo:rendering:"  # + a response's key: the lock of the request rendering it
ALL = "all"
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
# Each process keeps the bodies it served last, under the same keys, so a hot page costs a
# poll of the bump channel's subscription, not a read of its body from Redis.
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
        """Keep `entry` under `key`, in place of what it held (a copy rendered before a bump)."""
        weight = len(entry[1])
        if weight > self.limit:
            return
        with self.lock:
            replaced = self.entries.pop(key, None)
            if replaced is not None:
                self.size -= len(replaced[0][1])
            self.entries[key] = (entry, self.clock() + seconds)
            self.size += weight
            while self.size > self.limit:
                _, (dropped, _) = self.entries.popitem(last=False)
                self.size -= len(dropped[1])


local_responses = LocalResponses(LOCAL_BYTES)


def record_key(model, pk):
    """The surrogate key of one record: `launch-123`."""
    return f"{model._meta.model_name}-{pk}"


def surrogate_key(named):
    """The key `named` stands for: a key as given, a record's own (`launch-123`), or a
    model's collection (`launches`: which records there are, their order, what is derived
    from them together)."""
    if isinstance(named, str):
        return named
    if isinstance(named, type):
        return slugify(str(named._meta.verbose_name_plural))
    return record_key(type(named), named.pk)


def surrogate_keys(request, *named):
    """Declare what the response to `request` shows: records, models (their collections) or
    keys. A response that declares nothing depends on everything (`all`)."""
    request = getattr(request, "_request", request)  # a DRF request wraps Django's
    declared = getattr(request, "surrogate_keys", frozenset())
    request.surrogate_keys = declared | {surrogate_key(each) for each in named}


class DeclaresRecords:
    """For a viewset: its list names the records of the page, its detail the record, each
    with the collections in `surrogate_collections`. A filtered list stays `all`: which
    records it holds may depend on any other record."""

    surrogate_collections = ()

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        filters = getattr(self.filterset_class, "base_filters", {})
        if page is not None and not any(name in self.request.query_params for name in filters):
            rows = (row["id"] if isinstance(row, dict) else row.pk for row in page)
            keys = (record_key(self.model, pk) for pk in rows)
            surrogate_keys(self.request, *self.surrogate_collections, *keys)
        return page

    def get_object(self):
        record = super().get_object()
        surrogate_keys(self.request, *self.surrogate_collections, record)
        return record


class Bumps:
    """What a process knows of the scoped bumps: for each key bumped within the cache's
    lifetime, the sequence numbers it was bumped under, and the highest number seen.

    Sequence numbers start from the clock in nanoseconds, so the first bump after a
    response was rendered also tells since when that response has been stale (to within
    how far the clocks of the site's machines drift apart: keep them synchronised).
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.last = {}  # key: its last bump, read lock-free on every request
        self.history = {}  # key: its bumps, ascending
        self.unknown_before = {}  # key: bumps up to this number may be missing from history
        self.seq = 0
        self.pruned_at = 0

    def note(self, seq, keys, *, complete=True):
        """Take a bump of `keys` under `seq`; not `complete` when learned from Redis's list of
        last bumps, which does not tell the ones before."""
        with self.lock:
            for key in keys:
                if seq > self.last.get(key, 0):
                    self.last[key] = seq
                history = self.history.setdefault(key, [])
                if complete:
                    if seq not in history:
                        bisect.insort(history, seq)
                elif seq not in history:
                    self.unknown_before[key] = max(self.unknown_before.get(key, 0), seq)
            self.seq = max(self.seq, seq)
            self._prune()

    def stale_since(self, keys, stamp):
        """None while no key in `keys` was bumped after `stamp`, else the sequence number of
        the first bump after it (0 when not known: stale for too long to serve)."""
        if stamp >= self.seq:  # nothing was bumped since: the usual case, in constant time
            return None
        last = self.last
        bumped = [key for key in keys if last.get(key, 0) > stamp]
        if not bumped:
            return None
        with self.lock:
            if any(stamp < self.unknown_before.get(key, 0) for key in bumped):
                return 0
            histories = (self.history[key] for key in bumped)
            return min(h[bisect.bisect_right(h, stamp)] for h in histories)

    def _prune(self):
        # What was bumped before the oldest response still kept can no longer make one stale.
        now = time.time_ns()
        if now - self.pruned_at < 10 * 10**9:
            return
        self.pruned_at = now
        oldest = now - 2 * settings.PUBLIC_CACHE_SECONDS * 10**9
        for key in [key for key, seq in self.last.items() if seq < oldest]:
            del self.last[key]
            self.history.pop(key, None)
            self.unknown_before.pop(key, None)
        for history in self.history.values():
            del history[: bisect.bisect_left(history, oldest)]


# In local-memory mode (one process, no Redis), the bumps are this process's own.
local_bumps = Bumps()
_local_sequence = threading.Lock()


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
# A scoped bump: the next sequence number by the same rule, recorded against each key,
# published as "<number> <key> <key>…", and the keys bumped before ARGV[3] forgotten.
SCOPED_BUMP_SCRIPT = """
local function later(a, b) return #a > #b or (#a == #b and a > b) end
local seq = redis.call('GET', KEYS[1])
if not seq or later(ARGV[1], seq) then
  redis.call('SET', KEYS[1], ARGV[1])
else
  redis.call('INCR', KEYS[1])
end
seq = redis.call('GET', KEYS[1])
local message = seq
for i = 4, #ARGV do
  redis.call('HSET', KEYS[2], ARGV[i], seq)
  message = message .. ' ' .. ARGV[i]
end
local bumped = redis.call('HGETALL', KEYS[2])
for i = 1, #bumped, 2 do
  if later(ARGV[3], bumped[i + 1]) then redis.call('HDEL', KEYS[2], bumped[i]) end
end
redis.call('PUBLISH', ARGV[2], message)
return seq
"""
# The generation (set from the clock if Redis lost it), the last sequence number, and, when
# that is not the one the process knows (ARGV[3]), every key bumped lately with its last one.
READ_SCRIPT = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then redis.call('PUBLISH', ARGV[2], ARGV[1]) end
local answer = {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]) or '0'}
if answer[2] ~= ARGV[3] then
  local bumped = redis.call('HGETALL', KEYS[3])
  for i = 1, #bumped do answer[i + 2] = bumped[i] end
end
return answer
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
    """This process's copy of the data version (the generation) and of the scoped bumps,
    kept current by the version channel.

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
    Scoped bumps come on the same channel; a direct read also returns those made lately
    when the last sequence number is not the one the process knows.
    """

    def __init__(self, client, key, clock=time.monotonic):
        self.client, self.key, self.clock = client, key, clock
        database = client.connection_pool.connection_kwargs.get("db", 0)
        self.channel = f"{key}:{database}"  # channels are shared by a server's databases
        self.sequence_key = key.replace(VERSION_KEY, SEQUENCE_KEY)
        self.bumps_key = key.replace(VERSION_KEY, BUMPS_KEY)
        self.read_script = client.register_script(READ_SCRIPT)
        self.bump_script = client.register_script(BUMP_SCRIPT)
        self.scoped_bump_script = client.register_script(SCOPED_BUMP_SCRIPT)
        self.bumps = Bumps()
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
            read = self._read()
            if routine and read != self.version:
                self._follow()  # a bump may have been published since the poll
                if self.version < read:
                    self._unsubscribe()  # it missed a change: it cannot be trusted
                read = max(read, self.version)
            self._take(read)
            self.must_read, self.read_at = False, self.clock()
        return self.version

    def _read(self):
        """The generation in Redis, having taken the scoped bumps this process has not seen."""
        known = self.bumps.seq
        version, seq, *bumped = self.read_script(
            keys=[self.key, self.sequence_key, self.bumps_key], args=[*self._args(), known]
        )
        for key, last in zip(bumped[::2], bumped[1::2], strict=True):
            self.bumps.note(int(last), [key.decode()], complete=False)
        self.bumps.note(int(seq), [])
        return int(version)

    def bump(self, keys=(ALL,)):
        """Move the version on (`all`), or bump `keys`, and publish it; this process reads it
        back before serving."""
        if ALL in keys:
            version = self.bump_script(keys=[self.key], args=self._args())
            with self.lock:
                self.highest = max(self.highest, int(version))
                self.must_read = True
            return
        oldest = time.time_ns() - 2 * settings.PUBLIC_CACHE_SECONDS * 10**9
        seq = self.scoped_bump_script(
            keys=[self.sequence_key, self.bumps_key],
            args=[max(time.time_ns(), self.bumps.seq + 1), self.channel, oldest, *sorted(keys)],
        )
        self.bumps.note(int(seq), keys)

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
                with contextlib.suppress(ValueError):  # only bumps are published here
                    self._heard(message["data"].split())
            elif message["type"] == "subscribe":
                # Confirmed, first or again after a reconnection: what was published before
                # may be lost, what is published from now on arrives. One direct read next.
                self.confirmed, self.must_read = True, True
                if self.lost:
                    self._take(self.bump_script(keys=[self.key], args=self._args()))
                    self.lost = False

    def _heard(self, words):
        # A version alone, or a scoped bump's sequence number and keys.
        if len(words) == 1:
            self.version = int(words[0])
            self.highest = max(self.highest, self.version)
        else:
            self.bumps.note(int(words[0]), [word.decode() for word in words[1:]])

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

    def bump(self, keys=(ALL,), *, retrying=False):
        """Bump `keys` in Redis; a failure makes a bump of `all` owed (which keys the missed
        bumps named is not kept). While Redis is left alone, the bump is owed at once, for
        the thread to make: a write does not wait on Redis."""
        if not retrying and self.quiet():
            self.failed(bump=True)
            return
        if self.owed():
            keys = (ALL,)  # only a bump of everything settles what is owed
        started = time.monotonic()
        try:
            watch = _version_watch()
            if watch is not None:  # None: the cache is no longer Redis, nothing is owed
                watch.bump(keys)
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


def validity():
    """(The current data version, the scoped bumps this process knows).

    A cache that lost the version (flushed, evicted) starts from the clock, never from a
    number used before: a process's local copies under an old version can never be served
    again. Raises CacheUnavailable while Redis is failing or a bump is owed to it.
    """
    if _shared():
        if _outage().quiet() or _outage().owed():
            raise CacheUnavailable("the data version cannot be trusted yet")
        try:
            watch = _version_watch()
            return watch.current(), watch.bumps
        except redis.RedisError:
            _outage().failed(bump=False)
            raise
        except ValueError as exc:  # something other than a number stored under the key
            raise CacheUnavailable("the data version in Redis is not a number") from exc
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version, local_bumps


def data_version():
    """The current data version: moved by every bump of `all`."""
    return validity()[0]


def bump(*keys):
    """Make every cached response showing `keys` stale (`all`: every cached response):
    called after a write commits, and asks a CDN in front to purge them too.

    With Redis unreachable the write still stands; a bump of `all` is owed, made as soon as
    Redis answers again, and nothing is served from the cache in between.
    """
    keys = (ALL,) if ALL in keys else keys
    if _shared():
        _outage().bump(keys)
    elif keys == (ALL,):
        # From the clock, as in Redis: the version also tells when it last moved.
        with _local_sequence:
            moved = max(time.time_ns(), (cache.get(VERSION_KEY) or 0) + 1)
            cache.set(VERSION_KEY, moved, timeout=None)
    else:
        with _local_sequence:
            local_bumps.note(max(time.time_ns(), local_bumps.seq + 1), keys)
    if settings.CDN_PURGE_URL:
        _purge_soon(keys)


def _purge_soon(keys):
    # A broker that is down must not fail the write that bumped: the CDN then keeps what it
    # holds for CDN_MAX_AGE at most.
    try:
        cdn_purge.delay(list(keys))
    except Exception:
        logger.exception("could not queue the CDN purge of %s", " ".join(keys))


def bump_data_version():
    """Make every cached response stale: after a bulk write, which may change anything."""
    bump(ALL)


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


# Further keys a change to a model bumps, each from a function of the changed record that a
# higher app registers: what its pages derive from records other than their own.
_also_bumped = {}


def also_bumps(model, keys_of):
    """Have a change readers see to a `model` record also bump `keys_of(record)` (records,
    models or keys, as surrogate_keys() takes them)."""
    _also_bumped.setdefault(model, []).append(keys_of)


def _record_keys(instance, before=None):
    """The keys a change to a publishable record bumps: its own, its model's collection,
    each tracked record it hangs from (before the change too), and what others registered."""
    model = type(instance)
    keys = {record_key(model, instance.pk), surrogate_key(model)}
    for field in model._meta.concrete_fields:
        if field.many_to_one and _tracked(field.related_model):
            for pk in {getattr(instance, field.attname), (before or {}).get(field.attname)}:
                if pk is not None:
                    keys.add(record_key(field.related_model, pk))
    for field in model._meta.many_to_many:
        if _tracked(field.related_model):
            related = getattr(instance, field.name).values_list("pk", flat=True)
            keys |= {record_key(field.related_model, pk) for pk in related}
    moved = {
        name: pk
        for name, pk in (before or {}).items()
        if name != "status" and getattr(instance, name) != pk
    }
    as_before = copy.copy(instance)  # what it hung from before the change: changed there too
    as_before.__dict__.update(moved)
    for keys_of in _also_bumped.get(model, ()):
        for version in (instance, as_before) if moved else (instance,):
            keys |= {surrogate_key(named) for named in keys_of(version)}
    return keys


def _bump_on_commit(keys):
    keys = tuple(sorted(keys))
    transaction.on_commit(lambda: bump(*keys))


def _on_status_change(sender, instance, raw=False, **kwargs):
    # What the stored row says before the save: whether a record saved as a draft was
    # published until now (an unpublishing by any door), and what it hung from.
    if raw or not _tracked(sender) or not _publishable(sender) or instance._state.adding:
        return
    links = [f.attname for f in sender._meta.concrete_fields if f.many_to_one]
    before = sender._base_manager.filter(pk=instance.pk).values("status", *links).first()
    instance._stored = before
    instance._was_published = (
        instance.status != PUBLISHED and before is not None and before["status"] == PUBLISHED
    )


def _on_save(sender, instance, **kwargs):
    was_published = instance.__dict__.pop("_was_published", False)
    before = instance.__dict__.pop("_stored", None)
    if not _tracked(sender) or not (was_published or _seen_by_readers(instance)):
        return
    _bump_on_commit(_record_keys(instance, before) if _publishable(sender) else {ALL})


def _on_delete(sender, instance, **kwargs):
    # Before the delete, while what the record hangs from can still be followed; by what
    # is stored, which an instance in memory may not show.
    if not _tracked(sender):
        return
    if _publishable(sender):
        if sender._base_manager.filter(pk=instance.pk, status=PUBLISHED).exists():
            _bump_on_commit(_record_keys(instance))
    elif _seen_by_readers(instance):
        _bump_on_commit({ALL})


def _on_relation_change(sender, instance, action, model, pk_set, **kwargs):
    # Before a clear (its rows are still there to follow), after an add or a remove.
    if action not in ("post_add", "post_remove", "pre_clear") or not _tracked(type(instance)):
        return
    other_side_seen = (
        pk_set
        and _publishable(model)
        and model._base_manager.filter(pk__in=pk_set, status=PUBLISHED).exists()
    )
    if not (other_side_seen or _seen_by_readers(instance)):
        return
    if action == "pre_clear" or not _publishable(type(instance)):
        _bump_on_commit({ALL})  # which records a clear or a reference record touches: any
    else:
        others = {record_key(model, pk) for pk in pk_set}
        _bump_on_commit(_record_keys(instance) | others)


def connect():
    """Bump after any write readers can see, whatever wrote it: one bump a write, since
    every service that announces a change also saves a row."""
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
    return _parameters_at(settings.ROOT_URLCONF, request.path_info)


@functools.lru_cache(maxsize=4096)
def _parameters_at(urlconf, path):
    # Kept per address: resolving it again cost a cached API answer a fifth of its time.
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    if path.startswith("/api/"):
        return query_parameters().get(match.func)
    return _page_parameters(match.func)


class KeptQueries:
    """The query string each asked one is cached under, per address's parameters. Parsed,
    filtered and written again for each request, it took about 24 µs of the 130 a cached
    answer of `make bench`'s API list cost more than the same bytes from a view that does
    nothing (in process). A client may send any query string, so only LIMIT are kept; all
    are forgotten at once past it."""

    LIMIT = 1024

    def __init__(self):
        self.kept = {}

    def get(self, request, names):
        """`request`'s query string with only the parameters in `names`, sorted: what the view
        sees and the cache key holds. None when an API address is asked for a parameter it
        does not read: the API refuses it (core.api), so it is never dropped here."""
        refusing = request.path_info.startswith("/api/")
        key = (request.META["QUERY_STRING"], names, refusing)
        try:
            return self.kept[key]
        except KeyError:
            pass
        asked = request.GET
        if refusing and not asked.keys() <= names:
            kept = None
        else:
            pairs = (
                (name, value) for name, values in asked.lists() if name in names for value in values
            )
            kept = urlencode(sorted(pairs, key=lambda pair: pair[0]))
        if len(self.kept) >= self.LIMIT:
            self.kept.clear()
        self.kept[key] = kept
        return kept


kept_queries = KeptQueries()


def _kept_query(request):
    """The query string to serve `request` under, or None when it is served uncached: its
    address is unknown, or names no parameter list (a page that declares none)."""
    names = _known_parameters(request)
    return None if names is None else kept_queries.get(request, names)


def _ask_only(request, query):
    """Make `query` the request's: the view sees only it, and parses it only if it reads it."""
    request.META["QUERY_STRING"] = query
    if "GET" in vars(request):  # parsed already, or a request that keeps it as it was made
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


# How long a request waits for another to render the response it asks for before it renders
# it itself, how often it looks, and how long a render's lock outlives a process that died.
RENDER_WAIT_SECONDS = 2.0
RENDER_POLL_SECONDS = 0.01
RENDER_LOCK_SECONDS = 10.0
RELEASE_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
_local_renders = set()
_local_renders_lock = threading.Lock()


def _start_render(key):
    """A token when this request is to render the response under `key`, None when another
    request does already. Without a working Redis, every request renders its own."""
    token = f"{os.getpid()}:{threading.get_ident()}:{time.monotonic_ns()}"
    client = _redis()
    if client is None:
        with _local_renders_lock:
            if key in _local_renders:
                return None
            _local_renders.add(key)
        return token
    try:
        locked = client.set(RENDER_KEY + key, token, nx=True, px=int(RENDER_LOCK_SECONDS * 1000))
    except redis.RedisError:
        return token
    return token if locked else None


def _end_render(key, token):
    client = _redis()
    if client is None:
        with _local_renders_lock:
            _local_renders.discard(key)
        return
    with contextlib.suppress(redis.RedisError):
        client.eval(RELEASE_SCRIPT, 1, RENDER_KEY + key, token)


class SharedLooks:
    """When a process last looked in the shared cache for a newer copy of a response it holds
    stale: while it may serve that copy, it looks again (and, finding none, may render one)
    at most every SECONDS, serving the stale copy in between.

    After a publish, until one request has rendered the stale timeline page again, every
    other request for it (two in five on launch day) read its half megabyte from Redis only
    to find the same stale copy there.
    """

    SECONDS = 0.05
    LIMIT = 10_000

    def __init__(self, clock=time.monotonic):
        self.clock, self.looked, self.lock = clock, {}, threading.Lock()

    def due(self, key):
        """Whether to look for `key` now; if so, the look is noted."""
        now = self.clock()
        with self.lock:
            if now - self.looked.get(key, -self.SECONDS) < self.SECONDS:
                return False
            if len(self.looked) >= self.LIMIT:
                self.looked.clear()
            self.looked[key] = now
            return True


_shared_looks = SharedLooks()


def _revalidation_slot():
    """(The slot's key, its token) when this request may render a stale copy again, None
    when REVALIDATING_AT_ONCE requests across the site do already.

    After a publish every worker would otherwise take one of the pages it made stale, and
    readers of pages still fresh would wait behind them all; a missing response (nothing
    to serve meanwhile) is rendered whatever the slots.
    """
    for n in range(settings.REVALIDATING_AT_ONCE):
        slot = f"revalidating:{n}"
        token = _start_render(slot)
        if token is not None:
            return slot, token
    return None


def _rendering(key):
    """Whether a request is rendering the response under `key` now."""
    client = _redis()
    if client is None:
        return key in _local_renders
    try:
        return bool(client.exists(RENDER_KEY + key))
    except redis.RedisError:
        return False


def _entry(found):
    # (status, body, headers, keys, sequence number before rendering); anything else was
    # stored by an earlier release, and is a miss.
    return found if isinstance(found, tuple) and len(found) == 5 else None


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
            kept = _kept_query(request)
            if kept is None:
                return self.get_response(request)
            if kept != request.META["QUERY_STRING"]:
                _ask_only(request, kept)
        origin = _canonical_origin(request)
        try:
            version, bumps = validity()
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
        cached = _entry(local_responses.get(key))
        went_stale = None if cached is None else bumps.stale_since(cached[3], cached[4])
        servable = went_stale and time.time_ns() - went_stale < settings.STALE_SECONDS * 10**9
        if servable and not _shared_looks.due(key):
            return self._answer(request, cached, version)  # looked a moment ago: still stale
        if cached is None or went_stale is not None:
            # Missing or stale here: another process may have stored a newer copy.
            shared = _entry(self._or_miss(cache.get, key))
            if shared is not None and (cached is None or shared[4] > cached[4]):
                cached, went_stale = shared, bumps.stale_since(shared[3], shared[4])
                if went_stale is None:
                    local_responses.put(key, cached, seconds=settings.PUBLIC_CACHE_SECONDS)
        if cached is not None and went_stale is None:
            return self._answer(request, cached, version)
        servable = went_stale and time.time_ns() - went_stale < settings.STALE_SECONDS * 10**9
        slot = _revalidation_slot() if servable else None
        if servable and slot is None:
            # As many stale copies are being rendered again as may be at once: this one is
            # served a moment longer, and the workers left serve readers from the cache.
            return self._answer(request, cached, version)
        try:
            token = _start_render(key)
            if token is None:  # another request renders it: the previous copy, or the new one
                if servable:
                    return self._answer(request, cached, version)
                rendered = self._awaited(key, bumps)
                if rendered is not None:
                    return self._answer(request, rendered, version)
            try:
                return self._render(request, key, version, bumps)
            finally:
                if token is not None:
                    _end_render(key, token)
        finally:
            if slot is not None:
                _end_render(*slot)

    def _render(self, request, key, version, bumps):
        stamp = bumps.seq  # before the view reads anything: a bump after it makes this stale
        # A replica may not have caught up with a write bumped a moment ago, and a copy it
        # rendered would be kept as fresh: within REPLICA_PIN_SECONDS of the last bump (the
        # numbers are read from the clock) the primary renders.
        lagging = time.time_ns() - max(stamp, version) < settings.REPLICA_PIN_SECONDS * 10**9
        with primary_reads() if lagging else contextlib.nullcontext():
            response = self.get_response(request)
        if not self._cacheable_response(request, response):
            return response
        keys = tuple(sorted(getattr(request, "surrogate_keys", None) or (ALL,)))
        keys = (ALL,) if ALL in keys else keys
        if not response.has_header("ETag"):  # from the bytes: a draft's save changes none
            response["ETag"] = f'W/"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        headers = self._headers(response, keys)
        cached = (response.status_code, response.content, headers, keys, stamp)
        if len(response.content) > settings.PUBLIC_CACHE_MAX_ENTRY_BYTES:
            return self._answer(request, cached, version)  # served, never stored
        self._or_miss(cache.set, key, cached, timeout=settings.PUBLIC_CACHE_SECONDS)
        local_responses.put(key, cached, seconds=settings.PUBLIC_CACHE_SECONDS)
        return self._answer(request, cached, version)

    def _awaited(self, key, bumps):
        """The response another request is rendering under `key`, once it is stored and
        fresh, or None after RENDER_WAIT_SECONDS or when that request stored none."""
        deadline = time.monotonic() + RENDER_WAIT_SECONDS
        while _rendering(key) and time.monotonic() < deadline:
            time.sleep(RENDER_POLL_SECONDS)
        found = _entry(local_responses.get(key)) or _entry(self._or_miss(cache.get, key))
        if found is not None and bumps.stale_since(found[3], found[4]) is None:
            return found
        return None

    @staticmethod
    def _answer(request, cached, version):
        status, content, headers = cached[:3]
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
    def _headers(response, keys):
        """The headers kept with a response: its own, and for browsers and a CDN in front how
        long to keep it and the keys a purge names (docs/cdn.md). Every response carries
        `all`, which a purge of everything names."""
        kept = ("Content-Type", "ETag", "Last-Modified", "Link", "Content-Language", "Vary")
        headers = {name: response[name] for name in kept if response.has_header(name)}
        headers["Cache-Control"] = (
            f"public, max-age={settings.PUBLIC_CACHE_MAX_AGE}, s-maxage={settings.CDN_MAX_AGE}, "
            f"stale-while-revalidate={settings.STALE_SECONDS}"
        )
        named = " ".join(dict.fromkeys((*keys, ALL)))
        headers["Surrogate-Key"] = headers["xkey"] = named
        return headers
