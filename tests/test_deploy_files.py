"""The deployment files (Dockerfile, docker-compose.yml, .env.example) agree with each other
and with the settings. Offline: nothing here builds an image or starts a container."""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
SETTINGS_DIR = ROOT / "config" / "settings"

QUEUES = ("default", "webhooks", "imports")  # config/celery.py's
WORKERS = tuple(f"worker-{queue}" for queue in QUEUES)
APP_SERVICES = ("web", *WORKERS, "beat", "migrate")
ROOT_USERS = {"root", "0"}

# env("NAME", ...), env.bool("NAME", ...), env.db_url("NAME", ...) and the other casts.
ENV_READ = re.compile(r"""\benv(?:\.\w+)?\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']""")
# NAME=value, or a commented-out "# NAME=value" that documents an optional variable.
ENV_LINE = re.compile(r"^(#\s*)?([A-Za-z_][A-Za-z0-9_]*)=")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile():
    return dockerfile_instructions(DOCKERFILE.read_text())


@pytest.fixture(scope="module")
def settings_vars():
    names = set()
    for path in sorted(SETTINGS_DIR.glob("*.py")):
        names.update(ENV_READ.findall(path.read_text()))
    return names


def dockerfile_instructions(text):
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    instructions, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        if line:
            keyword, _, arguments = line.partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def command_words(arguments):
    """A CMD/ENTRYPOINT/RUN argument string, exec (JSON) form or shell form, as words."""
    if arguments.startswith("["):
        return json.loads(arguments)
    return shlex.split(arguments)


