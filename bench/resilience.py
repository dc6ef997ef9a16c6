"""Load with a database restart in the middle: errors only while it is down, then recovery.

Production settings on PostgreSQL behind gunicorn, the demo data loaded, the response cache
off so that every request reaches the database. Two runs of wrk at 64 connections for 30 s
against the timeline page and the API launch list: one undisturbed, one during which
PostgreSQL is restarted after 10 s. A probe polls the page every 100 ms and logs each
status, so the report shows when errors began and ended. Run it on a machine of your own:
it restarts the PostgreSQL cluster it is pointed at.
"""

import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench

PATHS = ["/", "/api/v1/launches/?page_size=50"]


def probe(url, stop, log):
    while not stop.is_set():
        started = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:
            status = 0
        log.append((started, status))
        time.sleep(0.1)


def restart_postgres(after, log):
    time.sleep(after)
    cluster = sorted(os.listdir("/etc/postgresql"))[-1]
    log.append(("down", time.monotonic()))
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "restart"], check=True
    )
    log.append(("up", time.monotonic()))


def load(path, seconds=30):
    url = f"http://127.0.0.1:{bench.PORT}{path}"
    output = bench.run("wrk", "-t2", "-c64", f"-d{seconds}s", "--latency", url, env=os.environ)
    total = int(re.search(r"(\d+) requests in", output)[1])
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "requests": total,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "non_2xx": int(non_2xx[1]) if non_2xx else 0,
        "socket_errors": socket_errors[1] if socket_errors else "none",
    }


def main():
    bench.ensure_wrk()
    bench.prepare_database()
    bench.run(bench.PY, "manage.py", "load_demo")
    server = bench.Server(cached=False)
    lines = ["# Load and a database restart", ""]
    try:
        for path in PATHS:
            quiet = load(path)
            lines.append(f"- `{path}` undisturbed, 64 connections, 30 s: {quiet}")
        stop, statuses, events = threading.Event(), [], []
        prober = threading.Thread(
            target=probe, args=(f"http://127.0.0.1:{bench.PORT}/", stop, statuses)
        )
        restarter = threading.Thread(target=restart_postgres, args=(10, events))
        started = time.monotonic()
        prober.start()
        restarter.start()
        disturbed = load("/")
        restarter.join()
        time.sleep(2)
        stop.set()
        prober.join()
        after = urllib.request.urlopen(f"http://127.0.0.1:{bench.PORT}/", timeout=5).status
    finally:
        server.stop()
    down = dict(events)
    failures = [(t - started, s) for t, s in statuses if s != 200]
    lines += [
        f"- `/` with PostgreSQL restarted after 10 s: {disturbed}",
        f"- restart took {down['up'] - down['down']:.1f} s "
        f"(from {down['down'] - started:.1f} s to {down['up'] - started:.1f} s)",
        f"- probe: {len(statuses)} requests, {len(failures)} not 200, statuses "
        f"{sorted({s for _, s in failures})}, first at "
        f"{failures[0][0] if failures else 0:.1f} s, last at {failures[-1][0] if failures else 0:.1f} s",
        f"- after the run, without restarting gunicorn: GET / → {after}",
    ]
    report = "\n".join(lines) + "\n"
    (bench.ROOT / "bench" / "RESILIENCE.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
