"""Celery queues: every task has a queue, and a worker on one queue leaves the others alone."""

import json

import pytest
from django.db import connection

from config import celery_app
from config.celery import QUEUES
from editorial.models import Status
from editorial.services import record_transition
from imports.models import ImportJob, ImportKind, ImportStatus
from imports.services import import_job_create
from webhooks.models import Delivery, DeliveryStatus, EventType

from .factories import StatementFactory
from .paths import LAUNCHES_CSV
from .spare import wait_until
from .test_webhooks import Receiver, subscribe

EXPECTED_QUEUES = {
    "webhooks.tasks.deliver": "webhooks",
    "webhooks.tasks.sweep_outbox": "webhooks",
    "timeline.tasks.run_import_job": "imports",
    "explore.tasks.rebuild_data_package": "imports",
    "timeline.tasks.suggest_triggers": "default",
    "core.tasks.cdn_purge": "webhooks",
}


@pytest.fixture
def salvo_tasks(django_db_blocker):
    """Every task's name. Importing the task modules runs Django's model checks, which ask
    SQLite what it supports."""
    with django_db_blocker.unblock():
        celery_app.loader.import_default_modules()
    return sorted(name for name in celery_app.tasks if not name.startswith("celery."))


def queue_of(name):
    return celery_app.amqp.router.route({}, name)["queue"].name


def test_every_task_is_routed_to_a_named_queue(salvo_tasks):
    routes = celery_app.conf.task_routes
    tasks = salvo_tasks
    assert tasks, "no task was discovered: the check below would pass vacuously"
    unrouted = [name for name in tasks if name not in routes]
    assert not unrouted, f"add these tasks to task_routes in config/celery.py: {unrouted}"
    assert {name: queue_of(name) for name in tasks} == EXPECTED_QUEUES


def test_a_route_names_only_tasks_and_queues_that_exist(salvo_tasks):
    tasks = set(salvo_tasks)
    for name, route in celery_app.conf.task_routes.items():
        assert name in tasks, f"task_routes names {name!r}, which is no task"
        assert route["queue"] in QUEUES


def test_a_worker_started_without_queues_consumes_every_queue():
    assert {queue.name for queue in celery_app.conf.task_queues} == set(QUEUES)
    assert celery_app.conf.task_default_queue in QUEUES


def waiting(queue):
    """The names of the tasks waiting in `queue` (a Redis broker's list)."""
    with celery_app.connection_for_write() as conn:
        messages = conn.default_channel.client.lrange(queue, 0, -1)
    return sorted(json.loads(message)["headers"]["task"] for message in messages)


def purge_every_queue():
    with celery_app.connection_for_write() as conn:
        for queue in QUEUES:
            conn.default_channel.queue_purge(queue)


@pytest.fixture
def empty_queues():
    celery_app.conf.task_always_eager = False
    purge_every_queue()
    yield
    purge_every_queue()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_webhooks_worker_delivers_while_an_import_waits_in_its_own_queue(
    empty_queues, settings, django_user_model
):
    if connection.vendor != "postgresql":
        pytest.skip("the worker thread needs the test database on PostgreSQL")
    from celery.contrib.testing.worker import start_worker

    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    endpoint = Receiver()
    try:
        subscribe(endpoint.url, EventType.STATEMENT_PUBLISHED)
        job = import_job_create(
            kind=ImportKind.LAUNCHES,
            filename="launches.csv",
            content=LAUNCHES_CSV.read_text(),
            user=django_user_model.objects.create_user("editor"),
        )
        record_transition(instance=StatementFactory(status=Status.DRAFT), status=Status.PUBLISHED)
        # The publish may also queue a rebuild of the download files, on the imports queue.
        imports = waiting("imports")
        assert "timeline.tasks.run_import_job" in imports
        assert set(imports) <= {
            "timeline.tasks.run_import_job",
            "explore.tasks.rebuild_data_package",
        }
        assert waiting("webhooks") == ["webhooks.tasks.deliver"]

        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=30,
            queues=["webhooks"],
        ):
            endpoint.wait_for(1)
            wait_until(lambda: Delivery.objects.get().status == DeliveryStatus.SUCCEEDED)

        job.refresh_from_db()
        assert job.status == ImportStatus.QUEUED
        assert ImportJob.objects.get().rows_done == 0
        assert waiting("imports") == imports
        assert waiting("webhooks") == []
    finally:
        endpoint.close()
