"""The quote bench: ``routing.quote.quote`` through the Python API against a national-week
ledger in SQLite (the re-planning family's booked lots, about 4,800 bookings, committed once
and cached), and ``railplan quote`` as a command.

* API: 1,000 random requests (seeded); each reads the ledger's capacity
  (:meth:`Ledger.quote_capacity`: one snapshot) and quotes with CO2e and the sea and air
  alternatives. Reported: p50, p95 and max milliseconds, and the read's share.
* CLI: ``railplan quote --db URL ...`` run as a fresh process, wall time including start-up;
  and the modules that path imports (none of ``routing.optimise``, ``ortools``, ``highspy``,
  ``folium``, ``matplotlib`` may be among them).

The layers keep ``benchmarks`` below ``railplan``, so the ledger side (building the cached
ledger, reading its capacity) lives in :mod:`railplan.ledger.quote_bench`, which calls the
timing functions here. Run: ``python -m railplan.ledger.quote_bench [--n 1000] [--seed 0]
[--cli-runs 5]``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import network
from network import Departure
from routing.io.factors import load_factors
from routing.quote import Capacity, QuoteContext, QuoteRequest, make_context, quote

#: modules the quote path must not import
BANNED = ("routing.optimise", "ortools", "highspy", "folium", "matplotlib")
TYPES = ("40HC", "40HC", "40GP", "20GP", "45HC", "40RF")


def random_requests(deps: Sequence[Departure], n: int, seed: int) -> list[QuoteRequest]:
    """``n`` requests: 80 % on a registered train's corridor, the rest any origin park to any
    destination; 1-20 containers of a mix of types, ready in the ledger's first week, due 20-40
    days later, 10 % avoiding RU;BY, 5 % dangerous goods."""
    rng = random.Random(seed)
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


def api_bench(
    read: Callable[[], Capacity], ctx: QuoteContext, reqs: Sequence[QuoteRequest]
) -> dict[str, Any]:
    """Quote every request, each on a capacity read of its own (``read``); milliseconds."""
    total, reads, with_options = [], [], 0
    trains = 0
    for r in reqs:
        t0 = time.perf_counter()
        cap = read()
        t1 = time.perf_counter()
        q = quote(r, cap, ctx)
        t2 = time.perf_counter()
        reads.append((t1 - t0) * 1000)
        total.append((t2 - t0) * 1000)
        with_options += bool(q.options)
        trains = len(cap.trains)
    return {
        "trains": trains,
        "requests": len(reqs),
        "with_options": with_options,
        "p50_ms": statistics.median(total),
        "p95_ms": _pct(total, 0.95),
        "max_ms": max(total),
        "read_p50_ms": statistics.median(reads),
        "read_p95_ms": _pct(reads, 0.95),
    }


def context() -> QuoteContext:
    return make_context(network.load(), load_factors())


def _cli_args(url: str) -> list[str]:
    return [
        "quote", "--db", url, "--origin", "Zhengzhou", "--destination", "Hamburg",
        "--containers", "10", "--ready", "2026-12-01", "--json",
    ]  # fmt: skip


def cli_bench(url: str, runs: int) -> dict[str, Any]:
    """Wall seconds of ``railplan quote`` as a new process, and the banned modules it loads."""
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
