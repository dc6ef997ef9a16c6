"""Read replicas: the settings, the router without replicas, and the read paths against a
real primary and streaming replica (tests/replica/, in a process of its own)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.db import router

from core import replicas
from timeline.models import Launch

ROOT = Path(__file__).resolve().parent.parent
# A replica that never answers, beside the real one: reads must go around it.
UNREACHABLE = "postgres://postgres@127.0.0.1:9/salvo"


def test_without_replicas_every_read_goes_to_the_primary(settings):
    assert settings.DATABASE_REPLICAS == []
    with replicas.replica_reads():
        assert router.db_for_read(Launch) == "default"
    assert router.db_for_write(Launch) == "default"


def test_replica_urls_become_mirrors_of_the_primary_in_tests():
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({a: settings.DATABASES[a] for a in settings.DATABASE_REPLICAS}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": "postgres://salvo@primary:5432/salvo",
        "DATABASE_REPLICA_URLS": "postgres://salvo@one:5432/salvo,postgres://salvo@two:5433/salvo",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    aliases = json.loads(result.stdout)
    assert list(aliases) == ["replica_0", "replica_1"]
    assert [(a["HOST"], a["PORT"], a["NAME"]) for a in aliases.values()] == [
        ("one", 5432, "salvo"),
        ("two", 5433, "salvo"),
    ]
    for alias in aliases.values():
        assert alias["TEST"]["MIRROR"] == "default"
        assert alias["OPTIONS"] == {"connect_timeout": 2}
        assert alias["CONN_HEALTH_CHECKS"] is True


def test_the_read_paths_against_a_real_primary_and_replica(replica_pair):
    env = {
        **{k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"},
        "DATABASE_URL": replica_pair["DATABASE_URL"],
        "DATABASE_REPLICA_URLS": f"{replica_pair['DATABASE_REPLICA_URLS']},{UNREACHABLE}",
        "SALVO_REPLICA_PAIR": "1",
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/replica", "-p", "no:cacheprovider", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    print(result.stdout)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"=* ?\d+ passed in [\d.]+s.*", summary), summary


def test_make_replica_refuses_clearly_without_the_postgresql_binaries(tmp_path):
    result = subprocess.run(
        [ROOT / "scripts" / "replica", "start"],
        env={**os.environ, "PG_BIN": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    assert "no initdb: install the PostgreSQL server" in result.stderr
