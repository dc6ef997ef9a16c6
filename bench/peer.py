"""A peer in the same run: the same 50 launches as JSON from Datasette, against Salvo's list.

Salvo's `/api/v1/launches/?page_size=50` (no `expand`) is copied row for row into a SQLite
table: every column it serves, lists and objects as JSON text that Datasette decodes back
(`_json=`), an index on the order it is read in. Datasette serves that file as its
performance documentation recommends: immutable (`-i`), with the row counts computed
ahead by `datasette inspect` (`--inspect-file`), one process on a port of its own. wrk
then measures its `/bench/launches.json?_shape=array&_size=50&_sort=sort_at` in rounds,
each right beside a round of Salvo's list, warm (response cache on) and cold (response cache off).
"""

import json
import os
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from statistics import median

from stack import PORT, ROOT, ROUNDS, Server, fetch, flush_cache, run, wait_for, wrk

DATASETTE = str(ROOT / ".venv" / "bin" / "datasette")
PEER_PORT = int(os.environ.get("BENCH_PEER_PORT", str(PORT + 1)))
SALVO = "/api/v1/launches/?page_size=50"


def copy(rows, path):
    """`rows` as a SQLite table `launches`; returns the peer's URL for all of them."""
    columns = list(rows[0])
    nested = [c for c in columns if any(isinstance(r[c], list | dict) for r in rows)]
    with sqlite3.connect(path) as db:
        db.execute(f"CREATE TABLE launches ({', '.join(f'[{c}]' for c in columns)})")
        db.execute("CREATE INDEX launches_sort_at ON launches (sort_at)")
        db.executemany(
            f"INSERT INTO launches VALUES ({', '.join('?' for _ in columns)})",
            [[json.dumps(r[c]) if c in nested else r[c] for c in columns] for r in rows],
        )
    db.close()
    decode = "".join(f"&_json={c}" for c in nested)
    return f"/bench/launches.json?_shape=array&_size={len(rows)}&_sort=sort_at{decode}"


class Datasette:
    def __init__(self, folder, database):
        inspected = folder / "counts.json"
        run(DATASETTE, "inspect", str(database), "--inspect-file", str(inspected), env=os.environ)
        self.process = subprocess.Popen(
            [DATASETTE, "serve", "-i", str(database), "--inspect-file", str(inspected),
             "--host", "127.0.0.1", "--port", str(PEER_PORT)],
            cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(f"http://127.0.0.1:{PEER_PORT}/-/versions.json", what="datasette")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def measure():
    """Salvo's list and Datasette's copy in paired rounds, warm and cold."""
    print("\n== peer: Datasette, the same 50 launches", flush=True)
    flush_cache()
    server = Server(cached=False)
    try:
        rows = json.loads(fetch(SALVO))["results"]
    finally:
        server.stop()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        url = copy(rows, folder / "bench.db")
        peer = Datasette(folder, folder / "bench.db")
        try:
            served = json.loads(fetch(url, PEER_PORT))
            results = {
                "rows": len(served),
                "same_rows": [r["slug"] for r in served] == [r["slug"] for r in rows],
                "bytes": {"salvo": None, "datasette": len(fetch(url, PEER_PORT))},
                "url": url,
            }
            for mode, cached in (("warm", True), ("cold", False)):
                flush_cache()
                server = Server(cached=cached)
                try:
                    results["bytes"]["salvo"] = len(fetch(SALVO))
                    results[mode] = paired(url)
                finally:
                    server.stop()
                row = results[mode]
                print(
                    f"  {mode:4} Salvo {row['salvo']['rps']:7.0f} req/s  Datasette "
                    f"{row['datasette']['rps']:7.0f} req/s  × {row['ratio']:.2f}",
                    flush=True,
                )
        finally:
            peer.stop()
    return results


def paired(url):
    """ROUNDS rounds of Datasette, each followed by one of Salvo: medians and their ratio."""
    rounds = [(wrk(url, port=PEER_PORT), wrk(SALVO)) for _ in range(ROUNDS)]

    def medians(rows):
        return {key: median(row[key] for row in rows) for key in ("rps", "p50_ms", "p99_ms")}

    return {
        "datasette": medians([peer for peer, _ in rounds]),
        "salvo": medians([salvo for _, salvo in rounds]),
        "ratio": median(salvo["rps"] / peer["rps"] for peer, salvo in rounds),
    }
