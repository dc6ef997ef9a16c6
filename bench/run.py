"""`make bench`: Salvo against the limit of its own stack, on one machine, in one run.

Production settings on PostgreSQL, gunicorn, wrk. Quiet reading first: for 100 and 10,000
launches, warm (the response cache on) and cold (the response cache off), requests per second and
p50/p99 of:
  a  the reference view: the API launch list's bytes from memory (the stack's limit)
  b  /api/v1/launches/?page_size=50&expand=statements
  c  /  (the timeline page)
  d  a launch page
  e  /api/v1/timeline/
each in rounds paired with a round of (a), then prints ratios to (a), SQL queries per
request and growth from 100 to 10,000, and the cost of one cold request at a time in one
process (with the actor page and the list without `expand`). Then, at the largest size,
Datasette serving the same 50 launches (bench/peer.py) and launch day: readers on a mix
while an editor publishes, on a primary and replica pair too when there is one
(bench/launch_day.py). It writes bench/RESULTS.md with the machine, the commands, the
numbers, every target met or not and why, and a chart.
"""

import json
import os
import platform
import sys
import time
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))

import launch_day
import peer
from stack import (
    CONNECTIONS,
    DURATION,
    ENV,
    PORT,
    PY,
    REFERENCE_FILE,
    ROOT,
    ROUNDS,
    WORKERS,
    Server,
    ensure_wrk,
    fetch,
    flush_cache,
    prepare_database,
    run,
    wrk,
)

SIZES = [int(n) for n in os.environ.get("BENCH_SIZES", "100,10000").split(",")]
LAUNCH_SLUG = "gen-50"

ENDPOINTS = {
    "a": ("reference (from memory)", "/bench/reference"),
    "b": ("API launches, expand=statements", "/api/v1/launches/?page_size=50&expand=statements"),
    "c": ("timeline page /", "/"),
    "d": ("launch page", f"/launches/{LAUNCH_SLUG}/"),
    "e": ("API timeline", "/api/v1/timeline/"),
}
# Measured one request at a time in process only: the cold table's other pages.
IN_PROCESS = {
    **{key: row for key, row in ENDPOINTS.items() if key != "a"},
    "f": ("actor page", "/actors/US/"),
    "g": ("API launches, no expand", peer.SALVO),
}
# The cold table's targets: ms per request, one at a time in process, response cache off.
COLD_TARGETS = {"c": 40, "f": 40, "d": 10, "b": 15}


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
    paths = {key: path for key, (_, path) in IN_PROCESS.items()}
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
    # At the largest size, whose data is still loaded: the peer before any publish.
    results["peer"] = peer.measure()
    results["launch_day"] = launch_day.measure(SIZES[-1])
    elapsed = time.time() - started
    # The figures first: a quarter of an hour of measuring outlives a report that fails.
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=2))
    (ROOT / "bench" / "RESULTS.md").write_text(render(results, elapsed))
    (ROOT / "bench" / "throughput.svg").write_text(chart(results))
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
                f"| {b['p50_ms']:.2f} | {b['p99_ms']:.2f} | {growth(a, b)} "
                f"| {qa} | {qb} |"
            )
    return "\n".join(lines)


def growth(small, large):
    """p50 at the large size over the small; a run with no request answered has none."""
    return f"{large['p50_ms'] / small['p50_ms']:.2f}×" if small["p50_ms"] else "—"


def ratio(results, size, mode, key):
    """Throughput as a fraction of the reference's, measured beside it."""
    row = results[size][mode][key]
    if "ratio" in row:
        return row["ratio"]
    return row["rps"] / results[size][mode]["a"]["rps"]


def cost_table(results):
    lines = [
        "| endpoint | size | ms per request | of which SQL | queries | target |",
        "|---|---|---|---|---|---|",
    ]
    for key, (name, _) in IN_PROCESS.items():
        for size in SIZES:
            row = results[size]["queries"][key]
            target = (
                f"≤ {COLD_TARGETS[key]} ms" if key in COLD_TARGETS and size == SIZES[-1] else ""
            )
            lines.append(
                f"| {key} {name} | {size} | {row['ms']:.1f} | {row['sql_ms']:.1f} "
                f"| {row['queries']} | {target} |"
            )
    for size in SIZES:
        floor = results[size]["queries"].get("floor")
        if floor:
            lines.append(
                f"| floor under b: plain SQL and orjson, no Django | {size} | {floor['ms']:.1f} "
                f"| — | 2 | |"
            )
    return "\n".join(lines)


