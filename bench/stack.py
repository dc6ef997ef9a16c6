"""The stack `make bench` measures: its settings, gunicorn, wrk, and the database it reads."""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
PORT = int(os.environ.get("BENCH_PORT", "8100"))
DATABASE = os.environ.get("BENCH_DATABASE", "salvo_bench")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/5")
DURATION = os.environ.get("BENCH_DURATION", "3s")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "32")
REFERENCE_FILE = Path(tempfile.gettempdir()) / f"salvo-bench-reference-{PORT}.json"
WORKERS = 2

ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "DATABASE_URL": f"{PG}/{DATABASE}",
    "CACHE_URL": REDIS,
    "DJANGO_LOG_LEVEL": "WARNING",
    # The benchmark measures throughput, not the throttle.
    "API_ANON_RATE": "100000000/minute",
    "API_TOKEN_RATE": "100000000/minute",
    "PAGE_ANON_RATE": "",
}
ENV.pop("CELERY_BROKER_URL", None)
ENV.pop("DATABASE_REPLICA_URLS", None)


def run(*command, env=ENV, quiet=True):
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=quiet, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stdout}\n{result.stderr}")
    return result.stdout


def ensure_wrk():
    if shutil.which("wrk"):
        return
    print("installing wrk …", flush=True)
    run("apt-get", "install", "-y", "-qq", "wrk", env=os.environ)


def prepare_database():
    run("psql", PG + "/postgres", "-qc", f"DROP DATABASE IF EXISTS {DATABASE}", env=os.environ)
    run("psql", PG + "/postgres", "-qc", f"CREATE DATABASE {DATABASE}", env=os.environ)
    run(PY, "manage.py", "migrate", "--noinput")
    run(PY, "manage.py", "collectstatic", "--noinput")


def flush_cache():
    run("redis-cli", "-u", REDIS, "FLUSHDB", env=os.environ)


def wait_for(url, *, what):
    for _ in range(150):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{what} did not start")


class Server:
    """gunicorn with production settings; `env` overrides the database, for one."""

    def __init__(self, *, cached, env=None):
        env = {**ENV, "PUBLIC_CACHE_SECONDS": "600" if cached else "0", **(env or {})}
        env["BENCH_REFERENCE_FILE"] = str(REFERENCE_FILE) if REFERENCE_FILE.exists() else ""
        self.process = subprocess.Popen(
            [GUNICORN, "config.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
             "--workers", str(WORKERS), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(f"http://127.0.0.1:{PORT}/healthz", what="gunicorn")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def fetch(path, port=PORT):
    # Long: a cold server may still be working through the requests of the last wrk run.
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=120) as response:
        return response.read()


def wrk(path, *, port=PORT, connections=CONNECTIONS, duration=DURATION, script=None):
    """One wrk run after one warming request: req/s, p50 and p99 in ms, non-2xx responses.

    With `script`, a Lua file that picks each request's path, `path` is only the first.
    """
    url = f"http://127.0.0.1:{port}{path}"
    fetch(path, port)  # warm: first request fills caches and connections
    options = ["-s", str(script)] if script else []
    # A request slower than wrk's default 2 s timeout would be left out of the latencies.
    output = run(
        "wrk", "-t2", f"-c{connections}", f"-d{duration}", "--timeout", "30s", "--latency",
        *options, url, env=os.environ,
    )  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    latency = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+\w+)", output, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    failures = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "rps": rps,
        "p50_ms": to_ms(latency["50"]),
        "p99_ms": to_ms(latency["99"]),
        "non_2xx": int(errors[1]) if errors else 0,
        "socket_errors": sum(int(n) for n in failures.groups()) if failures else 0,
    }


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]
