"""OR-Library capacitated facility location instances (Beasley 1988) as planning batches.

A warehouse is a departure (capacity in TEU = s_i, fixed cost of running = f_i, no minimum
load); a customer is a shipment of d_j one-TEU containers that may be split; the allocation
cost is a contract rate per TEU, c_ij / d_j. The plan's cost equals the CFLP objective.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from network import Departure
from routing.domain.model import Problem, Shipment

DAY = dt.date(2026, 12, 1)
#: the places the instance is drawn on; any served pair of the bundled network would do
ORIGIN, DESTINATION = "zhongding", "duisburg"


@dataclass(frozen=True, slots=True)
class CFLP:
    name: str
    capacity: tuple[int, ...]
    fixed: tuple[float, ...]
    demand: tuple[int, ...]
    cost: tuple[tuple[float, ...], ...]  # cost[j][i]: all of customer j's demand at warehouse i


def read_cflp(path: str | Path) -> CFLP:
    """Parse an OR-Library ``capNN.txt`` file (one stream of whitespace-separated tokens)."""
    p = Path(path)
    tok = p.read_text().split()
    pos = 0

    def nxt() -> float:
        nonlocal pos
        pos += 1
        return float(tok[pos - 1])

    m, n = int(nxt()), int(nxt())
    cap, fix = [], []
    for _ in range(m):
        cap.append(int(nxt()))
        fix.append(nxt())
    demand, cost = [], []
    for _ in range(n):
        demand.append(int(nxt()))
        cost.append(tuple(nxt() for _ in range(m)))
    return CFLP(p.stem, tuple(cap), tuple(fix), tuple(demand), tuple(cost))


def cflp_problem(inst: CFLP) -> Problem:
    deps = tuple(
        Departure(
            departure_id=f"W{i + 1:02d}",
            origin=ORIGIN,
            destination=DESTINATION,
            depart_date=DAY,
            transit_days=0,
            capacity_teu=inst.capacity[i],
            fixed_cost=inst.fixed[i],
        )
        for i in range(len(inst.capacity))
    )
    ships = tuple(
        Shipment(
            shipment_id=f"C{j + 1:03d}",
            origin=ORIGIN,
            destination=DESTINATION,
            containers=inst.demand[j],
            container_type="20GP",
            gross_t=1.0,
            ready_date=DAY,
        )
        for j in range(len(inst.demand))
        if inst.demand[j] > 0
    )
    rates = {
        (f"C{j + 1:03d}", f"W{i + 1:02d}"): inst.cost[j][i] / inst.demand[j]
        for j in range(len(inst.demand))
        if inst.demand[j] > 0
        for i in range(len(inst.capacity))
    }
    # leaving a container behind must never pay: above any allocation cost plus a warehouse
    penalty = 10 * (max(max(r for r in rates.values()), 1.0) + max(inst.fixed))
    return Problem(
        shipments=ships, departures=deps, rates=rates, unassigned_penalty_per_teu=penalty
    )


def write_cflp_batch(inst: CFLP, folder: str | Path) -> dict[str, Path]:
    """Write the instance as railplan input files (shipments, departures, rates)."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    prob = cflp_problem(inst)
    files = {k: out / f"{k}.csv" for k in ("shipments", "departures", "rates")}
    with files["shipments"].open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "shipment_id",
                "origin",
                "destination",
                "containers",
                "container_type",
                "gross_t",
                "ready_date",
            ]
        )
        for s in prob.shipments:
            w.writerow(
                [
                    s.shipment_id,
                    s.origin,
                    s.destination,
                    s.containers,
                    s.container_type,
                    s.gross_t,
                    DAY,
                ]
            )
    with files["departures"].open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "departure_id",
                "origin",
                "destination",
                "depart_date",
                "transit_days",
                "capacity_teu",
                "fixed_cost",
                "rate_per_teu",
            ]
        )
        for d in prob.departures:
            w.writerow(
                [
                    d.departure_id,
                    d.origin,
                    d.destination,
                    DAY,
                    0,
                    d.capacity_teu,
                    repr(d.fixed_cost),
                    0,
                ]
            )
    with files["rates"].open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["shipment_id", "departure_id", "rate_per_teu"])
        for (sid, did), r in prob.rates.items():
            w.writerow([sid, did, repr(r)])
    return files


def optima(folder: str | Path) -> dict[str, float]:
    with (Path(folder) / "optima.csv").open() as f:
        return {r["instance"]: float(r["optimum"]) for r in csv.DictReader(f)}