def launch_reference(day):
    """The reference's req/s on launch day: the mean of its runs before and after the mix."""
    return (day["reference"]["before"]["rps"] + day["reference"]["after"]["rps"]) / 2


LAUNCH_HEADER = (
    "| run | req/s | p50 ms | p99 ms | × reference | non-2xx | socket errors | publishes "
    "| ms per publish |\n|---|---|---|---|---|---|---|---|---|"
)


def launch_table(day):
    reference = launch_reference(day)
    lines = [
        LAUNCH_HEADER,
    ]
    for name, row in day["reference"].items():
        lines.append(
            f"| reference ({name} the mix) | {row['rps']:.0f} | {row['p50_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['rps'] / reference:.2f} | {row['non_2xx']} "
            f"| {row.get('socket_errors', 0)} | | |"
        )
    for name, row in day["runs"].items():
        label = "mix, no writer" if name == "quiet" else f"mix, a publish {name}"
        lines.append(launch_row(label, row, reference))
    return "\n".join(lines)


def launch_row(label, row, reference):
    publishes = row.get("publishes")
    return (
        f"| {label} | {row['rps']:.1f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} "
        f"| {row['rps'] / reference:.3f} | {row['non_2xx']} | {row.get('socket_errors', 0)} "
        f"| {'' if publishes is None else publishes}{' (the writer failed)' if row.get('writer_failed') else ''} "
        f"| {'' if publishes is None else f'{row["median_ms"]:.0f}'} |"
    )


def replica_section(day):
    replica = day.get("replica") or {"missing": "this run did not try."}
    if "missing" in replica:
        return f"not measured: {replica['missing']}"
    reference = launch_reference(day)
    lines = [
        f"The run with a publish every {replica['every']:g} s, against a fresh primary and "
        "streaming replica pair (`scripts/replica start`) holding a copy of the same "
        "database; × reference against the reference above.",
        "",
        LAUNCH_HEADER,
    ]
    for name in ("primary only", "with replica"):
        label = (
            "primary only"
            if name == "primary only"
            else "reads on the replica (DATABASE_REPLICA_URLS)"
        )
        lines.append(launch_row(label, replica[name], reference))
    return "\n".join(lines)


