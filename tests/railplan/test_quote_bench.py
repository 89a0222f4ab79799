"""The quote bench's parts on a small ledger: seeded requests, the API timing loop, and the
``railplan quote`` process, which must import no solver, map or chart library."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import network
from benchmarks import quote as qb
from railplan.ledger import Ledger


def test_bench_parts_and_a_solver_free_cli(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    with Ledger(url) as led:
        led.init()
        led.register_departures(network.load().departures(dt.date(2026, 12, 1), 14))
        deps = [r.departure for r in led.departures()]
        reqs = qb.random_requests(deps, 40, seed=3)
        assert reqs == qb.random_requests(deps, 40, seed=3)  # seeded
        res = qb.api_bench(led.quote_capacity, qb.context(), reqs)
    assert res["requests"] == 40 and res["trains"] == len(deps)
    assert 0 < res["with_options"] <= 40
    assert 0 < res["p50_ms"] <= res["p95_ms"] <= res["max_ms"]
    cli = qb.cli_bench(url, 1)
    assert cli["banned_loaded"] == [] and cli["wall_s_median"] > 0
