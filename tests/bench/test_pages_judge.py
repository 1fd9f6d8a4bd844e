"""The page benchmark's judging, on made-up figures: what is compared with what."""

from __future__ import annotations

from typing import Any

from bench import pages


def _page(who: str, rps: float, p95: float, queries: int = 3, **extra: Any) -> dict[str, Any]:
    return {
        "page": "timeline", "label": "Place timeline", "who": who, "urls": 300,
        "available": 300, "members": 100, "rps": rps, "p50_ms": p95 / 2, "p95_ms": p95,
        "p99_ms": p95 * 1.2, "errors": 0, "queries_mean": queries, "queries_max": queries,
        "cache_hits": 0.0, "ratio_text": rps / 3000, "ratio_table": rps / 200, **extra,
    }  # fmt: skip


def _report(**extra: Any) -> dict[str, Any]:
    return {
        "mode": "full",
        "commit": "abc",
        "when": "now",
        "machine": {"cpus": 2},
        "server": {"load": "wrk", "seconds_per_page": 30, "warmup_seconds": 5},
        "dataset": {"rows": {"places": 300}},
        "references": {},
        "pages": [_page("signed_in", 250, 90.0)],
        **extra,
    }


def _missed(targets: list[dict[str, Any]]) -> list[str]:
    return [t["target"] for t in targets if not t["met"]]


def test_the_tenth_measured_beside_is_the_comparison_not_an_earlier_file() -> None:
    beside = {"database": "tenth", "scale": 0.1, "rows": {"places": 30}}
    close = _report(beside={**beside, "pages": [_page("signed_in", 260, 80.0)]})
    assert _missed(pages.judge(close, {"pages": close["beside"]["pages"]}, smoke=False)) == []

    far = _report(beside={**beside, "pages": [_page("signed_in", 400, 60.0, queries=2)]})
    missed = _missed(pages.judge(far, {"pages": far["beside"]["pages"]}, smoke=False))
    assert missed == [
        "Place timeline (signed in): same queries as with less data",
        "Place timeline (signed in): p95 ≤ 1.2 × with less data",
    ]
    table = pages.markdown({**far, "targets": []})
    assert "The same pages at 0.1 × the data (database `tenth`)" in table
    assert "| Place timeline | signed in | 300 | 400 |" in table
    assert table.rstrip().endswith("Targets: 0 of 0 met.")


def test_a_page_is_judged_against_the_reference_measured_right_after_it() -> None:
    after = {"name": "table", "rps": 220.0, "p95_ms": 80.0, "errors": 0}
    report = _report(pages=[_page("signed_in", 170, 90.0, ratio_table=0.773, next_reference=after)])
    missed = _missed(pages.judge(report, None, smoke=False))
    assert missed == ["Place timeline (signed in): ≥ 0.8 × the 50-row reference"]
    row = next(
        line for line in pages.markdown({**report, "targets": []}).splitlines()
        if line.startswith("| Place timeline")
    )  # fmt: skip
    assert "**0.773**" in row and row.endswith("| table 220.0 |")


def test_the_served_beside_dataset_uses_the_next_redis_database() -> None:
    assert pages.other_redis_db("redis://127.0.0.1:6379/5") == "redis://127.0.0.1:6379/6"
    assert pages.other_redis_db("redis://127.0.0.1:6379") == "redis://127.0.0.1:6379/1"
    assert pages.other_redis_db("redis://:pw@host:1/15") == "redis://:pw@host:1/0"
