"""What a CDN or Varnish in front reads: how long to keep a response and the keys naming
what it shows; and the purge each bump sends it (docs/cdn.md)."""

import http.server
import threading

import pytest

from core.outbound import AddressRefused
from editorial.models import Status
from editorial.services import record_transition
from reactions.models import Actor

from .factories import LaunchFactory, StatementFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("caching_on")]


@pytest.fixture
def launches():
    return LaunchFactory(), LaunchFactory()


def publish_statement(launch, on_commit):
    statement = StatementFactory(launch=launch, status=Status.DRAFT)
    with on_commit(execute=True):
        record_transition(instance=statement, status=Status.PUBLISHED)
    return statement


def test_cacheable_responses_carry_cdn_headers_and_their_keys(client, launches, settings):
    settings.CDN_MAX_AGE = 86400
    settings.STALE_SECONDS = 4
    earlier, latest = launches
    page = client.get(latest.get_absolute_url())
    assert page["Cache-Control"] == "public, max-age=0, s-maxage=86400, stale-while-revalidate=4"
    keys = f"events launch-{latest.pk} launches links all"
    assert page["Surrogate-Key"] == page["xkey"] == keys
    listing = client.get("/api/v1/launches/")
    shown = ["events", f"launch-{earlier.pk}", f"launch-{latest.pk}", "launches", "links"]
    assert listing["Surrogate-Key"].split() == [*sorted(shown), "all"]
    stream = client.get("/api/v1/timeline/")
    shown = ["events", f"launch-{earlier.pk}", f"launch-{latest.pk}", "launches", "links"]
    assert stream["Surrogate-Key"].split() == [*sorted(shown), "all"]
    detail = client.get(f"/api/v1/launches/{latest.slug}/")
    assert detail["Surrogate-Key"] == f"events launch-{latest.pk} launches links all"
    actor = client.get("/actors/US/")
    assert actor["Surrogate-Key"] == f"actor-{Actor.objects.get(code='US').pk} launches all"
    assert client.get("/charts/")["Surrogate-Key"] == "all"  # declares nothing: everything
    # Filtered, a list may hold any record: everything.
    assert client.get("/api/v1/launches/?missile_class=SRBM")["Surrogate-Key"] == "all"
    signed_in = client.get(latest.get_absolute_url(), headers={"Authorization": "Token x"})
    assert "Surrogate-Key" not in signed_in


@pytest.fixture
def purge_server():
    """A local HTTP server standing for Varnish: the purges it was sent."""
    purges = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_PURGE(self):
            purges.append((self.command, self.headers["xkey-purge"], self.headers["Surrogate-Key"]))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/", purges
    server.shutdown()
    server.server_close()


def test_each_bump_is_purged_from_the_cdn_by_its_keys(
    launches, settings, purge_server, django_capture_on_commit_callbacks
):
    url, purges = purge_server
    settings.CDN_PURGE_URL, settings.CDN_PURGE_ALLOW_PRIVATE = url, True
    _, latest = launches
    statement = publish_statement(latest, django_capture_on_commit_callbacks)
    ((method, xkey, surrogate),) = purges
    assert method == "PURGE"
    assert xkey == surrogate
    assert {f"launch-{latest.pk}", f"statement-{statement.pk}", "statements"} <= set(xkey.split())
    assert "all" not in xkey.split()
    purges.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Actor.objects.filter(code="US").get().save()
    assert purges == [("PURGE", "all", "all")]


def test_a_purge_to_a_private_address_needs_to_be_allowed(settings, purge_server):
    from core.cdn import purge

    settings.CDN_PURGE_URL, _ = purge_server
    with pytest.raises(AddressRefused):
        purge(["launch-1"])
