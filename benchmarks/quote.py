"""The quote bench: ``routing.quote.quote`` through the Python API against a national-week
ledger in SQLite (the re-planning family's booked lots, about 4,800 bookings, committed once
and cached), and ``railplan quote`` as a command.

* API: 1,000 random requests (seeded); each reads the ledger's capacity
  (:meth:`Ledger.quote_capacity`: one snapshot) and quotes with CO2e and the sea and air
  alternatives. Reported: p50, p95 and max milliseconds, and the read's share.
* CLI: ``railplan quote --db URL ...`` run as a fresh process, wall time including start-up;
  and the modules that path imports (none of ``routing.optimise``, ``ortools``, ``highspy``,
  ``folium``, ``matplotlib`` may be among them).

Run: ``python -m benchmarks.quote [--n 1000] [--seed 0] [--cli-runs 5]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import network
from railplan.ledger import Ledger
from routing.domain.model import Problem, Shipment
from routing.domain.plan import Assignment
from routing.io.factors import load_factors
from routing.quote import QuoteRequest, make_context, quote

#: modules the quote path must not import
BANNED = ("routing.optimise", "ortools", "highspy", "folium", "matplotlib")
TYPES = ("40HC", "40HC", "40GP", "20GP", "45HC", "40RF")


def _cache(seed: int) -> Path:
    return Path(tempfile.gettempdir()) / "railplan-bench" / f"quote-ledger-national-week-{seed}.db"


def _assignment(sh: Shipment, p: Problem) -> Assignment:
    dep = next(d for d in p.departures if d.departure_id == sh.booked_on)
    teu = sh.teu
    return Assignment(
        shipment_id=sh.shipment_id,
        departure_id=dep.departure_id,
        containers=sh.containers,
        teu=teu,
        gross_t=sh.gross_t * sh.containers,
        origin=sh.origin,
        destination=sh.destination,
        border_port=dep.border_port,
        depart_date=dep.depart_date,
        arrival_date=dep.arrival_date,
        late_days=0,
        freight_cost=dep.rate_per_teu * teu,
        truck_cost=0.0,
        late_cost=0.0,
    )


def ledger_url(seed: int = 0) -> str:
    """The bench ledger: the re-planning family's national-week lots committed as confirmed
    bookings on their trains (made once, then cached in the temp folder)."""
    path = _cache(seed)
    done = path.with_suffix(".done")  # written once every booking is committed
    if not done.is_file():
        from benchmarks.replan import ledger as lots

        p = lots(seed)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        with Ledger(f"sqlite:///{path}") as led:
            led.init()
            v = led.register_departures(p.departures, quota=p.quota, quota_by_date=p.quota_by_date)
            booked = [s for s in p.shipments if s.booked_on]
            led.commit_assignments(
                [_assignment(s, p) for s in booked], shipments=booked, base_version=v, who="bench"
            )
        done.write_text(f"{len(booked)} bookings\n", encoding="utf-8")
    return f"sqlite:///{path}"


def random_requests(net: network.Network, led: Ledger, n: int, seed: int) -> list[QuoteRequest]:
    """``n`` requests: 80 % on a registered train's corridor, the rest any origin park to any
    destination; 1-20 containers of a mix of types, ready in the ledger's first week, due 20-40
    days later, 10 % avoiding RU;BY, 5 % dangerous goods."""
    rng = random.Random(seed)
    deps = [r.departure for r in led.departures()]
    first = min(d.depart_date for d in deps)
    parks = sorted({d.origin for d in deps})
    ends = sorted({d.destination for d in deps})
    out = []
    for _ in range(n):
        if rng.random() < 0.8:
            d = rng.choice(deps)
            o, e = d.origin, d.destination
        else:
            o, e = rng.choice(parks), rng.choice(ends)
        ready = first + dt.timedelta(days=rng.randrange(7))
        out.append(
            QuoteRequest(
                origin=o,
                destination=e,
                containers=rng.randint(1, 20),
                container_type=rng.choice(TYPES),
                ready_date=ready,
                due_date=ready + dt.timedelta(days=rng.randint(20, 40)),
                avoid_countries=frozenset({"RU", "BY"}) if rng.random() < 0.1 else frozenset(),
                dg_class="3" if rng.random() < 0.05 else "",
                top=5,
                sort=rng.choice(("price", "arrival", "co2")),
            )
        )
    return out


def _pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def api_bench(n: int, seed: int) -> dict[str, Any]:
    """Quote ``n`` random requests, each on a fresh capacity read; milliseconds."""
    url = ledger_url(seed)
    net = network.load()
    ctx = make_context(net, load_factors())
    with Ledger(url) as led:
        bookings = len(led.bookings("confirmed"))
        reqs = random_requests(net, led, n, seed)
        total, reads, with_options = [], [], 0
        for r in reqs:
            t0 = time.perf_counter()
            cap = led.quote_capacity()
            t1 = time.perf_counter()
            q = quote(r, cap, ctx)
            t2 = time.perf_counter()
            reads.append((t1 - t0) * 1000)
            total.append((t2 - t0) * 1000)
            with_options += bool(q.options)
    return {
        "ledger": url,
        "bookings": bookings,
        "trains": len(cap.trains),
        "requests": n,
        "with_options": with_options,
        "p50_ms": statistics.median(total),
        "p95_ms": _pct(total, 0.95),
        "max_ms": max(total),
        "read_p50_ms": statistics.median(reads),
        "read_p95_ms": _pct(reads, 0.95),
    }


def _cli_args(url: str) -> list[str]:
    return [
        "quote", "--db", url, "--origin", "Zhengzhou", "--destination", "Hamburg",
        "--containers", "10", "--ready", "2026-12-01", "--json",
    ]  # fmt: skip


def cli_bench(runs: int, seed: int) -> dict[str, Any]:
    """Wall seconds of ``railplan quote`` as a new process, and the banned modules it loads."""
    url = ledger_url(seed)
    exe = str(Path(sys.executable).with_name("railplan"))
    walls = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([exe, *_cli_args(url)], check=True, capture_output=True)
        walls.append(time.perf_counter() - t0)
    probe = (
        "import sys, json\nfrom railplan.cli import main\ntry:\n"
        f"    main({_cli_args(url)!r})\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps([m for m in {list(BANNED)!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    return {
        "runs": runs,
        "wall_s_median": statistics.median(walls),
        "wall_s_max": max(walls),
        "banned_loaded": json.loads(out.strip().splitlines()[-1]),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.quote")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cli-runs", type=int, default=5)
    a = ap.parse_args(argv)
    api = api_bench(a.n, a.seed)
    cli = cli_bench(a.cli_runs, a.seed)
    print(json.dumps({"api": api, "cli": cli}, indent=1))


if __name__ == "__main__":
    main()
