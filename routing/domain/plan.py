"""A plan: assignments, trains, unassigned containers with reasons, and the summary.

Costs in the plan are recomputed from the assignment in floating point (USD), never taken
from the solver's scaled integers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from routing.domain.co2 import chain
from routing.domain.costs import cost_breakdown
from routing.domain.model import Problem
from routing.domain.options import Options
from routing.domain.rules import Crossing, by_crossing
from routing.domain.rules import crossing as rules_crossing
from routing.domain.solution import Solution

ASSIGNMENT_COLUMNS = (
    "shipment_id",
    "departure_id",
    "containers",
    "teu",
    "gross_t",
    "origin",
    "destination",
    "border_port",
    "depart_date",
    "arrival_date",
    "late_days",
    "freight_cost",
    "truck_cost",
    "late_cost",
    "co2e_wtw_kg",
    "co2e_ttw_kg",
)
#: ``emissions.csv``: one row per (shipment, departure) and transport chain element
EMISSION_COLUMNS = (
    "shipment_id",
    "departure_id",
    "element",
    "mode",
    "from",
    "to",
    "km",
    "t",
    "tkm",
    "factor_key",
    "factor_note",
    "wtw_kg",
    "ttw_kg",
)
TRAIN_COLUMNS = (
    "departure_id",
    "origin",
    "destination",
    "border_port",
    "depart_date",
    "runs",
    "load_teu",
    "capacity_teu",
    "utilization",
    "gross_t",
    "fixed_cost",
)
UNASSIGNED_COLUMNS = ("shipment_id", "containers", "teu", "reason")


@dataclass(frozen=True, slots=True, kw_only=True)
class Assignment:
    shipment_id: str
    departure_id: str
    containers: int
    teu: int
    gross_t: float
    origin: str
    destination: str
    border_port: str
    depart_date: dt.date
    arrival_date: dt.date
    late_days: int
    freight_cost: float
    truck_cost: float
    late_cost: float
    #: kg CO2e well-to-wheel and tank-to-wheel (:mod:`routing.domain.co2`); 0 when the problem
    #: has no factor table (and in plan folders written before CO2e)
    co2e_wtw_kg: float = 0.0
    co2e_ttw_kg: float = 0.0

    def row(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in ASSIGNMENT_COLUMNS}


@dataclass(frozen=True, slots=True, kw_only=True)
class Emission:
    """One transport chain element of one assignment (a row of ``emissions.csv``)."""

    shipment_id: str
    departure_id: str
    element: str
    mode: str
    frm: str
    to: str
    km: float
    t: float
    tkm: float
    factor_key: str
    factor_note: str
    wtw_kg: float
    ttw_kg: float

    def row(self) -> dict[str, Any]:
        names = {"from": "frm"}
        return {c: getattr(self, names.get(c, c)) for c in EMISSION_COLUMNS}


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainLoad:
    departure_id: str
    origin: str
    destination: str
    border_port: str
    depart_date: dt.date
    runs: bool
    load_teu: int
    capacity_teu: int
    utilization: float
    gross_t: float
    fixed_cost: float

    def row(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in TRAIN_COLUMNS}


@dataclass(frozen=True, slots=True, kw_only=True)
class Unassigned:
    shipment_id: str
    containers: int
    teu: int
    reason: str

    def row(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in UNASSIGNED_COLUMNS}


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """The result of :func:`routing.domain.plan`. ``objective`` includes the unassigned penalty,
    ``total_cost`` does not; ``bound`` is the solver's proven lower bound on ``objective``."""

    status: str
    objective: float
    bound: float
    gap: float
    total_cost: float
    assignments: tuple[Assignment, ...]
    trains: tuple[TrainLoad, ...]
    unassigned: tuple[Unassigned, ...]
    summary: dict[str, Any]
    problem: Problem = field(repr=False)
    #: the chain elements of every assignment (empty without a factor table, and when read back)
    emissions: tuple[Emission, ...] = field(default=(), repr=False)


def _r2(x: float) -> float:
    return round(x + 0.0, 2)


