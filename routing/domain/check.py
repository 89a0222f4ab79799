"""Re-validate a plan against its inputs, independently of the optimiser's own code.

Every container accounted for exactly once; every assignment eligible (places, dates,
avoided countries, reefer and dangerous goods, no-split); every train within its TEU,
gross-tonne and plug limits and at or above its minimum load; every border port within its
daily quota; every cost recomputed from the inputs, and the summary's totals too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from network import Departure
from routing.domain.co2 import chain, totals
from routing.domain.model import CONTAINER_TYPES, Problem, Shipment
from routing.domain.plan import Assignment, Plan

TOL = 0.015  # USD: costs are written rounded to cents


def _close(a: float, b: float, tol: float = TOL) -> bool:
    return abs(a - b) <= tol + 1e-9 * max(abs(a), abs(b))


Leg = tuple[float, int]  # a truck leg's (cost per TEU, days)


def check(plan: Plan, problem: Problem | None = None) -> list[str]:
    """Return one line per violation; an empty list means the plan is valid.

    The lines come in this order: the assignments (:func:`_check_assignment`), the
    conservation of containers (:func:`_check_conservation`), the trains and the border
    quotas (:func:`_check_trains`), the pinned lots and the summary (:func:`_check_totals`)."""
    p = problem or plan.problem
    errs: list[str] = []
    ships = {s.shipment_id: s for s in p.shipments}
    deps = {d.departure_id: d for d in p.departures}
    legs = _cheapest_legs(p)
    # plan folders written before CO2e carry none: their CO2e is not checked
    tally = _Tally(
        co2=p.emission_factors is not None
        and p.emission_network is not None
        and "co2e_wtw_kg" in plan.summary
    )
    for a in plan.assignments:
        errs += _check_assignment(a, ships, deps, legs, p, tally)
    left, conservation = _check_conservation(plan, ships, tally)
    errs += conservation
    fixed, trains = _check_trains(plan, p, deps, tally)
    errs += trains
    errs += _check_totals(plan, p, ships, tally, left, fixed)
    return errs


@dataclass
class _Tally:
    """What the assignments add up to: per shipment the containers assigned and the
    departures used, per departure the TEU, gross tonnes and reefers on board, and the
    recomputed freight, truck and late costs (USD)."""

    assigned: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    rows_of: defaultdict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    teu: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    tonnes: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    reefers: defaultdict[str, int] = field(default_factory=lambda: defaultdict(int))
    freight: float = 0.0
    truck: float = 0.0
    late: float = 0.0
    #: recomputed CO2e (kg) and carbon cost (USD); ``co2`` False: not checked
    co2: bool = False
    wtw_kg: float = 0.0
    ttw_kg: float = 0.0
    carbon: float = 0.0


def _cheapest_legs(p: Problem) -> dict[tuple[str, str], Leg]:
    """(origin, destination) -> the truck leg between them with the least (cost, days)."""
    legs: dict[tuple[str, str], Leg] = {}
    for leg in p.truck_legs:
        key = (leg.origin, leg.destination)
        if key not in legs or (leg.cost_per_teu, leg.days) < legs[key]:
            legs[key] = (leg.cost_per_teu, leg.days)
    return legs


def _check_assignment(
    a: Assignment,
    ships: dict[str, Shipment],
    deps: dict[str, Departure],
    legs: dict[tuple[str, str], Leg],
    p: Problem,
    tally: _Tally,
) -> list[str]:
    """One assignment: known shipment and departure, a positive count (then counted in
    ``tally``), places served through at most one truck leg at each end, eligibility
    (:func:`_eligibility`) and its recomputed fields (:func:`_recomputed`, then added to the
    tally's costs)."""
    sh, d = ships.get(a.shipment_id), deps.get(a.departure_id)
    where = f"assignment {a.shipment_id} on {a.departure_id}"
    if sh is None or d is None:
        return [f"{where}: unknown shipment or departure"]
    if a.containers <= 0:
        return [f"{where}: containers {a.containers} <= 0"]
    ct = CONTAINER_TYPES[sh.container_type]
    tally.assigned[sh.shipment_id] += a.containers
    tally.rows_of[sh.shipment_id].add(d.departure_id)
    tally.teu[d.departure_id] += a.containers * ct.teu
    tally.tonnes[d.departure_id] += a.containers * sh.gross_t
    tally.reefers[d.departure_id] += a.containers if ct.reefer else 0
    ends = _ends(sh, d, legs)
    if ends is None:
        return [
            f"{where}: departure {d.origin}->{d.destination} does not serve {sh.origin}->{sh.destination}"
        ]
    first, last = ends
    errs = _eligibility(where, sh, d, first)
    rate = p.rates.get((sh.shipment_id, d.departure_id), d.rate_per_teu)
    exp = _recomputed(a, sh, d, rate, first, last)
    for k, v in exp._asdict().items():
        got = getattr(a, k)
        ok = (
            _close(float(got), float(v))
            if isinstance(v, float | int) and not isinstance(v, bool)
            else got == v
        )
        if not ok:
            errs.append(f"{where}: {k} is {got}, recomputed {v}")
    tally.freight += exp.freight_cost
    tally.truck += exp.truck_cost
    tally.late += exp.late_cost
    errs += _check_co2e(where, a, sh, d, p, tally)
    return errs


def _check_co2e(
    where: str, a: Assignment, sh: Shipment, d: Departure, p: Problem, tally: _Tally
) -> list[str]:
    """The assignment's CO2e recomputed from the chain (:func:`routing.domain.co2.chain`),
    added to the tally with its carbon cost ``price x WTW / 1000``."""
    if not tally.co2 or p.emission_factors is None or p.emission_network is None:
        return []
    try:
        wtw, ttw = totals(chain(sh, d, p.emission_network, p.emission_factors, a.containers))
    except ValueError as e:
        return [f"{where}: CO2e cannot be recomputed: {e}"]
    tally.wtw_kg += wtw
    tally.ttw_kg += ttw
    tally.carbon += p.carbon_price_per_t * wtw / 1000.0
    errs = []
    for k, v in (("co2e_wtw_kg", wtw), ("co2e_ttw_kg", ttw)):
        got = getattr(a, k)
        if not _close(float(got), v, tol=0.02):
            errs.append(f"{where}: {k} is {got}, recomputed {v:.3f}")
    return errs


def _ends(sh: Shipment, d: Departure, legs: dict[tuple[str, str], Leg]) -> tuple[Leg, Leg] | None:
    """The truck legs before and after the train: ``(0, 0)`` where the train starts at the
    shipment's origin (ends at its destination), else the cheapest leg between the two
    places; None when an end has no leg."""
    if sh.origin == d.origin:
        first: Leg | None = (0.0, 0)
    else:
        first = legs.get((sh.origin, d.origin))
    if sh.destination == d.destination:
        last: Leg | None = (0.0, 0)
    else:
        last = legs.get((d.destination, sh.destination))
    if first is None or last is None:
        return None
    return first, last


def _eligibility(where: str, sh: Shipment, d: Departure, first: Leg) -> list[str]:
    """The ride's rules: departs on or after the ready date plus the first truck leg's
    days, crosses no avoided country, reefers only on a train with plugs, dangerous goods
    only on a train that takes them."""
    ct = CONTAINER_TYPES[sh.container_type]
    errs = []
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
    return errs


class _Fields(NamedTuple):
    """An assignment's fields as the inputs make them (named as :class:`Assignment`'s)."""

    teu: int
    arrival_date: dt.date
    late_days: int
    freight_cost: float
    truck_cost: float
    late_cost: float
    gross_t: float


def _recomputed(
    a: Assignment, sh: Shipment, d: Departure, rate: float, first: Leg, last: Leg
) -> _Fields:
    """An assignment's fields from the inputs, for ``n`` containers of ``u`` TEU each:
    ``teu = n u``; ``arrival = depart + transit + last leg's days``;
    ``late_days = max(0, arrival - due)`` (0 without a due date); ``freight = teu rate``;
    ``truck = teu (first + last leg's cost per TEU)``; ``late = teu late_days penalty``;
    ``gross_t = n gross_t``."""
    t_ = a.containers * CONTAINER_TYPES[sh.container_type].teu
    arrival = d.depart_date + dt.timedelta(days=d.transit_days + last[1])
    late_days = max(0, (arrival - sh.due_date).days) if sh.due_date else 0
    return _Fields(
        teu=t_,
        arrival_date=arrival,
        late_days=late_days,
        freight_cost=t_ * rate,
        truck_cost=t_ * (first[0] + last[0]),
        late_cost=t_ * late_days * sh.late_penalty_per_teu_day,
        gross_t=a.containers * sh.gross_t,
    )


def _check_conservation(
    plan: Plan, ships: dict[str, Shipment], tally: _Tally
) -> tuple[defaultdict[str, int], list[str]]:
    """Every container once: ``assigned + unassigned == containers`` per shipment, each
    unassigned lot listed once with a reason, and a ``split=false`` shipment on one
    departure or left whole. Returns the unassigned containers per shipment and the lines."""
    errs: list[str] = []
    left: defaultdict[str, int] = defaultdict(int)
    for u in plan.unassigned:
        if u.shipment_id not in ships:
            errs.append(f"unassigned {u.shipment_id}: unknown shipment")
            continue
        if u.shipment_id in left:
            errs.append(f"unassigned {u.shipment_id}: listed twice")
        left[u.shipment_id] += u.containers
        if not u.reason:
            errs.append(f"unassigned {u.shipment_id}: no reason given")
    assigned, rows_of = tally.assigned, tally.rows_of
    for sid, sh in ships.items():
        if assigned[sid] + left[sid] != sh.containers:
            errs.append(
                f"shipment {sid}: {assigned[sid]} assigned + {left[sid]} unassigned != {sh.containers} containers"
            )
        if not sh.split and (len(rows_of[sid]) > 1 or (rows_of[sid] and left[sid])):
            errs.append(
                f"shipment {sid}: split=false but spread over {sorted(rows_of[sid])} / unassigned"
            )
    return left, errs


def _check_trains(
    plan: Plan, p: Problem, deps: dict[str, Departure], tally: _Tally
) -> tuple[float, list[str]]:
    """Every departure listed; a train with load runs; a running train within its TEU
    capacity, gross-tonne limit and reefer plugs, at or above its minimum load, with its
    load recomputed; then every border port's trains per day within its quota. Returns the
    running trains' fixed cost and the lines."""
    errs: list[str] = []
    teu, tonnes, reefers = tally.teu, tally.tonnes, tally.reefers
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
    return fixed, errs


def _check_totals(
    plan: Plan,
    p: Problem,
    ships: dict[str, Shipment],
    tally: _Tally,
    left: defaultdict[str, int],
    fixed: float,
) -> list[str]:
    """The pinned lots (:func:`pinned_moves`) and the summary: ``total_cost = fixed +
    freight + truck + late``; ``objective = total_cost + unassigned TEU x penalty per TEU +
    move penalty`` (:func:`_move_cost`); the containers assigned and unassigned and the
    trains run, counted."""
    penalty = sum(left[sid] * CONTAINER_TYPES[ships[sid].container_type].teu for sid in ships)
    penalty_usd = penalty * p.unassigned_penalty_per_teu
    total = fixed + tally.freight + tally.truck + tally.late
    move = _move_cost(plan, p)
    errs = pinned_moves(plan, p)
    expected: dict[str, Any] = {
        "total_cost": total,
        "objective": total + penalty_usd + move + tally.carbon,
    }
    if tally.co2:  # element values are rounded to 1 g each
        expected["total_cost_with_carbon"] = total + tally.carbon
        expected["co2e_wtw_kg"] = tally.wtw_kg
        expected["co2e_ttw_kg"] = tally.ttw_kg
    slack = 0.01 + 0.005 * len(plan.assignments)
    for k, v in expected.items():
        got = plan.summary.get(k)
        tol = (0.01 if k in ("total_cost", "objective") else slack) + 1e-7 * abs(v)
        if got is None or not _close(float(got), v, tol=tol):
            errs.append(f"summary {k} is {got}, recomputed {v:.2f}")
    for k, v in (
        ("containers_assigned", sum(tally.assigned.values())),
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
