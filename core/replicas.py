"""Reads of anonymous requests go to PostgreSQL replicas; everything else to the primary.

A request may read from a replica only when the middleware says so: a GET or HEAD with no
session cookie, no Authorization header and no read-your-writes pin. Everything outside such a
request (Celery tasks, management commands, the shell) reads from the primary, since the
context variable's default is "no". Replicas are the aliases in settings.DATABASE_REPLICAS
(from DATABASE_REPLICA_URLS); with none, this module routes everything to the primary.
"""

import contextlib
import contextvars
import itertools
import logging
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

PIN_COOKIE = "salvo_primary"
PIN_SALT = "core.replicas.pin"
# A replica that refused a connection is left alone this long before it is tried again.
RETRY_DOWN_SECONDS = 30

_replica_reads = contextvars.ContextVar("replica_reads", default=False)
_wrote = contextvars.ContextVar("wrote", default=None)
_turns = itertools.count()
_down_until = {}


@contextlib.contextmanager
def replica_reads():
    """Within the block, reads outside a transaction may go to a replica, until a write."""
    allowed = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(allowed)


@contextlib.contextmanager
def primary_reads():
    """Within the block, every read goes to the primary, whatever the request allowed."""
    allowed = _replica_reads.set(False)
    try:
        yield
    finally:
        _replica_reads.reset(allowed)


def _usable(alias):
    """Whether `alias` answers; one that does not is skipped for RETRY_DOWN_SECONDS, logged
    when it goes down and when it comes back, not on every read in between."""
    down_until = _down_until.get(alias)
    if down_until is not None and time.monotonic() < down_until:
        return False
    try:
        connections[alias].ensure_connection()
    except DatabaseError as error:
        if down_until is None:
            logger.warning("replica %s unreachable, reading from the primary: %s", alias, error)
        _down_until[alias] = time.monotonic() + RETRY_DOWN_SECONDS
        return False
    if _down_until.pop(alias, None) is not None:
        logger.warning("replica %s reachable again", alias)
    return True


def _replica():
    """The next usable replica in turn, or None."""
    aliases = settings.DATABASE_REPLICAS
    if not aliases:
        return None
    start = next(_turns)
    for offset in range(len(aliases)):
        alias = aliases[(start + offset) % len(aliases)]
        if _usable(alias):
            return alias
    return None


class ReplicaRouter:
    """Reads to a replica when the request allows it and the primary holds no open
    transaction (whose own writes a replica cannot see); writes and migrations to the primary."""

    def db_for_read(self, model, **hints):
        if not _replica_reads.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return _replica() or DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        # After a write, the rest of the block reads it back from where it was written.
        if _replica_reads.get():
            _replica_reads.set(False)
        wrote = _wrote.get()
        if wrote is not None and not wrote:
            wrote.append(model)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # A replica holds the primary's rows: objects read from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _anonymous_read(request):
    if request.method not in ("GET", "HEAD"):
        return False
    if "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    pinned = request.get_signed_cookie(
        PIN_COOKIE, default=None, salt=PIN_SALT, max_age=settings.REPLICA_PIN_SECONDS
    )
    return pinned is None


class ReplicaMiddleware:
    """Lets anonymous reads use a replica, and pins a client that wrote to the primary.

    The pin is a signed cookie rather than a cache marker: it needs no shared cache (the
    default cache is one process's memory, which another web process would not see), costs
    no lookup.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.DATABASE_REPLICAS:
            return self.get_response(request)
        wrote = _wrote.set([])
        try:
            if _anonymous_read(request):
                with replica_reads():
                    response = self.get_response(request)
            else:
                response = self.get_response(request)
            if _wrote.get():
                response.set_signed_cookie(
                    PIN_COOKIE,
                    "1",
                    salt=PIN_SALT,
                    max_age=settings.REPLICA_PIN_SECONDS,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
        finally:
            _wrote.reset(wrote)
        return response