def build_plan(
    problem: Problem,
    opts: Options,
    sol: Solution,
    *,
    status: str,
    bound: float,
    summary_extra: dict[str, Any],
) -> Plan:
    """The plan of solution ``sol``: its assignments, every departure's train, the
    containers left with their reasons, and the summary (``summary_extra`` added last);
    costs recomputed from the assignment (:func:`routing.domain.costs.cost_breakdown`)."""
    costs = cost_breakdown(problem, opts, sol)
    assignments, loads = _assignments(problem, opts, sol)
    emissions = _emissions(problem, opts, sol)
    assignments = _with_co2e(assignments, emissions)
    trains = _trains(problem, sol, loads)
    unassigned = _unassigned(problem, opts, sol, loads)
    objective = costs["objective"]
    gap = _gap(objective, bound)
    summary = _summary(
        problem, costs, loads, trains, unassigned, status=status, bound=bound, gap=gap
    )
    summary.update(co2e_summary(problem, emissions, costs))
    summary.update(summary_extra)
    return Plan(
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        total_cost=costs["total_cost"],
        assignments=tuple(assignments),
        trains=tuple(trains),
        unassigned=tuple(unassigned),
        summary=summary,
        problem=problem,
        emissions=tuple(emissions),
    )


def _emissions(problem: Problem, opts: Options, sol: Solution) -> list[Emission]:
    """The chain elements (:func:`routing.domain.co2.chain`) of every assignment, in the
    assignments' order; none without the problem's factor table and network data."""
    factors, info = problem.emission_factors, problem.emission_network
    if factors is None or info is None:
        return []
    deps, ships = problem.departures, problem.shipments
    out: list[Emission] = []
    legs: dict[tuple[str, str, str], Any] = {}
    for o, n in sorted(
        sol.counts.items(), key=lambda kv: (ships[opts.options[kv[0]].s].shipment_id, kv[0])
    ):
        if n <= 0:
            continue
        op = opts.options[o]
        sh, d = ships[op.s], deps[op.t]
        for e in chain(sh, d, info, factors, containers=n, cache=legs):
            out.append(
                Emission(
                    shipment_id=sh.shipment_id,
                    departure_id=d.departure_id,
                    element=e.element,
                    mode=e.mode,
                    frm=e.frm,
                    to=e.to,
                    km=round(e.km, 3),
                    t=round(e.t, 3),
                    tkm=round(e.tkm, 3),
                    factor_key=e.factor_key,
                    factor_note=e.factor_note,
                    wtw_kg=round(e.wtw_kg, 3),
                    ttw_kg=round(e.ttw_kg, 3),
                )
            )
    return out


def _with_co2e(assignments: list[Assignment], emissions: list[Emission]) -> list[Assignment]:
    """The assignments with their CO2e: the sums of their elements (unrounded), in kg."""
    if not emissions:
        return assignments
    wtw: defaultdict[tuple[str, str], float] = defaultdict(float)
    ttw: defaultdict[tuple[str, str], float] = defaultdict(float)
    for e in emissions:
        wtw[(e.shipment_id, e.departure_id)] += e.wtw_kg
        ttw[(e.shipment_id, e.departure_id)] += e.ttw_kg
    return [
        replace(
            a,
            co2e_wtw_kg=_r2(wtw[(a.shipment_id, a.departure_id)]),
            co2e_ttw_kg=_r2(ttw[(a.shipment_id, a.departure_id)]),
        )
        for a in assignments
    ]


def co2e_summary(
    problem: Problem, emissions: list[Emission] | tuple[Emission, ...], costs: dict[str, float]
) -> dict[str, Any]:
    """The summary's CO2e: WTW and TTW totals (kg), per corridor (the departures'
    ``corridor``, ``other`` without one), the carbon price and the cost both ways."""
    corridor = {d.departure_id: d.corridor or "other" for d in problem.departures}
    by: dict[str, dict[str, float]] = {}
    wtw = ttw = 0.0
    for e in emissions:
        c = by.setdefault(corridor.get(e.departure_id, "other"), {"wtw_kg": 0.0, "ttw_kg": 0.0})
        c["wtw_kg"] += e.wtw_kg
        c["ttw_kg"] += e.ttw_kg
        wtw += e.wtw_kg
        ttw += e.ttw_kg
    factors = problem.emission_factors
    return {
        "co2e_wtw_kg": _r2(wtw),
        "co2e_ttw_kg": _r2(ttw),
        "co2e_by_corridor": {
            k: {"wtw_kg": _r2(v["wtw_kg"]), "ttw_kg": _r2(v["ttw_kg"])}
            for k, v in sorted(by.items())
        },
        "co2e_factors": factors.source if factors is not None else "",
        "carbon_price_per_t": problem.carbon_price_per_t,
        "total_cost_with_carbon": _r2(costs["total_cost"] + costs["carbon"]),
    }


