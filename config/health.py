"""Liveness and readiness for load balancers and the compose healthchecks."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache


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

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return "ok"


@never_cache
def readyz(request):
    """The database, the cache and the broker answer; 503 naming the one that does not."""
    checks, ready = {}, True
    for name, check in (("database", _database), ("cache", _cache), ("broker", _broker)):
        try:
            checks[name] = check() or "ok"
        except Exception as exc:  # a check reports any failure; none may crash the probe
            checks[name] = f"unavailable: {type(exc).__name__}"
            ready = False
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )
