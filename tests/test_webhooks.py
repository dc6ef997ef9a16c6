"""Webhooks: the outbox written with the change, signed deliveries, retries, the sweep."""

import contextlib
import datetime
import hashlib
import hmac
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from config import celery_app
from editorial.models import Status
from editorial.services import record_transition
from reactions.models import Actor, ActorKind
from timeline.services import launch_update
from webhooks import services
from webhooks.delivery import TargetRefused, check_target
from webhooks.models import Attempt, Delivery, DeliveryStatus, EventType, Subscription
from webhooks.services import subscription_create

from .factories import LaunchFactory, StatementFactory
from .spare import wait_until


class Receiver:
    """A webhook endpoint on loopback that answers scripted statuses and logs every request.

    Like a careful receiver, it processes each idempotency key once and answers 200 to a
    key it has already processed. With `hold_first`, the first request waits until
    `release()` before it is processed and answered.
    """

    def __init__(self, statuses=(), *, hold_first=False):
        self.statuses = list(statuses)
        self.requests = []  # (arrived monotonic, headers, body)
        self.received = Counter()
        self.processed = Counter()
        self.held = threading.Event()
        self._release = threading.Event()
        self._hold_first = hold_first
        self._lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                key = self.headers["Idempotency-Key"]
                with receiver._lock:
                    receiver.requests.append((time.monotonic(), dict(self.headers), body))
                    receiver.received[key] += 1
                    hold, receiver._hold_first = receiver._hold_first, False
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                if hold:
                    receiver.held.set()
                    receiver._release.wait(30)
                if status == 200 and not receiver.processed[key]:
                    receiver.processed[key] += 1
                try:
                    self.send_response(status)
                    self.end_headers()
                    self.wfile.write(b"ok" if status == 200 else b"try again")
                except OSError:
                    pass  # the sender is gone

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/salvo"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def release(self):
        self._release.set()

    def close(self):
        self.release()
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count, *, timeout=20):
        wait_until(lambda: len(self.requests) >= count, timeout=timeout)
        return self.requests


