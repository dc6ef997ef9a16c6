"""The HTTP edge: who the client is behind proxies, and how much one client may ask for."""

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import override_settings

from core.clients import client_address

from .factories import LaunchFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.7"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def meta(remote, forwarded=None):
    request = type("Request", (), {})()
    request.META = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return request


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(meta("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.1"]
    # The client wrote "1.1.1.1"; the trusted proxies appended what they saw.
    assert client_address(meta(PROXY, "1.1.1.1, 203.0.113.9, 192.0.2.1")) == "203.0.113.9"
    assert client_address(meta(PROXY)) == PROXY  # no header: the proxy itself
    assert client_address(meta(PROXY, "junk, 203.0.113.9")) == "203.0.113.9"
    assert client_address(meta(PROXY, "junk")) == PROXY  # nothing readable beyond it
    # A peer that is not a trusted proxy cannot name another address.
    assert client_address(meta("203.0.113.50", "198.51.100.1")) == "203.0.113.50"


def test_the_api_throttle_counts_clients_not_forwarded_headers(client, settings, monkeypatch):
    from core.throttling import AnonThrottle

    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [
        client.get("/api/v1/actors/", headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_api_allowance(client, monkeypatch):
    from core.throttling import AnonThrottle

    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": "2/minute"})

    def ask(address):
        return client.get(
            "/api/v1/actors/", REMOTE_ADDR=PROXY, headers={"X-Forwarded-For": address}
        ).status_code

    with override_settings(TRUSTED_PROXIES=["10.0.0.0/8"]):
        assert [ask("198.51.100.1") for _ in range(3)] == [200, 200, 429]
        assert ask("198.51.100.2") == 200  # another reader behind the same proxy


@override_settings(PAGE_ANON_RATE="3/minute")
def test_pages_are_throttled_per_client_with_a_429_page_and_retry_after(client):
    launch = LaunchFactory()
    statuses = [
        client.get(launch.get_absolute_url(), headers={"X-Forwarded-For": f"198.51.100.{n}"})
        for n in range(4)
    ]
    assert [response.status_code for response in statuses] == [200, 200, 200, 429]
    throttled = statuses[-1]
    assert int(throttled["Retry-After"]) > 0
    assert "no-store" in throttled["Cache-Control"]
    assert "Too many requests" in throttled.content.decode()
    assert client.get("/api/v1/actors/").status_code == 200  # the API has its own allowance
    assert client.get("/healthz").status_code == 200  # probes are never throttled
    User.objects.create_user("reader", password="a long passphrase here")
    client.login(username="reader", password="a long passphrase here")
    assert client.get(launch.get_absolute_url()).status_code == 200  # signed in: not counted


@override_settings(PAGE_ANON_RATE="2/minute", PUBLIC_CACHE_SECONDS=600)
def test_pages_served_from_the_cache_are_not_counted(client):
    launch = LaunchFactory()
    assert [client.get(launch.get_absolute_url()).status_code for _ in range(5)] == [200] * 5
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/no-such-page/").status_code == 429  # misses count


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3, TRUSTED_PROXIES=["10.0.0.0/8"])
def test_the_login_lockout_is_per_user_name_and_real_client_address(client):
    User.objects.create_superuser("editor", password="correct horse battery staple")

    def login(address, password):
        return client.post(
            "/admin/login/?next=/admin/",
            {"username": "editor", "password": password},
            REMOTE_ADDR=PROXY,
            headers={"X-Forwarded-For": address},
        )

    for _ in range(3):
        login("198.51.100.1", "wrong")
    assert login("198.51.100.1", "correct horse battery staple").status_code == 429
    # The same user name from another reader behind the same proxy is not locked out.
    signed_in = login("198.51.100.2", "correct horse battery staple")
    assert signed_in.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="editor").pk)


def test_log_lines_name_the_same_client_address_as_the_throttles(client, settings, caplog):
    import json
    import logging

    from core.logging import JsonFormatter, RequestIdFilter

    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    caplog.handler.addFilter(RequestIdFilter())  # as the console handler has it
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/no-such-page/", REMOTE_ADDR=PROXY, headers={"X-Forwarded-For": "1.2.3.4"})
    record = next(r for r in caplog.records if r.name == "django.request")
    line = json.loads(JsonFormatter().format(record))
    assert line["client"] == "1.2.3.4"
    assert len(line["request_id"]) == 32