@dataclass(slots=True)
class _Loads:
    """What the assignments put where: TEU and gross tonnes per departure, containers per
    shipment (indices of the problem's tuples), and the TEU that arrive on time."""

    teu: defaultdict[int, int] = field(default_factory=lambda: defaultdict(int))
    tonnes: defaultdict[int, float] = field(default_factory=lambda: defaultdict(float))
    assigned: defaultdict[int, int] = field(default_factory=lambda: defaultdict(int))
    on_time_teu: int = 0


def _assignments(problem: Problem, opts: Options, sol: Solution) -> tuple[list[Assignment], _Loads]:
    """One :class:`Assignment` per option with containers, by shipment id then option
    index, with its costs ``n x`` the option's per-container costs (rounded to cents), and
    the loads they add up to."""
    deps, ships = problem.departures, problem.shipments
    loads = _Loads()
    assignments = []
    for o, n in sorted(
        sol.counts.items(), key=lambda kv: (ships[opts.options[kv[0]].s].shipment_id, kv[0])
    ):
        if n <= 0:
            continue
        op = opts.options[o]
        sh, d = ships[op.s], deps[op.t]
        teu = n * sh.teu_per_container
        loads.teu[op.t] += teu
        loads.tonnes[op.t] += n * sh.gross_t
        loads.assigned[op.s] += n
        loads.on_time_teu += teu if op.late_days == 0 else 0
        assignments.append(
            Assignment(
                shipment_id=sh.shipment_id,
                departure_id=d.departure_id,
                containers=n,
                teu=teu,
                gross_t=_r2(n * sh.gross_t),
                origin=sh.origin,
                destination=sh.destination,
                border_port=d.border_port,
                depart_date=d.depart_date,
                arrival_date=op.arrival_date,
                late_days=op.late_days,
                freight_cost=_r2(n * op.freight_per_container),
                truck_cost=_r2(n * op.truck_per_container),
                late_cost=_r2(n * op.late_per_container),
            )
        )
    return assignments, loads


def _trains(problem: Problem, sol: Solution, loads: _Loads) -> list[TrainLoad]:
    """Every departure's train, running or not: ``utilization = load TEU / capacity TEU``,
    the fixed cost only when it runs."""
    trains = []
    for t, d in enumerate(problem.departures):
        runs = t in sol.runs
        trains.append(
            TrainLoad(
                departure_id=d.departure_id,
                origin=d.origin,
                destination=d.destination,
                border_port=d.border_port,
                depart_date=d.depart_date,
                runs=runs,
                load_teu=loads.teu[t],
                capacity_teu=d.capacity_teu,
                utilization=round(loads.teu[t] / d.capacity_teu, 4),
                gross_t=_r2(loads.tonnes[t]),
                fixed_cost=d.fixed_cost if runs else 0.0,
            )
        )
    return trains


def _unassigned(problem: Problem, opts: Options, sol: Solution, loads: _Loads) -> list[Unassigned]:
    """The containers of each shipment left off every train, with the reason: the options'
    own (no eligible departure) or :func:`why_left`."""
    unassigned = []
    counts = crossing_counts(problem, sol)
    for s, sh in enumerate(problem.shipments):
        left = sh.containers - loads.assigned[s]
        if left > 0:
            reason = opts.reasons.get(s) or why_left(
                problem, opts, sol, s, loads.teu, loads.tonnes, counts
            )
            unassigned.append(
                Unassigned(
                    shipment_id=sh.shipment_id,
                    containers=left,
                    teu=left * sh.teu_per_container,
                    reason=reason,
                )
            )
    return unassigned


def _gap(objective: float, bound: float) -> float:
    """The relative gap ``max(0, (objective - bound) / |objective|)``: 1 without a bound
    (``bound <= -1e300``), 0 below 1e-9."""
    gap = max(0.0, (objective - bound) / max(abs(objective), 1e-9)) if bound > -1e300 else 1.0
    return 0.0 if gap < 1e-9 else gap