def signature_is_valid(secret, headers, body, *, tolerance=300):
    """The verification a receiver does, as in docs/webhooks.md."""
    parts = dict(item.split("=", 1) for item in headers["Salvo-Signature"].split(","))
    timestamp = int(parts["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


@pytest.fixture
def receiver():
    receivers = []

    def make(*args, **kwargs):
        receivers.append(Receiver(*args, **kwargs))
        return receivers[-1]

    yield make
    for r in receivers:
        r.close()


@pytest.fixture
def loopback_allowed(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_TIMEOUT_SECONDS = 5
    return settings


@pytest.fixture
def us(db):
    """The actor the statement factory uses (transactional tests flush the migrated actors)."""
    actor, _ = Actor.objects.get_or_create(
        code="US", defaults={"kind": ActorKind.STATE, "name": "United States"}
    )
    return actor


def subscribe(url, *event_types):
    return subscription_create(
        owner=None,
        name="Newsroom tool",
        target_url=url,
        event_types=event_types or EventType.values,
    )


# Unit tests: tasks run inline when the transaction commits.


@pytest.mark.django_db(transaction=True)
def test_publishing_writes_and_sends_a_signed_delivery(receiver, loopback_allowed, us):
    endpoint = receiver()
    subscription = subscribe(endpoint.url, EventType.STATEMENT_PUBLISHED)
    statement = StatementFactory(status=Status.DRAFT)
    assert not Delivery.objects.exists()

    record_transition(instance=statement, status=Status.PUBLISHED)

    [(_, headers, body)] = endpoint.requests
    delivery = Delivery.objects.get()
    payload = json.loads(body)
    assert signature_is_valid(subscription.secret, headers, body)
    assert headers["Salvo-Event"] == "statement.published"
    assert headers["Idempotency-Key"] == str(delivery.idempotency_key)
    assert payload["id"] == str(delivery.idempotency_key)
    assert payload["type"] == "statement.published"
    assert payload["data"]["id"] == statement.pk
    assert payload["data"]["quote"] == statement.quote
    assert payload["data"]["status"] == "published"
    assert "entered_by" not in payload["data"]
    assert (delivery.status, delivery.attempt_count) == (DeliveryStatus.SUCCEEDED, 1)
    assert list(delivery.attempts.values_list("number", "status_code", "succeeded")) == [
        (1, 200, True)
    ]


@pytest.mark.django_db(transaction=True)
def test_only_the_event_types_subscribed_to_are_written(receiver, loopback_allowed, us):
    endpoint = receiver()
    subscribe(endpoint.url, EventType.LAUNCH_UPDATED)
    launch = LaunchFactory(status=Status.DRAFT)
    record_transition(instance=launch, status=Status.PUBLISHED)
    assert not Delivery.objects.exists()

    launch_update(launch=launch, missile_name="Hwasong-11")

    assert list(Delivery.objects.values_list("event_type", "record_id")) == [
        ("launch.updated", launch.pk)
    ]
    assert json.loads(endpoint.requests[0][2])["data"]["missile_name"] == "Hwasong-11"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_publish_leaves_no_delivery(receiver, loopback_allowed, us):
    endpoint = receiver()
    subscribe(endpoint.url)
    launch = LaunchFactory(status=Status.DRAFT)
    with contextlib.suppress(RuntimeError), transaction.atomic():
        record_transition(instance=launch, status=Status.PUBLISHED)
        assert Delivery.objects.count() == 1
        raise RuntimeError("the publishing request fails after the signal")
    assert not Delivery.objects.exists()
    assert endpoint.requests == []


@pytest.mark.django_db(transaction=True)
def test_a_failed_attempt_is_logged_and_scheduled_with_backoff(receiver, loopback_allowed, us):
    endpoint = receiver([500])
    subscribe(endpoint.url)
    launch = LaunchFactory(status=Status.DRAFT)
    before = timezone.now()

    record_transition(instance=launch, status=Status.PUBLISHED)

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.locked_until is None
    # The first retry waits between half and all of the 30 s base.
    assert (
        before + datetime.timedelta(seconds=15)
        <= delivery.next_attempt_at
        <= timezone.now() + datetime.timedelta(seconds=30)
    )
    assert list(delivery.attempts.values_list("status_code", "succeeded", "error")) == [
        (500, False, "HTTP 500 Internal Server Error")
    ]
    assert Subscription.objects.get().consecutive_failures == 1


def test_backoff_doubles_with_jitter_up_to_the_cap(settings):
    settings.WEBHOOKS_RETRY_BASE_SECONDS, settings.WEBHOOKS_RETRY_MAX_SECONDS = 30, 1800
    delays = [[services.retry_delay(n) for _ in range(200)] for n in (1, 2, 3, 10)]
    assert [
        (min(d) >= c / 2, max(d) <= c) for d, c in zip(delays, (30, 60, 120, 1800), strict=True)
    ] == [(True, True)] * 4
    assert len({round(d, 3) for d in delays[3]}) > 100  # jittered, not all at once


@pytest.mark.django_db(transaction=True)
def test_a_subscription_is_paused_after_repeated_failures(receiver, loopback_allowed, us):
    loopback_allowed.WEBHOOKS_PAUSE_AFTER_FAILURES = 2
    loopback_allowed.WEBHOOKS_RETRY_BASE_SECONDS = 0
    endpoint = receiver([500, 500, 500])
    subscription = subscribe(endpoint.url)
    launch = LaunchFactory(status=Status.DRAFT)
    record_transition(instance=launch, status=Status.PUBLISHED)
    delivery = Delivery.objects.get()

    assert services.delivery_attempt(delivery_id=delivery.pk) is None  # second failure

    subscription.refresh_from_db()
    assert subscription.paused_at is not None
    assert subscription.consecutive_failures == 2
    assert services.delivery_attempt(delivery_id=delivery.pk) is None  # paused: no attempt
    assert len(endpoint.requests) == 2

    services.subscription_resume(subscription=subscription, user=None)  # sends the waiting delivery

    assert len(endpoint.requests) == 3
    subscription.refresh_from_db()
    assert (subscription.paused_at, subscription.consecutive_failures) == (None, 1)


@pytest.mark.django_db(transaction=True)
def test_a_delivery_past_its_deadline_gives_up(receiver, loopback_allowed, us):
    endpoint = receiver([500])
    loopback_allowed.WEBHOOKS_RETRY_FOR_SECONDS = 1
    subscribe(endpoint.url)
    record_transition(instance=LaunchFactory(status=Status.DRAFT), status=Status.PUBLISHED)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempt_count) == (DeliveryStatus.FAILED, 1)


@pytest.mark.django_db(transaction=True)
def test_redelivery_sends_the_same_key_again(receiver, loopback_allowed, us):
    endpoint = receiver()
    subscribe(endpoint.url)
    record_transition(instance=LaunchFactory(status=Status.DRAFT), status=Status.PUBLISHED)
    delivery = Delivery.objects.get()

    services.delivery_redeliver(delivery=delivery, user=None)

    keys = [headers["Idempotency-Key"] for _, headers, _ in endpoint.requests]
    assert keys == [str(delivery.idempotency_key)] * 2
    assert endpoint.processed == {str(delivery.idempotency_key): 1}
    assert list(Attempt.objects.values_list("number", "succeeded")) == [(1, True), (2, True)]


@pytest.mark.django_db
def test_a_duplicate_message_for_a_delivered_delivery_does_nothing(
    receiver, loopback_allowed, us, django_capture_on_commit_callbacks
):
    endpoint = receiver()
    subscribe(endpoint.url)
    with django_capture_on_commit_callbacks(execute=True):
        record_transition(instance=LaunchFactory(status=Status.DRAFT), status=Status.PUBLISHED)
    delivery = Delivery.objects.get()
    assert services.delivery_attempt(delivery_id=delivery.pk) is None
    assert services.delivery_attempt(delivery_id=delivery.pk + 1000) is None
    assert len(endpoint.requests) == 1
    assert Attempt.objects.count() == 1


@pytest.mark.django_db
def test_the_sweep_sends_what_was_never_queued(
    receiver, loopback_allowed, us, django_capture_on_commit_callbacks
):
    endpoint = receiver()
    subscribe(endpoint.url)
    with django_capture_on_commit_callbacks(execute=False):  # as if the broker was down
        record_transition(instance=LaunchFactory(status=Status.DRAFT), status=Status.PUBLISHED)
    assert Delivery.objects.get().queued_at is None

    assert services.outbox_sweep() == 1

    assert Delivery.objects.get().status == DeliveryStatus.SUCCEEDED
    assert len(endpoint.requests) == 1
    assert services.outbox_sweep() == 0


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:8000/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "http://93.184.215.14/hook",
        "ftp://example.com/hook",
    ],
)
def test_private_loopback_and_odd_targets_are_refused(url, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    with pytest.raises(TargetRefused):
        check_target(url)


@pytest.mark.django_db
def test_a_subscription_to_a_private_target_is_not_saved(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        subscribe("https://127.0.0.1:9/hook")
    assert "private or reserved" in str(error.value.message_dict["target_url"])
    assert not Subscription.objects.exists()


# Integration tests: a real broker and real workers. Each skips without CELERY_BROKER_URL;
# the killed-worker test also needs PostgreSQL, since its worker is a separate process that
# must see the test's committed rows.

needs_broker = pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL"),
    reason="needs a real broker: set CELERY_BROKER_URL (CI does)",
)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fast_retries(loopback_allowed):
    loopback_allowed.WEBHOOKS_RETRY_BASE_SECONDS = 0.2
    loopback_allowed.WEBHOOKS_RETRY_MAX_SECONDS = 1
    return loopback_allowed


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@needs_broker
def test_a_published_statement_reaches_the_receiver_with_a_valid_signature(
    celery_worker, receiver, loopback_allowed, us
):
    endpoint = receiver()
    subscription = subscribe(endpoint.url, EventType.STATEMENT_PUBLISHED)
    statement = StatementFactory(status=Status.DRAFT)

    published = time.monotonic()
    record_transition(instance=statement, status=Status.PUBLISHED)
    [(arrived, headers, body)] = endpoint.wait_for(1)

    print(f"publish → receiver: {(arrived - published) * 1000:.0f} ms")
    assert signature_is_valid(subscription.secret, headers, body)
    assert json.loads(body)["data"]["quote"] == statement.quote
    wait_until(lambda: Delivery.objects.get().status == DeliveryStatus.SUCCEEDED)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@needs_broker
def test_a_receiver_that_answers_500_then_200_gets_it_on_retry(
    celery_worker, receiver, fast_retries, us
):
    endpoint = receiver([500])
    subscription = subscribe(endpoint.url, EventType.STATEMENT_PUBLISHED)
    record_transition(instance=StatementFactory(status=Status.DRAFT), status=Status.PUBLISHED)

    (first, headers_1, body_1), (second, headers_2, body_2) = endpoint.wait_for(2)

    print(f"retried after {(second - first) * 1000:.0f} ms")
    assert headers_1["Idempotency-Key"] == headers_2["Idempotency-Key"]
    assert body_1 == body_2
    assert signature_is_valid(subscription.secret, headers_2, body_2)
    wait_until(lambda: Delivery.objects.get().status == DeliveryStatus.SUCCEEDED)
    assert list(Attempt.objects.values_list("number", "status_code", "succeeded")) == [
        (1, 500, False),
        (2, 200, True),
    ]


def _forget_connections():
    # kombu keeps the pools per URL and hands them out again: drop our references only.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def broker(url):
    """Point the Celery app of this process at another broker for the block."""
    # CELERY_BROKER_URL in the environment outranks broker_url; the read and write URLs
    # outrank both.
    conf = celery_app.conf
    previous = conf.broker_read_url, conf.broker_write_url
    _forget_connections()
    conf.broker_read_url = conf.broker_write_url = url
    try:
        yield
    finally:
        _forget_connections()
        conf.broker_read_url, conf.broker_write_url = previous


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@needs_broker
def test_a_broker_outage_at_publish_time_loses_no_delivery(
    receiver, loopback_allowed, us, spare_redis
):
    from celery.contrib.testing.worker import start_worker

    endpoint = receiver()
    subscribe(endpoint.url)
    celery_app.conf.task_always_eager = False
    with broker(spare_redis.url):
        spare_redis.stop()
        started = time.monotonic()
        launch = LaunchFactory(status=Status.DRAFT)
        record_transition(instance=launch, status=Status.PUBLISHED)
        statements = [StatementFactory(launch=launch, status=Status.DRAFT) for _ in range(2)]
        for statement in statements:
            record_transition(instance=statement, status=Status.PUBLISHED)
        print(f"three publishes with the broker down: {time.monotonic() - started:.1f} s")
        assert Delivery.objects.filter(queued_at__isnull=True).count() == 3
        assert endpoint.requests == []

        spare_redis.start()
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            swept = time.monotonic()
            assert services.outbox_sweep() == 3
            endpoint.wait_for(3)
            print(f"sweep → three delivered: {time.monotonic() - swept:.2f} s")
            wait_until(
                lambda: Delivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() == 3
            )

    keys = {str(key) for key in Delivery.objects.values_list("idempotency_key", flat=True)}
    assert set(endpoint.processed) == keys
    assert sorted(Delivery.objects.values_list("event_type", flat=True)) == [
        "launch.published",
        "statement.published",
        "statement.published",
    ]


def _database_url():
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextlib.contextmanager
def worker_process(name):
    """`celery -A config worker` in its own process, on the test's database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
        "WEBHOOKS_TIMEOUT_SECONDS": "3",
        "WEBHOOKS_RETRY_BASE_SECONDS": "0.5",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    celery = Path(sys.executable).with_name("celery")
    process = subprocess.Popen(
        [
            *(celery, "-A", "config", "worker", "--pool", "solo", "--loglevel", "WARNING"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{name}@%h"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@needs_broker
def test_a_worker_killed_during_a_delivery_is_replaced_and_the_key_is_processed_once(
    receiver, loopback_allowed, us
):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs the test database on PostgreSQL")
    loopback_allowed.WEBHOOKS_SWEEP_GRACE_SECONDS = 0
    celery_app.conf.task_always_eager = False
    celery_app.control.purge()
    endpoint = receiver(hold_first=True)
    subscribe(endpoint.url, EventType.STATEMENT_PUBLISHED)

    with worker_process("doomed") as doomed:
        record_transition(instance=StatementFactory(status=Status.DRAFT), status=Status.PUBLISHED)
        assert endpoint.held.wait(60), "the worker never reached the receiver"
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
    killed = time.monotonic()
    endpoint.release()  # the receiver processes the request; its answer reaches no one

    with worker_process("replacement"):
        # The sweep hands it over again once the dead worker's lease has run out.
        def redone():
            services.outbox_sweep()
            return len(endpoint.requests) >= 2

        wait_until(redone, timeout=60, interval=0.5)
        wait_until(lambda: Delivery.objects.get().status == DeliveryStatus.SUCCEEDED)
    print(f"kill → delivered again: {time.monotonic() - killed:.1f} s")

    delivery = Delivery.objects.get()
    key = str(delivery.idempotency_key)
    assert endpoint.received == {key: 2}
    assert endpoint.processed == {key: 1}
    assert list(delivery.attempts.values_list("number", "status_code", "error")) == [
        (1, None, "Interrupted: the worker was lost during the attempt."),
        (2, 200, ""),
    ]


# The subscriptions API: token authentication and model permissions.


@pytest.fixture
def api_user(db):
    from django.contrib.auth.models import Permission, User
    from rest_framework.authtoken.models import Token

    user = User.objects.create_user("integrator")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="webhooks", codename__endswith="_subscription"
        )
    )
    return Token.objects.create(user=user)


def test_subscriptions_are_managed_through_the_api_with_a_token(client, api_user, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = False
    url = "/api/v1/webhooks/subscriptions/"
    auth = {"HTTP_AUTHORIZATION": f"Token {api_user.key}"}
    body = {
        "name": "Wire desk",
        "target_url": "https://93.184.215.14/salvo",
        "event_types": ["statement.published", "launch.published"],
    }
    assert client.get(url).status_code == 401

    created = client.post(url, body, content_type="application/json", **auth)

    assert created.status_code == 201, created.json()
    subscription = Subscription.objects.get()
    assert created.json() == {
        "id": subscription.pk,
        "name": "Wire desk",
        "target_url": "https://93.184.215.14/salvo",
        "event_types": ["launch.published", "statement.published"],
        "is_active": True,
        "secret": subscription.secret,
        "paused_at": None,
        "consecutive_failures": 0,
        "created_at": created.json()["created_at"],
    }
    assert subscription.owner == subscription.created_by == api_user.user
    refused = client.post(
        url,
        {**body, "target_url": "http://127.0.0.1:6379/", "event_types": ["nope"]},
        content_type="application/json",
        **auth,
    )
    assert refused.status_code == 400
    assert set(refused.json()) == {"target_url", "event_types"}
    assert Subscription.objects.count() == 1
    changed = client.patch(
        f"{url}{subscription.pk}/", {"is_active": False}, content_type="application/json", **auth
    )
    assert changed.json()["is_active"] is False
    assert "secret" not in changed.json()
    assert [s["name"] for s in client.get(url, **auth).json()["results"]] == ["Wire desk"]
    assert "secret" not in client.get(url, **auth).json()["results"][0]
