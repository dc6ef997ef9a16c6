"""Liveness and readiness for load balancers and the compose healthchecks."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """The process is up and answering."""
    return JsonResponse({"status": "ok"})


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache():
    cache.set("salvo:readyz", "ok", timeout=5)
    if cache.get("salvo:readyz") != "ok":
        raise RuntimeError("the cache did not return what was stored")


def _broker():
    if not settings.CELERY_BROKER_URL:
        return "inline"
    from config.celery import app

    with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


@never_cache
def readyz(request):
    """Whether the process can serve: 503 without the database, which nothing works without.

    Without the cache or the broker it still serves — pages uncached, webhook deliveries
    kept in their outbox until the broker is back — so it answers 200, "degraded", naming
    what is missing: a load balancer must not take every web process out for either.
    """
    checks, missing = {}, []
    for name, check in (("database", _database), ("cache", _cache), ("broker", _broker)):
        try:
            checks[name] = check() or "ok"
        except Exception as exc:  # a check reports any failure; none may crash the probe
            checks[name] = f"unavailable: {type(exc).__name__}"
            missing.append(name)
    if "database" in missing:
        return JsonResponse({"status": "unavailable", "checks": checks}, status=503)
    return JsonResponse({"status": "degraded" if missing else "ok", "checks": checks})


class DatabaseUnavailableMiddleware:
    """A request that finds the database gone gets 503 and Retry-After, not a 500.

    Connections are health-checked at the start of each request (CONN_HEALTH_CHECKS), so
    the first request after the database is back reconnects: no restart needed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable: %s", type(exception).__name__)
        response = JsonResponse(
            {"status": "unavailable", "detail": "The database is unavailable; try again shortly."},
            status=503,
        )
        response["Retry-After"] = "5"
        return response
