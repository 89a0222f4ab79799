"""The Python API: build a problem from a batch and a network, and plan it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from network import Departure, Network
from network.io import FIRST_DATE, LAST_DATE
from routing.domain.co2 import FactorTable, net_route_info
from routing.domain.costs import cost_breakdown
from routing.domain.model import (
    DEFAULT_UNASSIGNED_PENALTY_PER_TEU,
    MAX_HORIZON_DAYS,
    Problem,
    Shipment,
    TruckLeg,
    network_truck_legs,
)
from routing.domain.options import build_options
from routing.domain.plan import Plan, build_plan
from routing.domain.replan import Change, Event, apply_events, changes, shipment_of
from routing.io import (
    InputError,
    file_digest,
    read_border_quota,
    read_departures,
    read_rates,
    read_shipments,
    read_trucking,
    workbook_inputs,
)
from routing.io.factors import load_factors

if TYPE_CHECKING:  # the solver is imported when a solve starts: reading a batch needs none
    from routing.optimise import Deadline, Progress

#: days of timetable after the batch's last ready or due date (late departures stay possible)
HORIZON_TAIL_DAYS = 14
#: the largest carbon price accepted, USD per tonne of CO2e
MAX_CARBON_PRICE_PER_T = 100_000.0


def horizon(shipments: Sequence[Shipment]) -> tuple[dt.date, int]:
    """The default timetable window that covers a batch: from the first ready date to
    ``HORIZON_TAIL_DAYS`` after the last ready or due date."""
    start = min(s.ready_date for s in shipments)
    end = max(max(s.ready_date, s.due_date or s.ready_date) for s in shipments)
    return start, (end - start).days + 1 + HORIZON_TAIL_DAYS


def make_problem(
    shipments: Sequence[Shipment],
    net: Network,
    departures: Sequence[Departure] | None = None,
    *,
    rates: dict[tuple[str, str], float] | None = None,
    border_quota: dict[str, int] | None = None,
    border_quota_by_date: dict[tuple[str, dt.date], int] | None = None,
    trucking: Sequence[TruckLeg] | None = None,
    start: dt.date | None = None,
    days: int | None = None,
    scope: str = "shanxi",
    unassigned_penalty: float = DEFAULT_UNASSIGNED_PENALTY_PER_TEU,
    inputs: dict[str, str] | None = None,
    emission_factors: FactorTable | None = None,
    carbon_price: float = 0.0,
) -> Problem:
    """Bundle a batch with its departures (default: the network's timetable over the batch's
    horizon), quotas (default: the network's border capacity for ``scope``) and truck legs;
    the CO2e factor table (default: the bundled ``data/co2/factors.csv``) with the network's
    link data, and the carbon price (USD per t of WTW CO2e, 0: none)."""
    if not 0 <= carbon_price <= MAX_CARBON_PRICE_PER_T:
        raise InputError(
            [f"--carbon-price {carbon_price!r}: expected 0 to {MAX_CARBON_PRICE_PER_T:,.0f} USD/t"]
        )
    ships = tuple(
        dataclasses.replace(s, origin=net.resolve(s.origin), destination=net.resolve(s.destination))
        for s in shipments
    )
    inputs = dict(inputs or {})
    if departures is None:
        s0, n = horizon(ships) if ships else (dt.date.today(), 0)
        first = start or s0
        n_days = days if days is not None else n + (s0 - first).days
        _check_horizon(first, n_days, s0 + dt.timedelta(days=max(n, 1) - 1))
        departures = net.departures(first, n_days, scope=scope)
        inputs.update(horizon_start=first.isoformat(), horizon_days=str(n_days), scope=scope)
    quota = net.border_quota(scope)
    quota.update(border_quota or {})
    return Problem(
        shipments=ships,
        departures=tuple(departures),
        rates=dict(rates or {}),
        quota=quota,
        quota_by_date=dict(border_quota_by_date or {}),
        truck_legs=tuple(trucking if trucking is not None else network_truck_legs(net)),
        unassigned_penalty_per_teu=unassigned_penalty,
        inputs=inputs,
        emission_factors=emission_factors if emission_factors is not None else load_factors(),
        emission_network=net_route_info(net),
        carbon_price_per_t=float(carbon_price),
    )


def _check_horizon(first: dt.date, n_days: int, last_needed: dt.date) -> None:
    """Refuse a timetable that ends before it starts, leaves the calendar, or is longer than
    :data:`MAX_HORIZON_DAYS` (every departure of it would be built and priced)."""
    problems = []
    if not FIRST_DATE <= first <= LAST_DATE:
        problems.append(
            f"timetable start {first}: expected a date from {FIRST_DATE} to {LAST_DATE}"
        )
    elif n_days < 1:
        problems.append(
            f"timetable start {first}: after the batch's last date {last_needed}; "
            "expected a start on or before it"
        )
    elif n_days > MAX_HORIZON_DAYS:
        problems.append(
            f"timetable of {n_days} days from {first}: expected at most {MAX_HORIZON_DAYS} days "
            "(about three years); split the batch by ready date, or give --days or --departures"
        )
    if problems:
        raise InputError(problems)


def solve_problem(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    seed: int = 0,
    workers: int = 2,
    backend: str = "auto",
    method: str = "decompose",
    progress: Progress | None = None,
    deadline: Deadline | None = None,
    work_limit: float | None = None,
) -> Plan:
    """Plan a prepared :class:`Problem`: options, greedy warm start, OR-Tools, plan.

    ``time_limit`` is wall-clock seconds from the call (or ``deadline``, which a caller starts
    before reading its inputs) to the plan written: the solver stops early enough to leave
    :func:`finish_seconds` for building the plan and writing its files. ``work_limit``:
    deterministic work units instead (:func:`routing.optimise.mathopt.work_limits`); the
    clock is not read, so the same problem and seed give the same plan on any machine."""
    from routing.optimise import Deadline, greedy, solve, solve_decomposed

    if deadline is None:
        deadline = Deadline(time_limit)
    if work_limit is not None:
        deadline = Deadline(math.inf)
    t0 = time.perf_counter()
    opts = build_options(problem)
    t_opts = time.perf_counter() - t0
    base = greedy(problem, opts)
    t_greedy = time.perf_counter() - t0 - t_opts
    greedy_costs = cost_breakdown(problem, opts, base)
    until = deadline.until(max(0.0, deadline.remaining() - finish_seconds(problem)))
    args: dict[str, Any] = {"hint": base, "deadline": until, "seed": seed, "backend": backend}
    parts = 1
    if method == "decompose":
        res, parts = solve_decomposed(
            problem, opts, work=work_limit, workers=max(1, workers), progress=progress, **args
        )
    elif method == "monolithic":
        res = solve(problem, opts, work=work_limit, workers=workers, progress=progress, **args)
    else:
        raise ValueError(f"method={method!r}: expected decompose or monolithic")
    sol, status = res.solution, res.status
    if sol is None:  # no solution within the limit: keep the greedy plan
        sol, status = base, "feasible"
    if cost_breakdown(problem, opts, sol)["objective"] > greedy_costs["objective"] + 1e-6:
        sol = base
    extra: dict[str, Any] = {
        "solver": f"ortools-{backend}",
        "method": method,
        "parts": parts,
        "time_limit": time_limit if work_limit is None else None,
        "work_limit": work_limit,
        "seed": seed,
        "workers": workers,
        "options": len(opts.options),
        "options_seconds": round(t_opts, 4),
        "greedy_seconds": round(t_greedy, 4),
        "build_seconds": round(res.build_seconds, 4),
        "solve_seconds": round(res.seconds, 4),
        "greedy_objective": round(greedy_costs["objective"], 2),
        "greedy_total_cost": round(greedy_costs["total_cost"], 2),
        "bound_source": res.bound_source,
        "parts_detail": list(res.parts_detail),
    }
    plan = build_plan(problem, opts, sol, status=status, bound=res.bound, summary_extra=extra)
    plan.summary["seconds_to_plan"] = round(deadline.elapsed(), 3) if work_limit is None else None
    return plan


def finish_seconds(problem: Problem) -> float:
    """Seconds kept back from the solver for building the plan and writing its files (not the
    maps): ``0.2 + 2.5e-4 x shipments``. On this 2-core machine a national week of 4,850
    shipments builds its plan in 0.3-0.7 s and writes it in 0.8-1.2 s (``plan.xlsx`` 0.3 s,
    :mod:`routing.io.xlsx_writer`), quiet to loaded; under heavier load the plan is late by
    the difference."""
    return 0.2 + 2.5e-4 * len(problem.shipments)


def plan(
    shipments: Sequence[Shipment],
    net: Network,
    departures: Sequence[Departure] | None = None,
    *,
    rates: dict[tuple[str, str], float] | None = None,
    border_quota: dict[str, int] | None = None,
    trucking: Sequence[TruckLeg] | None = None,
    start: dt.date | None = None,
    days: int | None = None,
    time_limit: float = 30.0,
    seed: int = 0,
    unassigned_penalty: float = DEFAULT_UNASSIGNED_PENALTY_PER_TEU,
    progress: Progress | None = None,
    backend: str = "auto",
    method: str = "decompose",
    workers: int = 2,
) -> Plan:
    """Assign every container of ``shipments`` to a departure, or report why not.

    >>> import network, routing
    >>> net = network.load()
    >>> p = routing.plan(routing.read_shipments("data/samples/shipments.csv", net), net)
    >>> p.status in ("optimal", "feasible")
    True
    """
    problem = make_problem(
        shipments,
        net,
        departures,
        rates=rates,
        border_quota=border_quota,
        trucking=trucking,
        start=start,
        days=days,
        unassigned_penalty=unassigned_penalty,
    )
    return solve_problem(
        problem,
        time_limit=time_limit,
        seed=seed,
        progress=progress,
        backend=backend,
        method=method,
        workers=workers,
    )


def read_problem(
    shipments: str,
    net: Network,
    *,
    departures: str | None = None,
    rates: str | None = None,
    border_quota: str | None = None,
    trucking: str | None = None,
    start: dt.date | None = None,
    days: int | None = None,
    unassigned_penalty: float = DEFAULT_UNASSIGNED_PENALTY_PER_TEU,
    scope: str = "shanxi",
    emission_factors: str | None = None,
    carbon_price: float = 0.0,
) -> Problem:
    """Read every input file (all problems of all files reported together). A workbook of
    shipments may hold the other inputs as sheets (:func:`routing.io.workbook_inputs`): each
    is read unless its file is given."""
    problems: list[str] = []
    sheets = workbook_inputs(shipments)
    given = {"departures": departures, "rates": rates, "border_quota": border_quota}
    given["trucking"] = trucking
    for kind, flag in given.items():
        if not flag and kind in sheets:
            given[kind] = shipments
    departures, rates, border_quota, trucking = given.values()
    sheet = {k: (sheets.get(k) if given[k] == shipments else None) for k in given}
    legs = None
    if trucking:
        try:
            legs = read_trucking(trucking, net, sheet=sheet["trucking"])
        except InputError as e:
            problems += e.problems
    ships = deps = None
    try:
        ships = read_shipments(shipments, net, legs, sheet=sheets.get("shipments"))
    except InputError as e:
        problems += e.problems
    if departures:
        try:
            deps = read_departures(departures, net, sheet=sheet["departures"])
        except InputError as e:
            problems += e.problems
    factors = None
    try:
        factors = load_factors(emission_factors)
    except InputError as e:
        problems += e.problems
    quota: dict[str, int] = {}
    by_date: dict[tuple[str, dt.date], int] = {}
    if border_quota:
        try:
            quota, by_date = read_border_quota(border_quota, net, sheet=sheet["border_quota"])
        except InputError as e:
            problems += e.problems
    if problems:
        if rates:  # its problems too, its ids checked against what could be read
            ship_ids = {s.shipment_id for s in ships} if ships is not None else None
            dep_ids = {d.departure_id for d in deps} if deps is not None else None
            try:
                read_rates(rates, ship_ids, dep_ids, sheet=sheet["rates"])
            except InputError as e:
                problems += e.problems
        raise InputError(problems)
    assert ships is not None
    files = list(
        dict.fromkeys(Path(p) for p in (shipments, departures, rates, border_quota, trucking) if p)
    )
    inputs = {"files": ", ".join(p.name for p in files), "sha256": file_digest(files)}
    problem = make_problem(
        ships,
        net,
        deps,
        border_quota=quota,
        border_quota_by_date=by_date,
        trucking=legs,
        start=start,
        days=days,
        scope=scope,
        unassigned_penalty=unassigned_penalty,
        inputs=inputs,
        emission_factors=factors,
        carbon_price=carbon_price,
    )
    if rates:
        rate_map = read_rates(
            rates,
            {s.shipment_id for s in problem.shipments},
            {d.departure_id for d in problem.departures},
            sheet=sheet["rates"],
        )
        problem = dataclasses.replace(problem, rates=rate_map)
    return problem


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ReplanResult:
    """A re-plan: the new plan, what moved and why, and the departures that left."""

    plan: Plan
    changes: tuple[Change, ...]
    removed: dict[str, str]
    containers_moved: int
    shipments_moved: int


def replan(
    problem: Problem,
    events: Sequence[Event],
    net: Network,
    *,
    now: dt.date | None = None,
    unpin_affected: bool = False,
    time_limit: float = 30.0,
    seed: int = 0,
    workers: int = 2,
    progress: Progress | None = None,
    deadline: Deadline | None = None,
    work_limit: float | None = None,
) -> ReplanResult:
    """Plan ``problem`` (booked lots, see :mod:`routing.domain.replan`, and new shipments)
    again after ``events``, at the least cost plus the move penalty of every container that
    leaves its booked departure. Raises :class:`EventError` for events that cannot apply."""
    rp = apply_events(problem, events, net, now=now, unpin_affected=unpin_affected)
    plan = solve_problem(
        rp.problem,
        time_limit=time_limit,
        seed=seed,
        workers=workers,
        progress=progress,
        deadline=deadline,
        work_limit=work_limit,
    )
    before: dict[tuple[str, str], int] = defaultdict(int)
    for s in problem.shipments:
        if s.booked_on:
            before[(shipment_of(s.shipment_id), s.booked_on)] += s.containers
    after: dict[tuple[str, str], int] = defaultdict(int)
    for a in plan.assignments:
        after[(shipment_of(a.shipment_id), a.departure_id)] += a.containers
    moved = changes(before, after, rp.removed)
    summary = {
        **plan.summary,
        "containers_moved": sum(c.containers for c in moved),
        "shipments_moved": len({c.shipment_id for c in moved}),
        "departures_removed": dict(rp.removed),
    }
    return ReplanResult(
        plan=dataclasses.replace(plan, summary=summary),
        changes=tuple(moved),
        removed=rp.removed,
        containers_moved=summary["containers_moved"],
        shipments_moved=summary["shipments_moved"],
    )