def _summary(
    problem: Problem,
    costs: dict[str, float],
    loads: _Loads,
    trains: list[TrainLoad],
    unassigned: list[Unassigned],
    *,
    status: str,
    bound: float,
    gap: float,
) -> dict[str, Any]:
    """The plan's summary: status, objective, bound, the costs (rounded to cents), the
    containers and TEU assigned and left, the trains run, their mean utilization, the
    on-time share of the assigned TEU, and the inputs."""
    running = [tr for tr in trains if tr.runs]
    teu_assigned = sum(loads.teu.values())
    return {
        "status": status,
        "objective": _r2(costs["objective"]),
        "bound": _r2(bound),
        "gap": round(gap, 6),
        "total_cost": _r2(costs["total_cost"]),
        "cost": {k: _r2(v) for k, v in costs.items() if k not in ("objective", "total_cost")},
        "containers_assigned": sum(loads.assigned.values()),
        "containers_unassigned": sum(u.containers for u in unassigned),
        "teu_assigned": teu_assigned,
        "teu_unassigned": sum(u.teu for u in unassigned),
        "shipments": len(problem.shipments),
        "departures": len(problem.departures),
        "trains_run": len(running),
        "mean_utilization": round(sum(tr.utilization for tr in running) / len(running), 4)
        if running
        else 0.0,
        "on_time_share": round(loads.on_time_teu / teu_assigned, 4) if teu_assigned else 1.0,
        "unassigned_penalty_per_teu": problem.unassigned_penalty_per_teu,
        "inputs": dict(problem.inputs),
    }


def crossing_counts(problem: Problem, sol: Solution) -> dict[Crossing, int]:
    """How many of the plan's running trains cross each border port on each day."""
    return {key: len(ts) for key, ts in by_crossing(problem.departures, sol.runs).items()}


def why_left(
    problem: Problem,
    opts: Options,
    sol: Solution,
    s: int,
    load_teu: dict[int, int],
    load_t: dict[int, float],
    counts: dict[Crossing, int] | None = None,
) -> str:
    """Why a shipment that had eligible departures still has containers left (``counts``:
    :func:`crossing_counts` of ``sol``, computed here if not given)."""
    sh = problem.shipments[s]
    deps = problem.departures
    eligible = sorted(
        {opts.options[o].t for o in opts.by_shipment[s]}, key=lambda t: deps[t].depart_date
    )
    full: list[str] = []
    room: list[str] = []
    cancelled: list[str] = []
    quota_blocked: list[str] = []
    crossing = counts if counts is not None else crossing_counts(problem, sol)
    for t in eligible:
        d = deps[t]
        if t in sol.runs:
            fits = d.capacity_teu - load_teu[t] >= sh.teu_per_container * (
                1 if sh.split else sh.containers
            )
            if d.max_gross_t is not None:
                fits = fits and d.max_gross_t - load_t[t] >= sh.gross_t * (
                    1 if sh.split else sh.containers
                )
            (room if fits else full).append(d.departure_id)
        else:
            key = rules_crossing(d)
            q = problem.quota_for(*key) if key is not None else None
            if key is not None and q is not None and crossing.get(key, 0) >= q:
                quota_blocked.append(d.departure_id)
            else:
                cancelled.append(d.departure_id)

    def ids(xs: list[str]) -> str:
        return ", ".join(xs[:3]) + (f" and {len(xs) - 3} more" if len(xs) > 3 else "")

    parts = []
    if full:
        parts.append(f"{len(full)} eligible departure(s) full ({ids(full)})")
    if quota_blocked:
        parts.append(f"{len(quota_blocked)} blocked by the border quota ({ids(quota_blocked)})")
    if cancelled:
        parts.append(
            f"{len(cancelled)} not run: too little load for their minimum load or fixed cost ({ids(cancelled)})"
        )
    if room:
        parts.append(
            f"{len(room)} running with room, but the reefer plugs are taken or carrying it costs more "
            f"than the unassigned penalty ({ids(room)})"
        )
    return "; ".join(parts) or "no eligible departure could take it"
