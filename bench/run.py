"""`make bench`: Salvo against the limit of its own stack, on one machine, in one run.

Production settings on PostgreSQL, gunicorn, wrk. For 100 and 10,000 launches, warm (the
response cache on) and cold (caches off), it measures requests per second and p50/p99 of:
  a  the reference view: the API launch list's bytes from memory (the stack's limit)
  b  /api/v1/launches/?page_size=50&expand=statements
  c  /  (the timeline page)
  d  a launch page
  e  /api/v1/timeline/
each in rounds paired with a round of (a), then prints ratios to (a), SQL queries per
request and growth from 100 to 10,000, and writes bench/RESULTS.md with the machine, the
commands, the numbers and a chart.
"""

import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from statistics import median

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
SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "100,10000").split(",")]
REFERENCE_FILE = Path("/tmp/salvo-bench-reference.json")
LAUNCH_SLUG = "gen-50"
WORKERS = 2

ENDPOINTS = {
    "a": ("reference (from memory)", "/bench/reference"),
    "b": ("API launches, expand=statements", "/api/v1/launches/?page_size=50&expand=statements"),
    "c": ("timeline page /", "/"),
    "d": ("launch page", f"/launches/{LAUNCH_SLUG}/"),
    "e": ("API timeline", "/api/v1/timeline/"),
}

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


class Server:
    def __init__(self, *, cached):
        env = {**ENV, "PUBLIC_CACHE_SECONDS": "600" if cached else "0"}
        env["BENCH_REFERENCE_FILE"] = str(REFERENCE_FILE) if REFERENCE_FILE.exists() else ""
        self.process = subprocess.Popen(
            [GUNICORN, "config.wsgi:application", "--bind", f"127.0.0.1:{PORT}",
             "--workers", str(WORKERS), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        sys.exit("gunicorn did not start")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def fetch(path):
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=30) as response:
        return response.read()


def wrk(path):
    url = f"http://127.0.0.1:{PORT}{path}"
    fetch(path)  # warm: first request fills caches and connections
    output = run(
        "wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", url, env=os.environ
    )
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    latency = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+\w+)", output, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": rps,
        "p50_ms": to_ms(latency["50"]),
        "p99_ms": to_ms(latency["99"]),
        "non_2xx": int(errors[1]) if errors else 0,
    }


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


QUERY_COUNT = """
import django, json, statistics, sys, time
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

class SQLTime:
    seconds = 0.0
    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started

client, counts = Client(), {}
for key, path in json.loads(sys.argv[1]).items():
    with CaptureQueriesContext(connection) as queries:
        status = client.get(path).status_code
    count = len(queries)  # read now: each request clears the connection's query log
    # One request at a time in one process: where a cold request's time goes.
    total, sql = [], []
    for _ in range(15):
        timer = SQLTime()
        with connection.execute_wrapper(timer):
            started = time.perf_counter()
            client.get(path)
            total.append((time.perf_counter() - started) * 1000)
        sql.append(timer.seconds * 1000)
    counts[key] = {
        "queries": count,
        "status": status,
        "ms": statistics.median(total),
        "sql_ms": statistics.median(sql),
    }

# The floor under the cold API list: its two big reads (a page of launches, their
# statements with actor and speaker) as plain SQL on the same connection, and the rows
# encoded by orjson. No Django, no derived facts, no claims, themes or co-signers.
import orjson
LAUNCHES = "SELECT * FROM timeline_launch WHERE status = 'published' ORDER BY sort_at, id LIMIT 50"
STATEMENTS = (
    "SELECT s.launch_id, s.id, a.code, p.name, p.role, s.issued_on, s.issued_at, s.channel, "
    "s.quote, s.quote_kind, s.summary, s.stance, s.source_id, s.via, s.status "
    "FROM reactions_statement s JOIN reactions_actor a ON a.id = s.actor_id "
    "LEFT JOIN reactions_speaker p ON p.id = s.speaker_id "
    "WHERE s.status = 'published' AND s.launch_id IN (SELECT id FROM ({}) page) "
    "ORDER BY s.issued_on, s.issued_at, s.id"
).format(LAUNCHES)
floor = []
with connection.cursor() as cursor:
    for _ in range(15):
        started = time.perf_counter()
        cursor.execute(LAUNCHES)
        columns = [column.name for column in cursor.description]
        launches = [dict(zip(columns, row)) for row in cursor.fetchall()]
        cursor.execute(STATEMENTS)
        columns = [column.name for column in cursor.description]
        statements = [dict(zip(columns, row)) for row in cursor.fetchall()]
        body = orjson.dumps([launches, statements], default=str)
        floor.append((time.perf_counter() - started) * 1000)
counts["floor"] = {"ms": statistics.median(floor), "statements": len(statements), "bytes": len(body)}
print(json.dumps(counts))
"""


