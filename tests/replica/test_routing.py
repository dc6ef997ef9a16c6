"""Which server answers: anonymous reads the replica, everything else the primary.

replica_0 is the pair's streaming replica; replica_1 names a port where nothing listens.
"""

import contextlib
import logging
import time

import pytest
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import connections, router, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from core import caching, replicas
from editorial.models import Status
from reactions.models import Actor, ActorKind, Statement
from timeline.models import Launch

from ..factories import LaunchFactory, StatementFactory
from ..spare import wait_until

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")

LIVE = ("default", "replica_0")
WRITES = ("INSERT", "UPDATE", "DELETE")


def in_recovery(alias):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), inet_server_port()")
        return cursor.fetchone()


@contextlib.contextmanager
def answered():
    """The SQL each server ran in the block, by server: {"primary": [...], "replica": [...]}."""
    names = {alias: "replica" if in_recovery(alias)[0] else "primary" for alias in LIVE}
    captures = {alias: CaptureQueriesContext(connections[alias]) for alias in LIVE}
    by_server = {}
    with contextlib.ExitStack() as stack:
        for capture in captures.values():
            stack.enter_context(capture)
        yield by_server
    for alias, capture in captures.items():
        sql = [query["sql"] for query in capture.captured_queries]
        if sql:
            by_server[names[alias]] = sql


def replicated(predicate):
    wait_until(predicate, timeout=20)


