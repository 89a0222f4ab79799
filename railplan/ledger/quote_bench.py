"""The quote bench's ledger side (see :mod:`benchmarks.quote`): a national-week ledger in
SQLite, the re-planning family's booked lots (about 4,800) committed once as confirmed
bookings and cached in the temp folder; then 1,000 random quotes through the Python API, each
on its own capacity read (:meth:`Ledger.quote_capacity`), both with the capacity kept per
ledger version (as ``railplan quote`` and a service see it) and read afresh every time, and
``railplan quote`` as a new process.

Run: ``python -m railplan.ledger.quote_bench [--n 1000] [--seed 0] [--cli-runs 5]``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from benchmarks import quote as qb
from railplan.ledger.ledger import Ledger
from routing.domain.model import Problem, Shipment
from routing.domain.plan import Assignment


def _cache(seed: int) -> Path:
    return Path(tempfile.gettempdir()) / "railplan-bench" / f"quote-ledger-national-week-{seed}.db"


def _assignment(sh: Shipment, deps: dict[str, Any]) -> Assignment:
    dep = deps[sh.booked_on or ""]
    return Assignment(
        shipment_id=sh.shipment_id,
        departure_id=dep.departure_id,
        containers=sh.containers,
        teu=sh.teu,
        gross_t=sh.gross_t * sh.containers,
        origin=sh.origin,
        destination=sh.destination,
        border_port=dep.border_port,
        depart_date=dep.depart_date,
        arrival_date=dep.arrival_date,
        late_days=0,
        freight_cost=dep.rate_per_teu * sh.teu,
        truck_cost=0.0,
        late_cost=0.0,
    )


def ledger_url(seed: int = 0) -> str:
    """The bench ledger (made once, then cached; ``.done`` marks a complete one)."""
    path = _cache(seed)
    done = path.with_suffix(".done")
    if not done.is_file():
        from benchmarks.replan import ledger as lots

        p: Problem = lots(seed)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        deps = {d.departure_id: d for d in p.departures}
        booked = [s for s in p.shipments if s.booked_on]
        with Ledger(f"sqlite:///{path}") as led:
            led.init()
            v = led.register_departures(p.departures, quota=p.quota, quota_by_date=p.quota_by_date)
            led.commit_assignments(
                [_assignment(s, deps) for s in booked],
                shipments=booked,
                base_version=v,
                who="bench",
            )
        done.write_text(f"{len(booked)} bookings\n", encoding="utf-8")
    return f"sqlite:///{path}"


def run(n: int, seed: int, cli_runs: int) -> dict[str, Any]:
    url = ledger_url(seed)
    ctx = qb.context()
    with Ledger(url) as led:
        bookings = len(led.bookings("confirmed"))
        reqs = qb.random_requests([r.departure for r in led.departures()], n, seed)
        kept = qb.api_bench(led.quote_capacity, ctx, reqs)

        def fresh() -> Any:
            led._capacity = None  # read the whole snapshot every time
            return led.quote_capacity()

        afresh = qb.api_bench(fresh, ctx, reqs)
    return {
        "ledger": url,
        "bookings": bookings,
        "api_kept_per_version": kept,
        "api_read_every_time": afresh,
        "cli": qb.cli_bench(url, cli_runs),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m railplan.ledger.quote_bench")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cli-runs", type=int, default=5)
    a = ap.parse_args(argv)
    print(json.dumps(run(a.n, a.seed, a.cli_runs), indent=1))


if __name__ == "__main__":
    main()
