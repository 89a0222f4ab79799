"""Re-validate a plan against its inputs, independently of the optimiser's own code.

Every container accounted for exactly once; every assignment eligible (places, dates,
avoided countries, reefer and dangerous goods, no-split); every train within its TEU,
gross-tonne and plug limits and at or above its minimum load; every border port within its
daily quota; every cost recomputed from the inputs, and the summary's totals too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from routing.domain.model import CONTAINER_TYPES, Problem
from routing.domain.plan import Plan

TOL = 0.015  # USD: costs are written rounded to cents


def _close(a: float, b: float, tol: float = TOL) -> bool:
    return abs(a - b) <= tol + 1e-9 * max(abs(a), abs(b))


def check(plan: Plan, problem: Problem | None = None) -> list[str]:
    """Return one line per violation; an empty list means the plan is valid."""
    p = problem or plan.problem
    errs: list[str] = []
    ships = {s.shipment_id: s for s in p.shipments}
    deps = {d.departure_id: d for d in p.departures}
    legs: dict[tuple[str, str], tuple[float, int]] = {}
    for leg in p.truck_legs:
        key = (leg.origin, leg.destination)
        if key not in legs or (leg.cost_per_teu, leg.days) < legs[key]:
            legs[key] = (leg.cost_per_teu, leg.days)

    assigned: dict[str, int] = defaultdict(int)
    rows_of: dict[str, set[str]] = defaultdict(set)
    teu: dict[str, int] = defaultdict(int)
    tonnes: dict[str, float] = defaultdict(float)
    reefers: dict[str, int] = defaultdict(int)
    freight = truck = late = 0.0
    for a in plan.assignments:
        sh, d = ships.get(a.shipment_id), deps.get(a.departure_id)
        where = f"assignment {a.shipment_id} on {a.departure_id}"
        if sh is None or d is None:
            errs.append(f"{where}: unknown shipment or departure")
            continue
        if a.containers <= 0:
            errs.append(f"{where}: containers {a.containers} <= 0")
            continue
        ct = CONTAINER_TYPES[sh.container_type]
        assigned[sh.shipment_id] += a.containers
        rows_of[sh.shipment_id].add(d.departure_id)
        teu[d.departure_id] += a.containers * ct.teu
        tonnes[d.departure_id] += a.containers * sh.gross_t
        reefers[d.departure_id] += a.containers if ct.reefer else 0
        # places, through at most one truck leg at each end
        if sh.origin == d.origin:
            first: tuple[float, int] | None = (0.0, 0)
        else:
            first = legs.get((sh.origin, d.origin))
        if sh.destination == d.destination:
            last: tuple[float, int] | None = (0.0, 0)
        else:
            last = legs.get((d.destination, sh.destination))
        if first is None or last is None:
            errs.append(
                f"{where}: departure {d.origin}->{d.destination} does not serve {sh.origin}->{sh.destination}"
            )
            continue
        if d.depart_date < sh.ready_date + dt.timedelta(days=first[1]):
            errs.append(
                f"{where}: departs {d.depart_date} before ready date {sh.ready_date} (+{first[1]} d truck)"
            )
        if sh.avoid_countries & set(d.countries):
            errs.append(
                f"{where}: crosses avoided countries {sorted(sh.avoid_countries & set(d.countries))}"
            )
        if ct.reefer and d.reefer_plugs == 0:
            errs.append(f"{where}: reefer containers on a train without plugs")
        if sh.dg_class and not d.dg_allowed:
            errs.append(f"{where}: dangerous goods on a train that does not take them")
        arrival = d.depart_date + dt.timedelta(days=d.transit_days + last[1])
        late_days = max(0, (arrival - sh.due_date).days) if sh.due_date else 0
        t_ = a.containers * ct.teu
        rate = p.rates.get((sh.shipment_id, d.departure_id), d.rate_per_teu)
        exp: dict[str, object] = {
            "teu": t_,
            "arrival_date": arrival,
            "late_days": late_days,
            "freight_cost": t_ * rate,
            "truck_cost": t_ * (first[0] + last[0]),
            "late_cost": t_ * late_days * sh.late_penalty_per_teu_day,
            "gross_t": a.containers * sh.gross_t,
        }
        for k, v in exp.items():
            got = getattr(a, k)
            ok = (
                _close(float(got), float(v))
                if isinstance(v, float | int) and not isinstance(v, bool)
                else got == v
            )
            if not ok:
                errs.append(f"{where}: {k} is {got}, recomputed {v}")
        freight += t_ * rate
        truck += t_ * (first[0] + last[0])
        late += t_ * late_days * sh.late_penalty_per_teu_day

    # conservation: assigned + unassigned == containers, exactly once
    left: dict[str, int] = defaultdict(int)
    for u in plan.unassigned:
        if u.shipment_id not in ships:
            errs.append(f"unassigned {u.shipment_id}: unknown shipment")
            continue
        if u.shipment_id in left:
            errs.append(f"unassigned {u.shipment_id}: listed twice")
        left[u.shipment_id] += u.containers
        if not u.reason:
            errs.append(f"unassigned {u.shipment_id}: no reason given")
    for sid, sh in ships.items():
        if assigned[sid] + left[sid] != sh.containers:
            errs.append(
                f"shipment {sid}: {assigned[sid]} assigned + {left[sid]} unassigned != {sh.containers} containers"
            )
        if not sh.split and (len(rows_of[sid]) > 1 or (rows_of[sid] and left[sid])):
            errs.append(
                f"shipment {sid}: split=false but spread over {sorted(rows_of[sid])} / unassigned"
            )

    # trains
    listed = {tr.departure_id: tr for tr in plan.trains}
    fixed = 0.0
    crossing: dict[tuple[str, dt.date], int] = defaultdict(int)
    for did, d in deps.items():
        tr = listed.get(did)
        runs = tr.runs if tr is not None else False
        if tr is None:
            errs.append(f"train {did}: missing from trains")
        if teu[did] > 0 and not runs:
            errs.append(f"train {did}: carries {teu[did]} TEU but does not run")
        if not runs:
            continue
        fixed += d.fixed_cost
        if teu[did] > d.capacity_teu:
            errs.append(f"train {did}: {teu[did]} TEU over capacity {d.capacity_teu}")
        if teu[did] < d.min_load_teu:
            errs.append(
                f"train {did}: runs with {teu[did]} TEU under its minimum load {d.min_load_teu}"
            )
        if d.max_gross_t is not None and tonnes[did] > d.max_gross_t + 1e-6:
            errs.append(f"train {did}: {tonnes[did]:.2f} t over its limit {d.max_gross_t:g} t")
        if reefers[did] > d.reefer_plugs:
            errs.append(f"train {did}: {reefers[did]} reefers over {d.reefer_plugs} plugs")
        if tr is not None and tr.load_teu != teu[did]:
            errs.append(f"train {did}: load_teu {tr.load_teu}, recomputed {teu[did]}")
        if d.border_port:
            crossing[(d.border_port, d.depart_date + dt.timedelta(days=d.border_offset_days))] += 1
    for (port, day), n in sorted(crossing.items()):
        q = p.quota_for(port, day)
        if q is not None and n > q:
            errs.append(f"border {port} on {day}: {n} trains over the quota of {q}")

    # totals
    penalty = sum(left[sid] * CONTAINER_TYPES[ships[sid].container_type].teu for sid in ships)
    penalty_usd = penalty * p.unassigned_penalty_per_teu
    total = fixed + freight + truck + late
    move = _move_cost(plan, p)
    errs += pinned_moves(plan, p)
    expected: dict[str, Any] = {"total_cost": total, "objective": total + penalty_usd + move}
    for k, v in expected.items():
        got = plan.summary.get(k)
        if got is None or not _close(float(got), v, tol=0.01 + 1e-7 * abs(v)):
            errs.append(f"summary {k} is {got}, recomputed {v:.2f}")
    for k, v in (
        ("containers_assigned", sum(assigned.values())),
        ("containers_unassigned", sum(left.values())),
        ("trains_run", sum(1 for tr in plan.trains if tr.runs)),
    ):
        if plan.summary.get(k) != v:
            errs.append(f"summary {k} is {plan.summary.get(k)}, recomputed {v}")
    return errs


def _move_cost(plan: Plan, p: Problem) -> float:
    """The move penalty of a re-plan: ``P (n - x_{s,booked})`` for each booked lot, and a
    pinned lot must not have moved at all."""
    on: dict[tuple[str, str], int] = defaultdict(int)
    for a in plan.assignments:
        on[(a.shipment_id, a.departure_id)] += a.containers
    return sum(
        s.move_penalty_per_container * (s.containers - on[(s.shipment_id, s.booked_on)])
        for s in p.shipments
        if s.booked_on
    )


def pinned_moves(plan: Plan, p: Problem) -> list[str]:
    """Pinned lots whose containers are not all on their booked departure."""
    on: dict[tuple[str, str], int] = defaultdict(int)
    for a in plan.assignments:
        on[(a.shipment_id, a.departure_id)] += a.containers
    return [
        f"pinned booking {s.shipment_id}: {s.containers - on[(s.shipment_id, s.booked_on or '')]} "
        f"container(s) left {s.booked_on}"
        for s in p.shipments
        if s.pinned and on[(s.shipment_id, s.booked_on or "")] < s.containers
    ]