def environment(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return env


def gunicorn_bind(words):
    for index, word in enumerate(words):
        if word in ("-b", "--bind"):
            return words[index + 1]
        if word.startswith("--bind="):
            return word.partition("=")[2]
    return None


def port_target(port):
    if isinstance(port, dict):
        return int(port["target"])
    return int(str(port).rpartition(":")[2].partition("/")[0])


def named_volume(volume):
    """The named volume a service mount uses, or None for a bind mount or tmpfs."""
    if isinstance(volume, dict):
        return volume.get("source") if volume.get("type", "volume") == "volume" else None
    source, sep, _ = str(volume).partition(":")
    if not sep or source.startswith((".", "/", "~", "$")):
        return None
    return source


# The Compose specification.


def test_compose_file_validates_against_the_compose_specification():
    check_jsonschema = Path(sys.executable).parent / "check-jsonschema"
    assert check_jsonschema.exists(), f"{check_jsonschema} is missing: install the dev extras"
    result = subprocess.run(
        [str(check_jsonschema), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Wiring the schema does not check.


def test_every_named_volume_is_declared(compose, services):
    declared = set(compose.get("volumes") or {})
    for name, service in services.items():
        for volume in service.get("volumes", []):
            used = named_volume(volume)
            if used is not None:
                assert used in declared, f"{name} mounts volume {used!r}, not declared"


def test_every_depends_on_target_is_a_service(services):
    for name, service in services.items():
        for target in service.get("depends_on", []):
            assert target in services, f"{name} depends on {target!r}, not a service"


def test_the_web_port_matches_the_gunicorn_bind(services, dockerfile):
    web = services["web"]
    if "command" in web:
        words = web["command"]
        words = shlex.split(words) if isinstance(words, str) else words
    else:
        cmds = [arguments for keyword, arguments in dockerfile if keyword == "CMD"]
        assert cmds, "the Dockerfile has no CMD"
        words = command_words(cmds[-1])
    assert "gunicorn" in words[0], words
    assert "config.wsgi:application" in words, words
    bind = gunicorn_bind(words)
    assert bind is not None, f"gunicorn is not bound explicitly: {words}"
    host, _, port = bind.rpartition(":")
    assert host == "0.0.0.0", bind
    targets = [port_target(p) for p in web.get("ports", [])]
    assert targets == [8000], targets
    assert int(port) == 8000


def test_the_dockerfile_exposes_the_web_port(dockerfile):
    exposed = [arguments for keyword, arguments in dockerfile if keyword == "EXPOSE"]
    assert "8000" in " ".join(exposed).split()


def test_the_app_services_share_one_build(services):
    builds = {name: services[name].get("build") for name in APP_SERVICES}
    assert builds["web"] is not None, "web has no build"
    assert all(build == builds["web"] for build in builds.values()), builds


def test_the_app_services_share_one_environment(services):
    environments = {name: environment(services[name]) for name in APP_SERVICES}
    assert all(env == environments["web"] for env in environments.values()), environments


def test_the_service_urls_point_at_the_services(services):
    env = environment(services["web"])
    database = urlsplit(env["DATABASE_URL"])
    postgres = environment(services[database.hostname])
    assert database.username == postgres["POSTGRES_USER"]
    assert database.password == postgres["POSTGRES_PASSWORD"]
    assert database.path.lstrip("/") == postgres["POSTGRES_DB"]
    assert urlsplit(env["CELERY_BROKER_URL"]).hostname in services


def test_the_replica_follows_the_primary_the_app_writes_to(compose, services):
    env = environment(services["web"])
    primary = urlsplit(env["DATABASE_URL"])
    [replica_url] = env["DATABASE_REPLICA_URLS"].split(",")
    replica = urlsplit(replica_url)
    assert replica.hostname in services
    assert replica.hostname != primary.hostname
    assert (replica.username, replica.password, replica.path) == (
        primary.username,
        primary.password,
        primary.path,
    )
    follower = services[replica.hostname]
    assert follower["image"] == services[primary.hostname]["image"]
    script = follower["command"][0]
    assert f"pg_basebackup -h {primary.hostname} -U {primary.username}" in script
    assert " -R " in script  # it starts as a standby of the primary
    assert environment(follower)["PGPASSWORD"] == primary.password
    assert primary.hostname in follower["depends_on"]
    # The primary accepts replication connections, which its default pg_hba.conf does not.
    [config] = services[primary.hostname]["configs"]
    assert config["target"].startswith("/docker-entrypoint-initdb.d/")
    assert "host replication all" in compose["configs"][config["source"]]["content"]
    assert replica.hostname in services["web"]["depends_on"]


def test_compose_serves_plain_http_without_the_ssl_redirect(services):
    # The healthcheck fetches http://127.0.0.1:8000/; a redirect to HTTPS would fail it.
    env = environment(services["web"])
    assert str(env["DJANGO_SECURE_SSL_REDIRECT"]).lower() == "false"
    assert "127.0.0.1" in env["DJANGO_ALLOWED_HOSTS"].split(",")


# Environment variables.


def test_the_settings_read_the_expected_variables(settings_vars):
    # A guard on the regex: if it stopped matching, the tests below would pass vacuously.
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"} <= settings_vars


def test_compose_sets_only_variables_the_settings_read(services, settings_vars):
    known = settings_vars | {"DJANGO_SETTINGS_MODULE"}
    for name in APP_SERVICES:
        unknown = set(environment(services[name])) - known
        assert not unknown, f"{name} sets variables the settings never read: {sorted(unknown)}"


def test_env_example_lists_only_variables_the_settings_read(settings_vars):
    listed = {m[2] for line in ENV_EXAMPLE.read_text().splitlines() if (m := ENV_LINE.match(line))}
    unknown = listed - settings_vars - {"DJANGO_SETTINGS_MODULE"}
    assert not unknown, f".env.example lists variables the settings never read: {sorted(unknown)}"


def test_env_example_documents_every_variable_the_settings_read(settings_vars):
    listed = {m[2] for line in ENV_EXAMPLE.read_text().splitlines() if (m := ENV_LINE.match(line))}
    missing = settings_vars - listed
    assert not missing, f".env.example does not mention {sorted(missing)}"


# The Dockerfile.


def test_the_image_runs_as_a_non_root_user(dockerfile):
    users = [arguments for keyword, arguments in dockerfile if keyword == "USER"]
    assert users, "the Dockerfile has no USER line"
    user = users[-1].partition(":")[0]
    assert user not in ROOT_USERS, users[-1]


def test_the_image_collects_static_files_at_build(dockerfile):
    runs = [arguments for keyword, arguments in dockerfile if keyword == "RUN"]
    collect = [run for run in runs if "collectstatic" in run]
    assert collect, "no RUN step runs collectstatic"
    assert "--noinput" in collect[0]
    assert "DJANGO_SECRET_KEY=" in collect[0]


def test_the_image_bakes_in_no_secret_key(dockerfile):
    for keyword, arguments in dockerfile:
        if keyword in ("ENV", "ARG"):
            assert "DJANGO_SECRET_KEY" not in arguments, f"{keyword} {arguments}"


# The Makefile.


def make_dry_run(target, **env):
    """The commands `make TARGET` would run, without running them (nor the install step)."""
    environment = {"PATH": os.environ["PATH"], **env}
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "-o", ".venv/.installed", target],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def celery_command(services, name):
    return command_words(json.dumps(services[name]["command"]))


@pytest.mark.parametrize(("target", "service"), [("worker", "worker-default"), ("beat", "beat")])
def test_make_worker_and_beat_run_what_compose_runs_with_production_settings(
    services, target, service
):
    compose_env = environment(services[service])
    assert compose_env["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    commands = make_dry_run(target)
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in commands
    celery = celery_command(services, service)
    ran = shlex.split(commands.strip().splitlines()[-1])
    started = ran.index(next(word for word in ran if word.endswith("celery")))
    assert ran[started + 1 : started + 1 + 3] == celery[1:4]  # -A config worker|beat
    overridden = make_dry_run(target, DJANGO_SETTINGS_MODULE="config.settings.local")
    assert "DJANGO_SETTINGS_MODULE=config.settings.local" in overridden


def redis_option(service, name):
    words = command_words(json.dumps(service.get("command") or []))
    return words[words.index(name) + 1] if name in words else None


def test_the_cache_is_bounded_and_cannot_evict_the_brokers_queues(services):
    env = environment(services["web"])
    broker = urlsplit(env["CELERY_BROKER_URL"]).hostname
    cache = urlsplit(env["CACHE_URL"]).hostname
    assert broker in services
    assert cache in services
    assert broker != cache  # separate instances: the cache's evictions never reach the queues
    assert redis_option(services[cache], "--maxmemory-policy") == "allkeys-lru"
    assert redis_option(services[cache], "--maxmemory") not in {None, "0"}
    assert redis_option(services[broker], "--maxmemory-policy") == "noeviction"
    for name in ("web", *WORKERS, "beat"):
        assert cache in services[name]["depends_on"]


def queues_option(words):
    [option] = [word for word in words if word.startswith("--queues=")]
    return option.partition("=")[2].split(",")


def test_compose_runs_one_worker_per_queue(services):
    from config.celery import QUEUES as CELERY_QUEUES

    assert set(QUEUES) == set(CELERY_QUEUES)
    assert not {"worker"} & set(services)
    for queue, name in zip(QUEUES, WORKERS, strict=True):
        words = celery_command(services, name)
        assert words[1:4] == ["-A", "config", "worker"]
        assert queues_option(words) == [queue]
        assert f"--hostname={queue}@%h" in words  # apart in the broker's view of workers


def test_make_worker_takes_the_queues_to_consume():
    every = make_dry_run("worker").strip().splitlines()[-1]
    assert "--queues" not in every  # all of them, as a worker with no --queues does
    one = shlex.split(make_dry_run("worker", QUEUES="webhooks").strip().splitlines()[-1])
    assert queues_option(one) == ["webhooks"]
