"""Settings are read from the environment in one place, and production refuses to run unsafe."""

import os
import subprocess
import sys

import pytest

from .paths import ROOT


def load_settings(module, **env):
    """Import a settings module in a fresh interpreter with exactly `env` on top of PATH."""
    environment = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": module, **env}
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "d = settings.DATABASES['default']; "
        "print(d['ENGINE'], d['NAME'], settings.CELERY_TASK_ALWAYS_EAGER, settings.DEBUG)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )


@pytest.mark.parametrize("key", ["", "short", "change-me-in-production-but-long-enough-0123456789"])
def test_production_refuses_to_start_without_a_real_secret_key(key):
    result = load_settings("config.settings.production", DJANGO_SECRET_KEY=key)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_starts_with_a_secret_key_and_no_debug():
    result = load_settings(
        "config.settings.production", DJANGO_SECRET_KEY="x" * 50, DJANGO_DEBUG="true"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "False"


def test_the_embedded_default_is_sqlite_with_inline_tasks():
    result = load_settings("config.settings.local")
    assert result.returncode == 0, result.stderr
    engine, name, eager, debug = result.stdout.split()
    assert (engine, eager, debug) == ("django.db.backends.sqlite3", "True", "True")
    assert name.endswith("db.sqlite3")


def test_database_and_broker_urls_switch_to_postgresql_and_a_worker():
    result = load_settings(
        "config.settings.local",
        DATABASE_URL="postgres://salvo:pw@db.example:5432/salvo",
        CELERY_BROKER_URL="redis://cache.example:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "salvo", "False", "True"]


def test_production_passes_the_deployment_checklist():
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "k" * 20 + "-production-test-key-9f8e7d6c5b4a",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def run_in_settings(module, code, **env):
    """Run `code` after django.setup() in a fresh interpreter; returns its stdout's words."""
    environment = {"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": module, **env}
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


PRODUCTION = {"DJANGO_SECRET_KEY": "p" * 20 + "-production-test-key-0a1b2c3d4e5f"}


def test_hsts_preload_is_off_unless_asked_for():
    code = "from django.conf import settings; print(settings.SECURE_HSTS_PRELOAD)"
    assert run_in_settings("config.settings.production", code, **PRODUCTION) == ["False"]
    asked = run_in_settings(
        "config.settings.production", code, DJANGO_SECURE_HSTS_PRELOAD="true", **PRODUCTION
    )
    assert asked == ["True"]


def test_health_probes_over_plain_http_are_not_redirected_in_production():
    code = (
        "from django.test import Client; c = Client(); "
        "print(*(c.get(p).status_code for p in ('/healthz', '/readyz', '/')), "
        "c.get('/').headers.get('Location'))"
    )
    # /readyz answers 503 here (the database named below does not exist), but it answers.
    statuses = run_in_settings(
        "config.settings.production",
        code,
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL="sqlite:////nonexistent/salvo.sqlite3",
        **PRODUCTION,
    )
    assert statuses[0] == "200"
    assert statuses[1] in {"200", "503"}
    assert statuses[2:] == ["301", "https://testserver/"]  # every other page still goes to HTTPS


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DJANGO_TRUSTED_PROXIES", "10.0.0.0/8,proxy.example", "'proxy.example' is not an IP"),
        ("SITE_URL", "salvo.example.org", "is not an origin"),
        ("SITE_URL", "https://salvo.example.org/path", "is not an origin"),
    ],
)
def test_edge_settings_that_cannot_be_read_stop_the_start_naming_them(variable, value, message):
    result = load_settings("config.settings.local", **{variable: value})
    assert result.returncode != 0
    assert message in result.stderr
    assert variable in result.stderr


def test_trusted_proxies_and_site_url_are_read_from_the_environment():
    code = "from django.conf import settings; print(settings.TRUSTED_PROXIES, settings.SITE_URL)"
    words = run_in_settings(
        "config.settings.local",
        code,
        DJANGO_TRUSTED_PROXIES="10.0.0.0/8,::1",
        SITE_URL="https://salvo.example.org/",
    )
    assert words == ["['10.0.0.0/8',", "'::1']", "https://salvo.example.org"]