@contextlib.contextmanager
def replay_paused():
    """The replica stops applying the primary's changes: it lags until the block ends."""
    with connections["replica_0"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        with connections["replica_0"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")


@pytest.fixture
def launch():
    Actor.objects.get_or_create(
        code="US", defaults={"kind": ActorKind.STATE, "name": "United States"}
    )
    launch = LaunchFactory(missile_name="Hwasong-replicated")
    statement = StatementFactory(launch=launch, quote="We condemn the replicated launch.")
    replicated(lambda: Statement.objects.using("replica_0").filter(pk=statement.pk).exists())
    return launch


@pytest.fixture
def writer(django_user_model):
    """A signed-in editor's browser, apart from the anonymous `client`."""
    browser = Client()
    browser.force_login(django_user_model.objects.create_superuser("editor", password="x"))
    return browser


def test_the_replica_alias_is_a_server_in_recovery_and_the_primary_is_not():
    assert in_recovery("default") == (False, 5444)
    assert in_recovery("replica_0") == (True, 5445)


@pytest.mark.parametrize("url", ["/", "/api/v1/launches/", "/api/v1/launches/?expand=statements"])
def test_an_anonymous_read_is_served_by_the_replica(client, launch, url):
    client.get(url)  # the launch list builds what its fragment cache lacks from the primary
    with answered() as servers:
        response = client.get(url)
    assert response.status_code == 200
    assert launch.slug in response.text
    assert list(servers) == ["replica"], servers


@pytest.mark.parametrize("url", ["/api/v1/launches/", "/api/v1/launches/?expand=statements"])
def test_the_launch_list_builds_a_launch_from_the_primary(client, launch, url):
    # Kept under a stamp read from a replica, it must be at least as recent as that stamp,
    # which another replica lagging further behind would not give.
    with answered() as servers:
        response = client.get(url)
    assert launch.slug in response.text
    assert set(servers) == {"primary", "replica"}
    assert not any(sql.startswith(WRITES) for sql in servers["primary"])


def test_an_anonymous_head_is_served_by_the_replica(client, launch):
    with answered() as servers:
        assert client.head(launch.get_absolute_url()).status_code == 200
    assert list(servers) == ["replica"]


def test_a_signed_in_writer_sees_their_statement_at_once_while_readers_use_the_replica(
    client, writer, launch
):
    draft = StatementFactory(launch=launch, status=Status.DRAFT, quote="A quote just published.")
    replicated(lambda: Statement.objects.using("replica_0").filter(pk=draft.pk).exists())
    with replay_paused():
        with answered() as servers:
            published = writer.patch(
                f"/api/v1/statements/{draft.pk}/",
                {"status": "published"},
                content_type="application/json",
            )
        assert published.status_code == 200, published.content
        assert list(servers) == ["primary"]
        assert replicas.PIN_COOKIE in published.cookies

        with answered() as servers:
            seen = writer.get(launch.get_absolute_url())
        assert "A quote just published." in seen.text
        assert list(servers) == ["primary"]

        with answered() as servers:
            lagging = client.get(launch.get_absolute_url())
        assert "A quote just published." not in lagging.text
        assert list(servers) == ["replica"]
    replicated(lambda: "A quote just published." in client.get(launch.get_absolute_url()).text)


def test_a_write_never_goes_to_the_replica(writer, launch):
    with answered() as servers:
        response = writer.patch(
            f"/api/v1/launches/{launch.slug}/",
            {"missile_name": "Hwasong-renamed"},
            content_type="application/json",
        )
    assert response.status_code == 200, response.content
    assert any(sql.startswith("UPDATE") for sql in servers["primary"])
    assert "replica" not in servers


def test_a_client_that_wrote_reads_from_the_primary_until_its_pin_expires(client, writer, launch):
    wrote = writer.patch(
        f"/api/v1/launches/{launch.slug}/",
        {"missile_name": "Renamed-by-the-writer"},
        content_type="application/json",
    )
    pin = wrote.cookies[replicas.PIN_COOKIE]
    assert pin["max-age"] == settings.REPLICA_PIN_SECONDS
    assert pin["httponly"]
    client.cookies[replicas.PIN_COOKIE] = pin.value  # signed out, the pin alone
    with answered() as servers:
        assert "Renamed-by-the-writer" in client.get(launch.get_absolute_url()).text
    assert list(servers) == ["primary"]

    signer = signing.get_cookie_signer(salt=replicas.PIN_COOKIE + replicas.PIN_SALT)
    signer.timestamp = lambda: signing.b62_encode(int(time.time()) - 60)
    for stale in (signer.sign("1"), "1", "forged:value"):
        client.cookies[replicas.PIN_COOKIE] = stale
        with answered() as servers:
            client.get(launch.get_absolute_url())
        assert list(servers) == ["replica"], stale


def test_a_token_request_reads_from_the_primary(client, django_user_model, launch):
    token = Token.objects.create(user=django_user_model.objects.create_user("tool"))
    with answered() as servers:
        response = client.get("/api/v1/launches/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert launch.slug in response.text
    assert list(servers) == ["primary"]


def test_an_anonymous_post_reads_from_the_primary(client, launch):
    with answered() as servers:
        client.post("/api/v1/launches/", {}, content_type="application/json")
    assert "replica" not in servers


def test_reads_outside_a_request_go_to_the_primary(launch):
    # Celery tasks, management commands and the shell: nothing allowed a replica.
    assert router.db_for_read(Launch) == "default"
    assert Launch.objects.all().db == "default"


def test_reads_in_a_transaction_or_after_a_write_go_to_the_primary(launch):
    with replicas.replica_reads():
        assert Launch.objects.all().db == "replica_0"
        with transaction.atomic():
            assert Launch.objects.all().db == "default"
        assert Launch.objects.all().db == "replica_0"
        Launch.objects.filter(pk=launch.pk).update(missile_name="Written")
        assert Launch.objects.all().db == "default"
    assert Launch.objects.all().db == "default"


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "timeline")
    for alias in settings.DATABASE_REPLICAS:
        assert not router.allow_migrate(alias, "timeline")


def test_an_unreachable_replica_is_skipped_and_logged_once(client, launch, caplog):
    caplog.set_level(logging.WARNING, logger="core.replicas")
    replicas._down_until.clear()
    client.get("/api/v1/launches/")  # builds its launches from the primary, for the cache
    with answered() as servers:
        for _ in range(6):
            assert client.get("/api/v1/launches/").status_code == 200
    assert list(servers) == ["replica"]
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "replica replica_1 unreachable, reading from the primary"
    ]


def test_with_no_reachable_replica_reads_fall_back_to_the_primary(client, launch, settings):
    settings.DATABASE_REPLICAS = ["replica_1"]
    with answered() as servers:
        response = client.get("/api/v1/launches/")
    assert launch.slug in response.text
    assert list(servers) == ["primary"]


def test_a_page_cached_just_after_a_publish_is_rendered_by_the_primary(
    client, writer, launch, settings
):
    # A copy rendered by a replica that has not caught up would be kept as fresh.
    settings.PUBLIC_CACHE_SECONDS = 600
    draft = StatementFactory(launch=launch, status=Status.DRAFT, quote="Cached after publishing.")
    replicated(lambda: Statement.objects.using("replica_0").filter(pk=draft.pk).exists())
    with replay_paused():
        published = writer.patch(
            f"/api/v1/statements/{draft.pk}/",
            {"status": "published"},
            content_type="application/json",
        )
        assert published.status_code == 200, published.content
        with answered() as servers:
            first = client.get(launch.get_absolute_url())
        assert "Cached after publishing." in first.text
        assert list(servers) == ["primary"]
        with answered() as servers:
            again = client.get(launch.get_absolute_url())
        assert again.content == first.content
        assert servers == {}  # from the cache


def test_long_after_the_last_publish_a_cache_miss_is_rendered_by_a_replica(
    client, launch, settings
):
    settings.PUBLIC_CACHE_SECONDS = 600
    settings.REPLICA_PIN_SECONDS = 0
    cache.clear()
    caching.local_responses.entries.clear()
    with answered() as servers:
        response = client.get(launch.get_absolute_url())
    assert response.status_code == 200
    assert list(servers) == ["replica"]
