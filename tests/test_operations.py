"""Operating Salvo: health probes, request ids in JSON logs, login lockout."""

import json
import logging

import pytest
from django.contrib.auth.models import User
from django.test import override_settings

from core.logging import JsonFormatter, RequestIdFilter, redact


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.django_db
def test_readyz_checks_database_cache_and_broker(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "inline"},
    }


@pytest.mark.django_db
def test_readyz_names_what_is_unavailable_and_still_serves_without_the_broker(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 200  # pages and writes work; deliveries wait in the outbox
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("unavailable: ")


@pytest.mark.django_db
def test_readyz_is_503_without_the_database(client, monkeypatch):
    from django.db import OperationalError

    from core import health

    def gone():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "_database", gone)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"]["database"] == "unavailable: OperationalError"


def test_each_response_carries_a_request_id_and_keeps_a_safe_incoming_one(client):
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32
    kept = client.get("/healthz", headers={"X-Request-ID": "edge-1234"})
    assert kept.headers["X-Request-ID"] == "edge-1234"
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert replaced.headers["X-Request-ID"] != "bad id\nwith newline"


def test_json_log_lines_carry_the_request_id_and_no_secrets():
    record = logging.LogRecord(
        "salvo", logging.WARNING, __file__, 1, "login with token=abc123 password: hunter2", (), None
    )
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING"
    assert line["request_id"] == "-"
    assert line["message"] == "login with token=[redacted] password: [redacted]"
    assert redact("Authorization: Token 9f8e") == "Authorization: [redacted] 9f8e"


@pytest.mark.django_db
@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_the_admin_login_locks_out_after_repeated_failures(client):
    User.objects.create_superuser("editor", password="correct horse battery staple")
    for _ in range(3):
        failed = client.post(
            "/admin/login/?next=/admin/", {"username": "editor", "password": "wrong"}
        )
        assert failed.status_code in {200, 429}
    locked = client.post(
        "/admin/login/?next=/admin/",
        {"username": "editor", "password": "correct horse battery staple"},
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    other = client.post(
        "/admin/login/?next=/admin/", {"username": "nobody-else", "password": "wrong"}
    )
    assert other.status_code == 200  # the lock is per user name and address


def test_a_lost_database_gives_503_with_retry_after_not_500(rf):
    from django.db import OperationalError

    from core.health import DatabaseUnavailableMiddleware

    def view(request):
        raise OperationalError("server closed the connection unexpectedly")

    middleware = DatabaseUnavailableMiddleware(view)
    request = rf.get("/")
    response = middleware.process_exception(request, OperationalError("connection refused"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert json.loads(response.content)["status"] == "unavailable"
    assert middleware.process_exception(request, ValueError("not ours")) is None
