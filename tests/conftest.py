import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction

from config import celery_app

from .spare import SPARE_REDIS_PORT, SpareRedis


@pytest.fixture(autouse=True)
def _tasks_inline_unless_integration(request):
    """Tasks run inline, except in integration tests, which run them on a real worker."""
    if request.node.get_closest_marker("integration"):
        from django.db import connection

        if connection.vendor == "sqlite":
            pytest.skip(
                "a real worker writes through its own connection, and SQLite's shared "
                "in-memory test database locks whole tables: set DATABASE_URL (CI does)"
            )
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _no_data_files_from_before():
    """Each test starts without download files, as its database starts without records."""
    from django.core.files.storage import storages

    store = storages["data_export"]
    folders, files = store.listdir("")
    for name in (*folders, *files):
        store.delete(name)


@pytest.fixture(autouse=True)
def _no_rate_counts_from_before():
    """Each test starts without the counts (and the looks in the shared cache) an earlier
    test's requests left in the process."""
    from core.caching import _shared_looks
    from core.throttling import recent_counts

    recent_counts.clear()
    _shared_looks.looked.clear()


@pytest.fixture(autouse=True)
def _no_local_pieces_from_before():
    """Each test starts without the pieces of pages (core.fragments) an earlier test's
    requests left in the process: with Redis, a flushed cache's data version is learned
    again only within a second, under which those copies would still be found."""
    from core.fragments import local_pieces

    local_pieces.clear()


@pytest.fixture
def caching_on(settings):
    """The response cache on (the test settings turn it off), empty before and after."""
    from django.core.cache import cache

    settings.PUBLIC_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def celery_worker():
    """A real Celery worker in a thread, consuming every queue from the broker in
    CELERY_BROKER_URL."""
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("needs a real broker: set CELERY_BROKER_URL (CI does)")
    from celery.contrib.testing import tasks  # noqa: F401 - registers celery.ping
    from celery.contrib.testing.worker import start_worker

    from config.celery import QUEUES

    celery_app.conf.task_always_eager = False
    # Named, not left to the default: a worker narrowed to some queues earlier in this
    # process narrowed the app's selection with it.
    with start_worker(
        celery_app,
        pool="solo",
        perform_ping_check=False,
        shutdown_timeout=30,
        queues=list(QUEUES),
    ):
        yield


# Data that tests only read is loaded once per module: inside a transaction that stays open
# while the module runs, in which each test's own transaction is a savepoint, so what a test
# writes is rolled back after it and the data after the module. A transactional test (a live
# server's) sees only committed rows, and a flush would empty the shared transaction: it loads
# the data itself and its flush removes it.
SHARED_DATA = ("demo", "chronology")


def _transactional(item):
    marker = item.get_closest_marker("django_db")
    return bool(
        (marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
        or {"transactional_db", "live_server"} & set(item.fixturenames)
    )


def _shared_data(item):
    return [name for name in SHARED_DATA if name in item.fixturenames]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """In each module, the tests that read shared data run last, so that the tests before
    them see an empty database and none after them sees the data."""
    modules = {}
    for item in items:
        modules.setdefault(getattr(item, "module", None), len(modules))
    items.sort(key=lambda item: (modules[getattr(item, "module", None)], bool(_shared_data(item))))


def _load(name):
    from imports.services import events_import, launches_import

    from .paths import EVENTS_CSV, LAUNCHES_CSV

    if name == "demo":
        call_command("load_demo", stdout=io.StringIO())
        return None
    with open(LAUNCHES_CSV, "rb") as handle:
        launches = launches_import(file=handle)
    with open(EVENTS_CSV, "rb") as handle:
        events = events_import(file=handle)
    assert launches.written
    assert events.written
    return launches, events


def _for_the_module(name, request, django_db_blocker):
    """Load `name` once, for the tests of this module that read it in a transaction."""
    readers = [
        item
        for item in request.session.items
        if item.module is request.module and name in _shared_data(item)
    ]
    if any(_transactional(item) for item in readers):
        assert all(_transactional(item) for item in readers), (
            f"{request.module.__name__}: `{name}` is read by transactional tests and by tests "
            "in a transaction; give them modules of their own"
        )
        yield None  # each test loads it
        return
    others = {other for item in readers for other in _shared_data(item)} - {name}
    assert not others, f"{request.module.__name__}: `{name}` and {others} in one module"
    with django_db_blocker.unblock():
        shared = transaction.atomic()
        shared.__enter__()
        try:
            loaded = _load(name)
        except BaseException:
            shared.__exit__(*sys.exc_info())
            raise
    try:
        yield ("loaded", loaded)
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            shared.__exit__(None, None, None)


@pytest.fixture(scope="module")
def _demo_for_the_module(request, django_db_setup, django_db_blocker):
    yield from _for_the_module("demo", request, django_db_blocker)


@pytest.fixture(scope="module")
def _chronology_for_the_module(request, django_db_setup, django_db_blocker):
    yield from _for_the_module("chronology", request, django_db_blocker)


def _each_test(name, request, shared):
    if shared is not None:
        request.getfixturevalue("db")
        return shared[1]
    request.getfixturevalue("transactional_db")
    return _load(name)


@pytest.fixture
def demo(request, _demo_for_the_module):
    """The demo data, as `manage.py load_demo` makes it: the chronology, the reactions corpus
    and the seed story."""
    return _each_test("demo", request, _demo_for_the_module)


@pytest.fixture
def chronology(request, _chronology_for_the_module):
    """The project's copy of the 2022-2025 chronology, launches and events imported; the
    import reports of the load."""
    return _each_test("chronology", request, _chronology_for_the_module)


@pytest.fixture
def spare_redis():
    if not shutil.which("redis-server"):
        pytest.skip("needs redis-server on PATH")
    redis = SpareRedis(SPARE_REDIS_PORT)
    redis.start()
    yield redis
    if redis.process.poll() is None:
        redis.process.kill()
        redis.process.wait()


# Ports of its own, apart from `make replica`'s 5434/5435 and the machine's 5432.
REPLICA_TEST_PORTS = {"REPLICA_PRIMARY_PORT": "5444", "REPLICA_STANDBY_PORT": "5445"}


@pytest.fixture(scope="session")
def replica_pair():
    """A PostgreSQL primary and streaming replica of their own (scripts/replica), stopped at
    the end whatever happens: their DATABASE_URL and DATABASE_REPLICA_URLS. Skipped when they
    cannot start, unless SALVO_REQUIRE_REPLICA=1 (CI)."""
    script = Path(__file__).resolve().parent.parent / "scripts" / "replica"
    env = {**os.environ, **REPLICA_TEST_PORTS}
    try:
        started = subprocess.run(
            [script, "start"], env=env, capture_output=True, text=True, timeout=180, check=False
        )
        if started.returncode != 0:
            reason = f"no replica pair: {started.stderr.strip() or started.stdout.strip()}"
            if os.environ.get("SALVO_REQUIRE_REPLICA") == "1":
                pytest.fail(reason)
            pytest.skip(reason)
        yield dict(line.split("=", 1) for line in started.stdout.split())
    finally:
        subprocess.run([script, "stop"], env=env, capture_output=True, timeout=120, check=False)
