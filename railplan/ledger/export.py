"""The confirmed state of a ledger as a plan folder (``railplan check`` and ``railplan map``
read it like any plan).

The plan's problem holds one shipment per shipment id (its confirmed containers, all of them
assigned) and every registered train that is not cancelled; a train runs when it carries
confirmed bookings. Costs are recomputed by :mod:`routing` on the network (truck legs), the
freight at each booking's rate; border quotas are the crossings' quotas.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import network
from railplan.ledger.errors import LedgerError
from routing.api import make_problem
from routing.domain.costs import cost_breakdown
from routing.domain.options import build_options
from routing.domain.plan import Plan, build_plan
from routing.domain.solution import Solution
from routing.io import write_plan

if TYPE_CHECKING:
    from network import Departure, Network
    from railplan.ledger.records import Booking, Crossing, DepartureRecord
    from routing.domain.model import Problem, Shipment
    from routing.domain.options import Options


def ledger_plan(
    version: int,
    bookings: Sequence[Booking],
    departures: Sequence[DepartureRecord],
    crossings: Sequence[Crossing],
    net: Network | None = None,
) -> Plan:
    """The confirmed ``bookings`` of a ledger (one snapshot of it, at ``version``) as a
    :class:`Plan` (nothing is written)."""
    if net is None:
        net = network.load()
    bookings = [b for b in bookings if b.state == "confirmed"]
    deps = [r.departure for r in departures if r.state != "cancelled"]
    index = {d.departure_id: t for t, d in enumerate(deps)}
    per_port, by_date = _quotas(crossings)
    problem = make_problem(
        _shipments(bookings),
        net,
        deps,
        rates=_rates(bookings, deps, index),
        border_quota={p: q for p, q in per_port.items() if q is not None},
        border_quota_by_date={k: q for k, q in by_date.items() if per_port.get(k[0]) != q},
        inputs={"ledger_version": str(version)},
    )
    opts = build_options(problem)
    sol = _solution(bookings, problem, opts, index)
    return build_plan(
        problem,
        opts,
        sol,
        status="ledger",
        bound=cost_breakdown(problem, opts, sol)["objective"],  # nothing to optimise: gap 0
        summary_extra={
            "solver": "ledger",
            "ledger_version": version,
            "solve_seconds": 0.0,
            "greedy_objective": 0.0,
            "greedy_total_cost": 0.0,
        },
    )


def _shipments(bookings: Sequence[Booking]) -> list[Shipment]:
    """One shipment per shipment id, in the order first booked: its confirmed containers
    (the sum over its bookings), neither booked on a train nor pinned."""
    lots: dict[str, list[int]] = defaultdict(list)
    for i, b in enumerate(bookings):
        lots[b.shipment_id].append(i)
    ships = []
    for idx in lots.values():
        b0 = bookings[idx[0]]
        n = sum(bookings[i].containers for i in idx)
        ships.append(b0.shipment(containers=n, booked_on=None, pinned=False))
    return ships


def _rates(
    bookings: Sequence[Booking], deps: Sequence[Departure], index: Mapping[str, int]
) -> dict[tuple[str, str], float]:
    """The booked freight rate (USD per TEU) per (shipment, departure) where it is not the
    train's own rate."""
    return {
        (b.shipment_id, b.departure_id): b.rate_per_teu_cents / 100
        for b in bookings
        if b.departure_id in index
        and b.rate_per_teu_cents / 100 != deps[index[b.departure_id]].rate_per_teu
    }


def _quotas(
    crossings: Sequence[Crossing],
) -> tuple[dict[str, int | None], dict[tuple[str, dt.date], int]]:
    """The crossings' quotas as a quota per port (where every day of the port has the same
    quota, None for no limit) and the quota of each (port, day) that has one."""
    quotas: dict[str, set[int | None]] = defaultdict(set)
    by_date = {}
    for x in crossings:
        quotas[x.port].add(x.quota)
        if x.quota is not None:
            by_date[(x.port, x.day)] = x.quota
    per_port = {p: next(iter(qs)) for p, qs in quotas.items() if len(qs) == 1}
    return per_port, by_date


def _solution(
    bookings: Sequence[Booking], problem: Problem, opts: Options, index: Mapping[str, int]
) -> Solution:
    """Each booking's containers on the option of its shipment that rides its train, and
    those trains running; :class:`LedgerError` for a booking no option carries."""
    s_index = {s.shipment_id: k for k, s in enumerate(problem.shipments)}
    counts: dict[int, int] = defaultdict(int)
    runs = set()
    problems = []
    for b in bookings:
        s, t = s_index[b.shipment_id], index.get(b.departure_id)
        o = next((o for o in opts.by_shipment[s] if opts.options[o].t == t), None)
        if t is None or o is None:
            problems.append(
                f"booking {b.booking_id}: {b.containers} x {b.container_type} of {b.shipment_id} on "
                f"{b.departure_id}: the train cannot carry them on this network (places, dates or "
                "countries); the plan folder would not check"
            )
            continue
        counts[o] += b.containers
        runs.add(t)
    if problems:
        raise LedgerError(problems)
    return Solution(counts=dict(counts), runs=frozenset(runs))


def export_plan(plan: Plan, folder: str | Path, *, xlsx: bool = True) -> None:
    """Write ``plan`` to ``folder`` (atomically, under the ``--out`` folder rule)."""
    write_plan(plan, folder, xlsx=xlsx)