def query_counts():
    paths = {key: path for key, (_, path) in ENDPOINTS.items() if key != "a"}
    env = {**ENV, "PUBLIC_CACHE_SECONDS": "0"}
    return json.loads(run(PY, "-c", QUERY_COUNT, json.dumps(paths), env=env))


def paired(path):
    """`path` measured in ROUNDS rounds, each right after a round of the reference.

    This machine's speed drifts by tens of percent within a minute (a shared host), so a
    ratio is only taken between neighbouring measurements: the median of the rounds'
    ratios, beside the medians of the endpoint's own figures.
    """
    rounds = []
    for _ in range(ROUNDS):
        reference, endpoint = wrk(ENDPOINTS["a"][1]), wrk(path)
        rounds.append({**endpoint, "ratio": endpoint["rps"] / reference["rps"], "ref": reference})
    return {**summary(rounds), "ratio": median(r["ratio"] for r in rounds), "rounds": rounds}


def reference_row(measured):
    """The reference's own figures: the medians of every round it ran in."""
    rounds = [r["ref"] for row in measured.values() for r in row["rounds"]]
    return {**summary(rounds), "ratio": 1.0}


def summary(rounds):
    """The medians of rounds' figures, and their non-2xx responses in all."""
    return {
        "rps": median(r["rps"] for r in rounds),
        "p50_ms": median(r["p50_ms"] for r in rounds),
        "p99_ms": median(r["p99_ms"] for r in rounds),
        "non_2xx": sum(r["non_2xx"] for r in rounds),
    }


def measure(size):
    print(f"\n== {size} launches", flush=True)
    run(PY, "manage.py", "generate_dataset", "--launches", str(size), "--replace")
    results = {"queries": query_counts()}
    for mode, cached in (("warm", True), ("cold", False)):
        flush_cache()
        server = Server(cached=cached)
        try:
            if cached:
                REFERENCE_FILE.write_bytes(fetch(ENDPOINTS["b"][1]))
                server.stop()
                server = Server(cached=cached)
            measured = {}
            for key, (name, path) in ENDPOINTS.items():
                if key == "a":
                    continue
                row = measured[key] = paired(path)
                print(
                    f"  {mode:4} {key} {name:34} {row['rps']:8.0f} req/s  "
                    f"×ref {row['ratio']:4.2f}  p50 {row['p50_ms']:7.2f} ms  "
                    f"p99 {row['p99_ms']:7.2f} ms",
                    flush=True,
                )
            results[mode] = {"a": reference_row(measured), **measured}
        finally:
            server.stop()
    return results


def main():
    started = time.time()
    ensure_wrk()
    prepare_database()
    results = {size: measure(size) for size in SIZES}
    elapsed = time.time() - started
    report = render(results, elapsed)
    (ROOT / "bench" / "RESULTS.md").write_text(report)
    (ROOT / "bench" / "throughput.svg").write_text(chart(results))
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2))
    print("\n" + table(results))
    print(f"\nwrote bench/RESULTS.md in {elapsed:.0f} s")