def peer_section(results):
    found = results.get("peer")
    if not found:
        return "not measured in this run."
    lines = [
        f"Datasette {found['rows']} rows ({found['bytes']['datasette']:,} bytes, "
        f"{'the same launches in the same order' if found['same_rows'] else 'NOT the same launches'}) "
        f"at `{found['url']}`; Salvo's `{peer.SALVO}` ({found['bytes']['salvo']:,} bytes). "
        f"Rounds of wrk -c{CONNECTIONS} -d{DURATION}, each Datasette round followed by a Salvo "
        "round; medians, and the median of the rounds' ratios.",
        "",
        "| mode | Salvo req/s | p50 ms | p99 ms | Datasette req/s | p50 ms | p99 ms | Salvo × Datasette |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for mode in ("warm", "cold"):
        salvo, other = found[mode]["salvo"], found[mode]["datasette"]
        lines.append(
            f"| {mode} | {salvo['rps']:.0f} | {salvo['p50_ms']:.1f} | {salvo['p99_ms']:.1f} "
            f"| {other['rps']:.0f} | {other['p50_ms']:.1f} | {other['p99_ms']:.1f} "
            f"| {found[mode]['ratio']:.2f} |"
        )
    return "\n".join(lines)


def targets(results):
    """(target, the measured value as shown, whether it is met), at the largest size."""
    large = SIZES[-1]
    rows = []
    day = results.get("launch_day")
    busy = day and day["runs"].get("every 2 s")
    if busy:
        share = busy["rps"] / launch_reference(day)
        rows += [
            (
                "launch day, a publish every 2 s: readers ≥ 0.5× reference",
                f"{share:.3f}",
                share >= 0.5,
            ),
            (
                "launch day, a publish every 2 s: readers' p99 ≤ 250 ms",
                f"{busy['p99_ms']:.0f} ms",
                busy["p99_ms"] <= 250,
            ),
        ]
    else:
        rows += [
            ("launch day, a publish every 2 s: readers ≥ 0.5× reference", "not measured", False),
            ("launch day, a publish every 2 s: readers' p99 ≤ 250 ms", "not measured", False),
        ]
    for key, limit in COLD_TARGETS.items():
        ms = results[large]["queries"][key]["ms"]
        rows.append(
            (f"cold, in process: {IN_PROCESS[key][0]} ≤ {limit} ms", f"{ms:.1f} ms", ms <= limit)
        )
    warm_list, warm_page = ratio(results, large, "warm", "b"), ratio(results, large, "warm", "c")
    rows += [
        ("quiet, warm API list ≥ 0.91× reference", f"{warm_list:.2f}", warm_list >= 0.91),
        ("quiet, warm timeline page ≥ 0.93× reference", f"{warm_page:.2f}", warm_page >= 0.93),
    ]
    found = results.get("peer")
    for mode, limit in (("warm", 1.5), ("cold", 1.0)):
        name = f"{mode}: Salvo's API list ≥ {limit:g}× Datasette"
        if found:
            rows.append((name, f"{found[mode]['ratio']:.2f}", found[mode]["ratio"] >= limit))
        else:
            rows.append((name, "not measured", False))
    keys = [key for key in IN_PROCESS if key in results[large]["queries"]]
    counts = {size: [results[size]["queries"][k]["queries"] for k in keys] for size in SIZES}
    same = counts[SIZES[0]] == counts[large] and all(counts[large])
    rows.append(
        (
            "queries per request identical at both sizes",
            f"{counts[SIZES[0]]} / {counts[large]}",
            same,
        )
    )
    return rows


# What stands between a target and the measurement when it is not met, where no figure
# of the run says more.
WHY = {
    "quiet, warm API list ≥ 0.91× reference": (
        "A cached response costs what the reference costs plus a poll of the process's "
        "subscription to the data version, a hash of the request and a lookup in process "
        "memory. On a shared 2-core host wrk competes with the workers, and the ratio moves "
        "by several hundredths between rounds."
    ),
    "quiet, warm timeline page ≥ 0.93× reference": (
        "The page is larger than the reference body (a year of launches with every reaction "
        "chip), so even from memory it moves more bytes per request."
    ),
}


def why(results, name):
    """Why the target `name` is missed, in this run's own numbers where it has them."""
    large = SIZES[-1]
    if name.startswith("launch day"):
        return launch_day_why(results)
    if name.startswith("cold, in process"):
        key = next(k for k in COLD_TARGETS if f": {IN_PROCESS[k][0]} ≤" in name)
        row = results[large]["queries"][key]
        text = (
            f"One request costs {row['ms']:.1f} ms with the response cache off, of which "
            f"{row['sql_ms']:.1f} ms is spent in its {row['queries']} queries; the rest is "
            "Python: building the rows and rendering them."
        )
        floor = results[large]["queries"].get("floor")
        if key == "b" and floor:
            text += (
                f" The floor under it — the same page's launches and its {floor['statements']} "
                f"statements read by plain SQL and encoded by orjson, with no Django — costs "
                f"{floor['ms']:.1f} ms by itself."
            )
        return text
    if name.startswith(("warm: Salvo", "cold: Salvo")):
        return peer_why(results, name.split(":")[0])
    if name.startswith("queries"):
        return "A query count that differs between sizes grows with the data."
    return WHY.get(name, "not analysed yet.")


def launch_day_why(results):
    day = results.get("launch_day")
    if not day or "every 2 s" not in day["runs"]:
        return "not measured in this run (BENCH_LAUNCH_EVERY did not include 2)."
    reference = launch_reference(day)
    quiet, busy = day["runs"]["quiet"], day["runs"]["every 2 s"]
    costs = results[SIZES[-1]]["queries"]
    return (
        f"The same mix without the writer reached {quiet['rps'] / reference:.2f}× the "
        f"reference (p99 {quiet['p99_ms']:.0f} ms); with {busy['publishes']} publishes in "
        f"{day['seconds']} s it reached {busy['rps'] / reference:.3f}× (p99 "
        f"{busy['p99_ms']:.0f} ms). What a publish makes cold is built again by the "
        f"{WORKERS} workers at the costs of the in-process cold table: the timeline page "
        f"{costs['c']['ms']:.0f} ms, an actor page {costs['f']['ms']:.0f} ms, a launch page "
        f"{costs['d']['ms']:.0f} ms, the API list with statements {costs['b']['ms']:.0f} ms."
    )


def peer_why(results, mode):
    if "peer" not in results:
        return "not measured in this run."
    found = results["peer"][mode]
    cost = results[SIZES[-1]]["queries"]["g"]["ms"]
    ceiling = WORKERS * 1000 / cost
    text = (
        f"Datasette answered {found['datasette']['rps']:.0f} req/s from one process, Salvo "
        f"{found['salvo']['rps']:.0f} from {WORKERS}."
    )
    if mode == "cold":
        text += (
            f" With the response cache off one request of Salvo's list costs {cost:.1f} ms in "
            "process, "
            f"a ceiling of {ceiling:.0f} req/s for {WORKERS} workers with the cores to "
            "themselves; wrk, PostgreSQL and the workers share them here."
        )
    return text


def render(results, elapsed):
    rows = "\n".join(
        f"| {name} | {value} | {'met' if met else 'not met'} |"
        for name, value, met in targets(results)
    )
    missed = "\n".join(
        f"- **{name}**: {why(results, name)}" for name, _, met in targets(results) if not met
    )
    day = results.get("launch_day")
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
"warm": the response cache on (PUBLIC_CACHE_SECONDS=600); "cold": the response cache off (0),
the pieces of pages kept by their own record (core.fragments) on.
×ref: throughput as a fraction of (a), the same bytes served from memory, in the same mode:
the median of each round's ratio to the reference round just before it, as the machine's
speed drifts between rounds (a shared host).

## Launch day (at {SIZES[-1]} launches)

{launch_day_intro(day)}

{launch_table(day) if day else "not measured in this run."}

### Replica on and off

{replica_section(day) if day else "not measured in this run."}

## Quiet reading

{table(results)}

### One cold request at a time, in one process (median of 15)

The time a request costs a worker with the response cache off (PUBLIC_CACHE_SECONDS=0; the
pieces of pages kept by their own record on, filled by a first request, as they are for the
records a publish did not change; DEBUG off,
production settings, the Django test client), and how much of it is spent waiting on
PostgreSQL (executing the queries and receiving their rows).

{cost_table(results)}

## A peer: Datasette, the same 50 launches

{peer_section(results)}

## Targets (at {SIZES[-1]} launches)

| target | value | |
|---|---|---|
{rows}

{"Why the targets not met are not met:" if missed else "Every target is met."}

{missed}

![throughput against dataset size](throughput.svg)
"""


def launch_day_intro(day):
    if not day:
        return ""
    return (
        f"gunicorn with {WORKERS} sync workers started afresh for each run, its cache emptied "
        "and then filled by one request to each path of the mix (a site read before the "
        "launch), then "
        f"`wrk -t2 -c{day['connections']} -d{day['seconds']}s` with a Lua script spreading "
        "requests: 40% `/`, 30% launch pages over the 200 latest launches, 10% "
        f"`{launch_day.API_LIST}`, 10% the same with `&expand=statements`, 8% actor pages "
        "over 40 actors, 2% `/matrix/`. The writer (`bench/publish.py`) publishes a new "
        "statement on one of the 20 latest launches through `statement_create`, in its own "
        "process with the same settings, database and cache; the tasks a publish dispatches are "
        "queued in that Redis database, as for a worker, and none runs during the run. "
        "× reference: against the mean "
        "of the reference's runs right before and right after the mix runs, each half as long."
    )


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
        f'aria-label="Requests per second against dataset size; solid warm, dashed response cache off">'
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
