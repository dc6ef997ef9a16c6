"""Rendered pieces of a page (a launch's card) kept in the cache under a stamp of the data
they show, so that a page rebuilt after a publish renders again only what the publish changed.

A year's timeline shows about a hundred cards, fifty event markers and two thousand reaction
chips: at 10,000 launches, rendering them made the page take about 350 ms in one process;
read back from the cache, in one round trip for the whole page, about 70 ms. Each key holds
the data version, which changes with reference data (an actor renamed); a stamp of the
record's own data, read from the database for the whole page in one query; and a digest of
the template that renders it, which changes with a deploy that changes the template.
"""

import contextlib
import functools
import hashlib
import importlib
import inspect
import logging
import pickle
import threading
import time

import cachetools
import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.template import engines
from django.template.loader_tags import IncludeNode
from django.utils.safestring import mark_safe

from .caching import CacheUnavailable, data_version, validity

logger = logging.getLogger(__name__)

# Each process also keeps the pieces it read or built last, under the same keys: a key names
# what its piece shows (the data version, the stamp, the code), so a copy is as good as the
# shared cache's. A page rebuilt after a publish then reads from the shared cache only what
# the publish changed, not its hundred-odd other pieces: reading and unpickling those took
# about 3 ms of a timeline page at 10,000 launches.
LOCAL_BYTES = 32 * 1024 * 1024


class LocalPieces:
    """The pieces this process got last, as cachetools' TLRUCache keeps them: the least
    recently used dropped for room, by their size; each no longer than the time it was
    given. A piece is shared by every request that reads it: pieces are never changed
    (text, bytes, tuples)."""

    def __init__(self, limit, clock=time.monotonic):
        self.pieces = cachetools.TLRUCache(
            limit,
            ttu=lambda key, kept, now: kept[1],
            timer=clock,
            getsizeof=lambda kept: weight_of(kept[0]),
        )
        self.lock = threading.Lock()

    @property
    def size(self):
        return self.pieces.currsize

    def get_many(self, keys):
        """{key: piece} of `keys` held and not expired."""
        with self.lock:
            self.pieces.expire()
            return {key: kept[0] for key in keys if (kept := self.pieces.get(key)) is not None}

    def set_many(self, pieces, *, seconds):
        """Keep each of `pieces` ({key: piece}) for `seconds`; one larger than the bound is
        not kept."""
        with self.lock:
            expires = self.pieces.timer() + seconds
            for key, piece in pieces.items():
                with contextlib.suppress(ValueError):
                    self.pieces[key] = (piece, expires)

    def clear(self):
        with self.lock:
            self.pieces.clear()


def weight_of(piece):
    """About how many bytes `piece` takes: its length for text and bytes (HTML, encoded
    JSON), its pickle's otherwise (a menu's options)."""
    if isinstance(piece, str | bytes):
        return len(piece)
    return len(pickle.dumps(piece, pickle.HIGHEST_PROTOCOL))


local_pieces = LocalPieces(LOCAL_BYTES)


@functools.cache
def template_digest(name):
    """A digest of template `name`'s source and of every template it includes by name."""
    template = engines["django"].engine.get_template(name)
    digest = hashlib.blake2b(template.source.encode(), digest_size=8)
    for node in template.nodelist.get_nodes_by_type(IncludeNode):
        included = node.template.var
        if isinstance(included, str):
            digest.update(template_digest(included).encode())
    return digest.hexdigest()


def digest(stamp):
    return hashlib.blake2b(repr(stamp).encode(), digest_size=16).hexdigest()


def cached_fragments(records, *, template, stamp, render):
    """{record pk: html} for `records`: each read from the `fragments` cache (the default one
    where none is configured) under its `stamp(record)`, the others rendered together by
    `render(records)` (a list of html, in order) and stored: cached_pieces() for the HTML
    of `template`.

    Without a cache to trust (FRAGMENT_CACHE_SECONDS at 0, the data version unavailable, the
    cache failing), every record is rendered and nothing is stored.
    """
    by_pk = {record.pk: record for record in records}

    def build(missing):
        # Kept as plain str: a SafeString is pickled with its class, and read back slower.
        html = (str.__str__(piece) for piece in render([by_pk[pk] for pk in missing]))
        return dict(zip(missing, html, strict=True))

    stamps = {pk: stamp(record) for pk, record in by_pk.items()}
    pieces = cached_pieces(stamps, namespace=f"html:{template_digest(template)}", build=build)
    return {pk: mark_safe(html) for pk, html in pieces.items()}


@functools.cache
def code_digest(*modules):
    """A digest of the source of `modules` (dotted names): what builds a piece that no
    template renders, which changes with a deploy that changes that code."""
    digest = hashlib.blake2b(digest_size=8)
    for name in modules:
        digest.update(inspect.getsource(importlib.import_module(name)).encode())
    return digest.hexdigest()


def last_change():
    """The sequence number of the latest change readers could see that this process knows
    of (core.caching's scoped bumps), or None without a cache to trust.

    For the stamp of a piece read from records of every kind, beside a stamp read from them:
    a bump is made once its write has committed, so it also moves after a write that
    committed after another it began before, which a stamp read from the rows (the latest
    version in a history) can miss."""
    if not settings.FRAGMENT_CACHE_SECONDS:
        return None
    try:
        return validity()[1].seq
    except (CacheUnavailable, redis.RedisError):
        return None


def cached_pieces(stamps, *, namespace, build):
    """{id: piece} for each id of `stamps` ({id: stamp}): each read from this process's
    copies (local_pieces) or else the `fragments` cache, under `namespace` (what the pieces
    also depend on: the code that builds them, the time zone…) and its stamp, the others
    built together by `build(missing ids)` ({id: piece}) and stored in both.
    cached_fragments() for pieces that are not templates' HTML.

    Without a cache to trust (FRAGMENT_CACHE_SECONDS at 0, the data version unavailable, the
    cache failing), every piece is built and nothing is stored.
    """
    try:
        version = data_version() if settings.FRAGMENT_CACHE_SECONDS else None
    except (CacheUnavailable, redis.RedisError):
        version = None
    if version is None:
        return build(list(stamps))
    store = caches["fragments"] if "fragments" in settings.CACHES else cache
    prefix = f"piece:{namespace}:{version}"
    keys = {pk: f"{prefix}:{pk}:{digest(stamp)}" for pk, stamp in stamps.items()}
    found = local_pieces.get_many(keys.values())
    if wanted := [key for key in keys.values() if key not in found]:
        try:
            shared = store.get_many(wanted)
        except redis.RedisError as exc:
            logger.warning("fragment cache unavailable: %r", exc)
            shared = {}
        local_pieces.set_many(shared, seconds=settings.FRAGMENT_CACHE_SECONDS)
        found.update(shared)
    pieces = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in stamps if pk not in pieces]
    if missing:
        built = build(missing)
        pieces.update(built)
        kept = {keys[pk]: piece for pk, piece in built.items()}
        with contextlib.suppress(redis.RedisError):
            store.set_many(kept, timeout=settings.FRAGMENT_CACHE_SECONDS)
        local_pieces.set_many(kept, seconds=settings.FRAGMENT_CACHE_SECONDS)
    return pieces