def table(results):
    small, large = SIZES[0], SIZES[-1]
    lines = [
        f"| endpoint | mode | req/s @{small} | ×ref | p50 ms | p99 ms | req/s @{large} | ×ref "
        f"| p50 ms | p99 ms | p50 growth | queries @{small} | queries @{large} |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for mode in ("warm", "cold"):
        for key, (name, _) in ENDPOINTS.items():
            a, b = results[small][mode][key], results[large][mode][key]
            qa = results[small]["queries"].get(key, {}).get("queries", 0)
            qb = results[large]["queries"].get(key, {}).get("queries", 0)
            lines.append(
                f"| {key} {name} | {mode} | {a['rps']:.0f} | {ratio(results, small, mode, key):.2f} "
                f"| {a['p50_ms']:.2f} | {a['p99_ms']:.2f} | {b['rps']:.0f} "
                f"| {ratio(results, large, mode, key):.2f} "
                f"| {b['p50_ms']:.2f} | {b['p99_ms']:.2f} | {b['p50_ms'] / a['p50_ms']:.2f}× "
                f"| {qa} | {qb} |"
            )
    return "\n".join(lines)


def ratio(results, size, mode, key):
    """Throughput as a fraction of the reference's, measured beside it."""
    row = results[size][mode][key]
    if "ratio" in row:
        return row["ratio"]
    return row["rps"] / results[size][mode]["a"]["rps"]


def cost_table(results):
    lines = [
        "| endpoint | size | ms per request | of which SQL | queries |",
        "|---|---|---|---|---|",
    ]
    for key, (name, _) in ENDPOINTS.items():
        if key == "a":
            continue
        for size in SIZES:
            row = results[size]["queries"][key]
            lines.append(
                f"| {key} {name} | {size} | {row['ms']:.1f} | {row['sql_ms']:.1f} | {row['queries']} |"
            )
    for size in SIZES:
        floor = results[size]["queries"].get("floor")
        if floor:
            lines.append(
                f"| floor under b: plain SQL and orjson, no Django | {size} | {floor['ms']:.1f} "
                f"| — | 2 |"
            )
    return "\n".join(lines)


def targets(results):
    large = SIZES[-1]
    warm_list, warm_page = ratio(results, large, "warm", "b"), ratio(results, large, "warm", "c")
    cold_list = ratio(results, large, "cold", "b")
    counts = {size: [results[size]["queries"][k]["queries"] for k in "bcde"] for size in SIZES}
    same_queries = counts[SIZES[0]] == counts[large] and all(counts[large])
    growth = max(
        results[large]["warm"][k]["p50_ms"] / results[SIZES[0]]["warm"][k]["p50_ms"]
        for k in ENDPOINTS
        if k != "a"
    )
    # (target, the measured value as shown, whether it is met)
    return [
        ("warm API list ≥ 0.8× reference", warm_list, warm_list >= 0.8),
        ("warm timeline page ≥ 0.7× reference", warm_page, warm_page >= 0.7),
        ("API list, caches off, ≥ 0.25× reference", cold_list, cold_list >= 0.25),
        (
            "queries per request identical at both sizes",
            f"{counts[SIZES[0]]} / {counts[large]}",
            same_queries,
        ),
        ("warm p50 at the large size ≤ 1.2× the small (worst endpoint)", growth, growth <= 1.2),
    ]


# What stands between a target and the measurement when it is not met.
WHY = {
    "warm API list ≥ 0.8× reference": (
        "A cached response costs what the reference costs plus a poll of the process's "
        "subscription to the data version, a hash of the request and a lookup in process "
        "memory. On a shared 2-core host wrk competes with the workers, and the ratio moves "
        "by several hundredths between rounds."
    ),
    "warm timeline page ≥ 0.7× reference": (
        "The page is larger than the reference body (a year of launches with every reaction "
        "chip), so even from memory it moves more bytes per request."
    ),
}


def cold_list_why(results):
    """Why the cold API list misses its target, in this run's own numbers."""
    large = SIZES[-1]
    reference = results[large]["cold"]["a"]["rps"]
    cost = results[large]["queries"]["b"]
    floor = results[large]["queries"].get("floor")
    budget = WORKERS / (0.25 * reference) * 1000
    why = (
        f"0.25× of the reference is {0.25 * reference:.0f} req/s, which leaves each of the "
        f"{WORKERS} workers {budget:.1f} ms per request, less still since wrk and PostgreSQL "
        f"share the same {os.cpu_count()} cores. With every cache off, a request builds 50 "
        f"launches and about 1,000 statements (~400 KB) from the database: one such request "
        f"costs {cost['ms']:.1f} ms in process, of which {cost['sql_ms']:.1f} ms is spent "
        f"in its {cost['queries']} queries (the cost table above)."
    )
    if floor:
        why += (
            f" The floor under it — the same page's launches and its {floor['statements']} "
            f"statements read by plain SQL and encoded by orjson, with no Django, no derived "
            f"facts, no claims, themes or co-signers — costs {floor['ms']:.1f} ms by itself"
            + (", more than the whole budget." if floor["ms"] > budget else ".")
        )
    return why + (
        " Only bytes built before the request can close the gap: the response cache, which "
        "this mode turns off, or a stored copy of each launch's representation, which is "
        "the same cache with a second invalidation to get right. What is built per request "
        "is already lean: rows rather than model instances, encoded by orjson, byte for "
        "byte what the serializers give (`timeline/representations.py`, "
        "`explore/representations.py` for the statements); before it, the "
        "same request cost ~170 ms."
    )


def render(results, elapsed):
    rows = "\n".join(
        f"| {name} | {value if isinstance(value, str) else f'{value:.2f}'} | {'met' if met else 'not met'} |"
        for name, value, met in targets(results)
    )
    why = "\n".join(
        f"- **{name}**: {cold_list_why(results) if name.startswith('API list, caches off') else WHY.get(name, 'not analysed yet.')}"
        for name, value, met in targets(results)
        if not met
    )
    machine = f"{platform.node()} · {platform.platform()} · {os.cpu_count()} cores · Python {platform.python_version()}"
    return f"""# Benchmark results

Machine: {machine}
Run: `make bench` ({elapsed:.0f} s) — production settings, PostgreSQL, Redis cache, gunicorn
with {WORKERS} sync workers on 127.0.0.1:{PORT}, `wrk -t2 -c{CONNECTIONS} -d{DURATION} --latency`
after one warming request; wrk shares the machine's cores with the server. Each endpoint
runs {ROUNDS} rounds, each right after a round of the reference: the figures are medians of
the rounds, the reference's over all its rounds in that mode.
Datasets: `manage.py generate_dataset --launches N` (deterministic; ~20 statements per
launch across 40 actors, 2 claims, 1 link, an event per two launches).
"warm": the response cache on (PUBLIC_CACHE_SECONDS=600); "cold": caches off (0).
×ref: throughput as a fraction of (a), the same bytes served from memory, in the same mode:
the median of each round's ratio to the reference round just before it, as the machine's
speed drifts between rounds (a shared host).

{table(results)}

### One cold request at a time, in one process (median of 15)

The time a request costs a worker with every cache off, and how much of it is spent
waiting on PostgreSQL (executing the queries and receiving their rows).

{cost_table(results)}

## Targets (at {SIZES[-1]} launches)

| target | value | |
|---|---|---|
{rows}

{"Why the targets not met are not met:" if why else "Every target is met."}

{why}

![throughput against dataset size](throughput.svg)
"""


def chart(results):
    width, height, left, bottom = 640, 320, 60, 40
    top = max(results[s][m][k]["rps"] for s in SIZES for m in ("warm", "cold") for k in ENDPOINTS)
    colours = {"a": "#1d3557", "b": "#e76f51", "c": "#2a9d8f", "d": "#e9c46a", "e": "#8d5a97"}
    lines, labels = [], []
    for i, (key, (name, _)) in enumerate(ENDPOINTS.items()):
        for mode, dash in (("warm", ""), ("cold", ' stroke-dasharray="6 4"')):
            points = " ".join(
                f"{left + j * (width - left - 20) / max(len(SIZES) - 1, 1):.0f},"
                f"{height - bottom - results[s][mode][key]['rps'] / top * (height - bottom - 20):.0f}"
                for j, s in enumerate(SIZES)
            )
            lines.append(
                f'<polyline points="{points}" fill="none" stroke="{colours[key]}" stroke-width="2"{dash}/>'
            )
        labels.append(
            f'<text x="{left + 10}" y="{20 + i * 16}" fill="{colours[key]}" font-size="12">{key}: {name}</text>'
        )
    axis = "".join(
        f'<text x="{left + j * (width - left - 20) / max(len(SIZES) - 1, 1):.0f}" y="{height - 15}" '
        f'font-size="12" text-anchor="middle">{s} launches</text>'
        for j, s in enumerate(SIZES)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Requests per second against dataset size; solid warm, dashed caches off">'
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#999"/>'
        f'<line x1="{left}" y1="10" x2="{left}" y2="{height - bottom}" stroke="#999"/>'
        f'<text x="5" y="20" font-size="12">{top:.0f}</text><text x="5" y="{height - bottom}" font-size="12">0 req/s</text>'
        + "".join(lines)
        + "".join(labels)
        + axis
        + "</svg>\n"
    )


if __name__ == "__main__":
    main()
