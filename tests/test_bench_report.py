"""`make bench`'s report: which targets a run meets, and why one it misses is missed."""

import importlib.util

import pytest

from .paths import ROOT

spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


def run_with(*, cold_list_rps, queries_large=(6, 8, 7, 5), warm_p50_large=10.0):
    def mode(list_rps, p50=10.0):
        rows = {key: {"rps": 1000.0, "p50_ms": p50, "p99_ms": 20.0} for key in "acde"}
        rows["b"] = {"rps": list_rps, "p50_ms": p50, "p99_ms": 20.0}
        return rows

    def cost(counts):
        return {
            k: {"queries": n, "ms": 20.0, "sql_ms": 5.0}
            for k, n in zip("bcde", counts, strict=True)
        }

    small, large = bench.SIZES[0], bench.SIZES[-1]
    return {
        small: {"warm": mode(900.0), "cold": mode(cold_list_rps), "queries": cost((6, 8, 7, 5))},
        large: {
            "warm": mode(900.0, warm_p50_large),
            "cold": mode(cold_list_rps),
            "queries": cost(queries_large),
        },
    }


def verdict(results, target):
    """Whether the run meets the target whose name starts with `target`."""
    (met,) = [met for name, _, met in bench.targets(results) if name.startswith(target)]
    return met


def test_a_run_meeting_every_target_says_so():
    report = bench.render(run_with(cold_list_rps=300.0), elapsed=200)
    assert all(met for _, _, met in bench.targets(run_with(cold_list_rps=300.0)))
    assert "Every target is met." in report


def test_a_missed_target_is_explained_with_the_runs_numbers():
    results = run_with(cold_list_rps=30.0)
    assert verdict(results, "API list, caches off") is False
    report = bench.render(results, elapsed=200)
    assert "reference | 0.03 | not met |" in report
    # A quarter of 1000 req/s over two workers leaves 8 ms; the request's SQL alone is 5 ms.
    assert "leaves each of the 2 workers 8.0 ms per request" in report
    assert "of which 5.0 ms is spent in its 6 queries" in report


def test_query_counts_must_match_and_be_counted():
    assert not verdict(run_with(cold_list_rps=300.0, queries_large=(6, 9, 7, 5)), "queries")
    zero = run_with(cold_list_rps=300.0, queries_large=(0, 0, 0, 0))
    for size in zero:
        for row in zero[size]["queries"].values():
            row["queries"] = 0
    assert not verdict(zero, "queries")


def test_p50_growth_beyond_the_limit_is_missed():
    results = run_with(cold_list_rps=300.0, warm_p50_large=13.0)
    assert not verdict(results, "warm p50")


def test_ratios_are_taken_between_neighbouring_rounds(monkeypatch):
    # The machine slows down by half after the first round: each round's ratio is still 0.9.
    figures = iter([2000.0, 1800.0, 1000.0, 900.0, 1000.0, 900.0])
    monkeypatch.setattr(bench, "ROUNDS", 3)
    monkeypatch.setattr(
        bench,
        "wrk",
        lambda path: {"rps": next(figures), "p50_ms": 1.0, "p99_ms": 2.0, "non_2xx": 0},
    )
    row = bench.paired("/api/v1/launches/")
    assert row["ratio"] == pytest.approx(0.9)
    assert row["rps"] == 900.0
    assert bench.reference_row({"b": row})["rps"] == 1000.0
    results = run_with(cold_list_rps=30.0)
    warm = results[bench.SIZES[-1]]["warm"]
    warm["a"]["rps"], warm["b"] = 2000.0, row
    assert verdict(results, "warm API list") is True  # 0.9 beside its reference, not 900/2000


def test_the_floor_under_the_cold_list_is_reported_against_the_budget():
    results = run_with(cold_list_rps=30.0)
    results[bench.SIZES[-1]]["queries"]["floor"] = {"ms": 9.5, "statements": 1000, "bytes": 1}
    report = bench.render(results, elapsed=200)
    assert "| floor under b: plain SQL and orjson, no Django | 10000 | 9.5 |" in report
    assert "its 1000 statements read by plain SQL" in report
    assert "costs 9.5 ms by itself, more than the whole budget." in report
