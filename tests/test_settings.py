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
