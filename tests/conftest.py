import os
import shutil

import pytest

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


@pytest.fixture
def celery_worker():
    """A real Celery worker in a thread, consuming from the broker in CELERY_BROKER_URL."""
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("needs a real broker: set CELERY_BROKER_URL (CI does)")
    from celery.contrib.testing import tasks  # noqa: F401 - registers celery.ping
    from celery.contrib.testing.worker import start_worker

    celery_app.conf.task_always_eager = False
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        yield


@pytest.fixture
def chronology(db):
    """The project's copy of the 2022-2025 chronology, launches and events imported."""
    from imports.services import events_import, launches_import

    from .paths import EVENTS_CSV, LAUNCHES_CSV

    with open(LAUNCHES_CSV, "rb") as handle:
        launches = launches_import(file=handle)
    with open(EVENTS_CSV, "rb") as handle:
        events = events_import(file=handle)
    assert launches.written
    assert events.written
    return launches, events


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
