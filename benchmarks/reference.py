"""A plain reference MIP solved by standalone HiGHS (``highspy``), for the benchmarks.

Written apart from the optimiser's own code on purpose (its own eligibility rules, one
variable per shipment and departure, no aggregation), so that a modelling mistake cannot hide
in both. Same mathematics as :mod:`routing.optimise.solver`, including the strong linking rows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass

import highspy
import numpy as np

from routing.domain.model import CONTAINER_TYPES, Problem


@dataclass(frozen=True, slots=True)
class ReferenceResult:
    status: str
    objective: float
    bound: float
    seconds: float
    trace: list[tuple[float, float]]  # (seconds, objective) of each improving solution


def _eligible(p: Problem) -> list[tuple[int, int, int, float]]:
    """(s, t, ub, cost per container) for every feasible pair, derived from scratch."""
    legs: dict[tuple[str, str], tuple[float, int]] = {}
    for leg in p.truck_legs:
        k = (leg.origin, leg.destination)
        if k not in legs or (leg.cost_per_teu, leg.days) < legs[k]:
            legs[k] = (leg.cost_per_teu, leg.days)
    out = []
    for s, sh in enumerate(p.shipments):
        ct = CONTAINER_TYPES[sh.container_type]
        for t, d in enumerate(p.departures):
            if sh.pinned and d.departure_id != sh.booked_on:
                continue
            first = (0.0, 0) if sh.origin == d.origin else legs.get((sh.origin, d.origin))
            last = (
                (0.0, 0)
                if sh.destination == d.destination
                else legs.get((d.destination, sh.destination))
            )
            if first is None or last is None:
                continue
            if d.depart_date < sh.ready_date + dt.timedelta(days=first[1]):
                continue
            if sh.avoid_countries & set(d.countries) or (ct.reefer and not d.reefer_plugs):
                continue
            if sh.dg_class and not d.dg_allowed:
                continue
            ub = min(sh.containers, d.capacity_teu // ct.teu)
            if d.max_gross_t is not None:
                ub = min(ub, int(d.max_gross_t // sh.gross_t + 1e-9))
            if ct.reefer:
                ub = min(ub, d.reefer_plugs)
            if ub <= 0 or (not sh.split and ub < sh.containers):
                continue
            arrival = d.depart_date + dt.timedelta(days=d.transit_days + last[1])
            late = max(0, (arrival - sh.due_date).days) if sh.due_date else 0
            rate = p.rates.get((sh.shipment_id, d.departure_id), d.rate_per_teu)
            cost = ct.teu * (rate + first[0] + last[0] + late * sh.late_penalty_per_teu_day)
            out.append((s, t, ub, cost))
    return out


def solve_reference(p: Problem, time_limit: float = 30.0, threads: int = 2) -> ReferenceResult:
    pairs = _eligible(p)
    n_ship, n_dep = len(p.shipments), len(p.departures)
    inf = highspy.kHighsInf
    # columns: x (one per pair), run (per departure), u (per shipment)
    lower, upper, cost, integ = [], [], [], []
    for s, _t, ub, c in pairs:
        sh = p.shipments[s]
        if sh.split:
            lower.append(0.0)
            upper.append(float(ub))
            cost.append(c)
        else:  # binary y, containers = n * y
            lower.append(0.0)
            upper.append(1.0)
            cost.append(c * sh.containers)
    run0 = len(pairs)
    for d in p.departures:
        lower.append(0.0)
        upper.append(1.0)
        cost.append(d.fixed_cost)
    u0 = run0 + n_dep
    for sh in p.shipments:
        lower.append(0.0)
        upper.append(float(sh.containers))
        cost.append(CONTAINER_TYPES[sh.container_type].teu * p.unassigned_penalty_per_teu)
    # re-planning: m_s >= n_s - x_{s,booked} containers moved, at the lot's move penalty
    lots = [s for s, sh in enumerate(p.shipments) if sh.booked_on and sh.move_penalty_per_container]
    m0 = u0 + n_ship
    for s in lots:
        lower.append(0.0)
        upper.append(float(p.shipments[s].containers))
        cost.append(p.shipments[s].move_penalty_per_container)
    n_col = m0 + len(lots)
    integ = [highspy.HighsVarType.kInteger] * n_col

    rows: list[tuple[float, float, list[int], list[float]]] = []
    by_ship: dict[int, list[int]] = defaultdict(list)
    by_dep: dict[int, list[int]] = defaultdict(list)
    for j, (s, t, _ub, _c) in enumerate(pairs):
        by_ship[s].append(j)
        by_dep[t].append(j)
    for s, sh in enumerate(p.shipments):
        mult = 1.0 if sh.split else float(sh.containers)
        idx = [*by_ship[s], u0 + s]
        rows.append((sh.containers, sh.containers, idx, [mult] * len(by_ship[s]) + [1.0]))
        if not sh.split and by_ship[s]:
            rows.append((-inf, 1.0, by_ship[s], [1.0] * len(by_ship[s])))
    for i, s in enumerate(lots):
        sh = p.shipments[s]
        mult = 1.0 if sh.split else float(sh.containers)
        stay = [j for j in by_ship[s] if p.departures[pairs[j][1]].departure_id == sh.booked_on]
        rows.append((float(sh.containers), inf, [m0 + i, *stay], [1.0] + [mult] * len(stay)))
    for t, d in enumerate(p.departures):
        js = by_dep[t]
        teu, kg, plug = [], [], []
        for j in js:
            sh = p.shipments[pairs[j][0]]
            ct = CONTAINER_TYPES[sh.container_type]
            mult = 1.0 if sh.split else float(sh.containers)
            teu.append(ct.teu * mult)
            kg.append(sh.gross_t * mult)
            plug.append((1.0 if ct.reefer else 0.0) * mult)
        rows.append((-inf, 0.0, [*js, run0 + t], [*teu, -float(d.capacity_teu)]))
        if d.min_load_teu:
            rows.append((0.0, inf, [*js, run0 + t], [*teu, -float(d.min_load_teu)]))
        if d.max_gross_t is not None:
            rows.append((-inf, 0.0, [*js, run0 + t], [*kg, -d.max_gross_t]))
        if any(plug):
            rows.append((-inf, 0.0, [*js, run0 + t], [*plug, -float(d.reefer_plugs)]))
        for j in js:
            ub_j = 1.0 if not p.shipments[pairs[j][0]].split else float(pairs[j][2])
            rows.append((-inf, 0.0, [j, run0 + t], [1.0, -ub_j]))
    crossing: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    for t, d in enumerate(p.departures):
        if d.border_port:
            crossing[
                (d.border_port, d.depart_date + dt.timedelta(days=d.border_offset_days))
            ].append(t)
    for (port, day), ts in crossing.items():
        q = p.quota_for(port, day)
        if q is not None and len(ts) > q:
            rows.append((-inf, float(q), [run0 + t for t in ts], [1.0] * len(ts)))

    # HiGHS keeps one scheduler per thread, made with the thread count of its first solve
    # there (railplan's own relaxations may have made it first): made again with ``threads``
    highspy.Highs.resetGlobalScheduler(True)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("threads", threads)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("mip_rel_gap", 1e-6)
    h.addCols(
        n_col,
        np.array(cost),
        np.array(lower),
        np.array(upper),
        0,
        np.array([]),
        np.array([]),
        np.array([]),
    )
    h.changeColsIntegrality(n_col, np.arange(n_col, dtype=np.int32), np.array(integ))
    starts: list[int] = []
    index: list[int] = []
    value: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    for rl, rh, idx, val in rows:
        starts.append(len(index))
        index.extend(idx)
        value.extend(val)
        lo.append(rl)
        hi.append(rh)
    h.addRows(
        len(rows),
        np.array(lo, dtype=float),
        np.array(hi, dtype=float),
        len(index),
        np.array(starts, dtype=np.int32),
        np.array(index, dtype=np.int32),
        np.array(value, dtype=float),
    )
    trace: list[tuple[float, float]] = []
    t0 = time.perf_counter()

    with contextlib.suppress(AttributeError):  # older highspy: no callbacks, only the end
        h.cbMipImprovingSolution.subscribe(
            lambda e: trace.append((time.perf_counter() - t0, e.data_out.objective_function_value))
        )
    h.run()
    seconds = time.perf_counter() - t0
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    obj = float(info.objective_function_value) if info.primal_solution_status else float("nan")
    bound = float(info.mip_dual_bound)
    return ReferenceResult(status, obj, bound, seconds, trace)
