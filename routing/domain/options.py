"""Which (shipment, departure) pairs are feasible, at what cost: decided before any model is
built, so that graph and calendar logic never leak into constraints.

A shipment may ride a departure when origins and destinations match (directly or through one
drayage / last-mile truck leg, which adds its cost and days), ``depart_date >= ready_date``
(+ drayage days), the route crosses no avoided country, reefer / dangerous-goods rules allow it,
and one container fits the train (TEU, gross tonnes, plugs). ``arrival = depart_date +
transit_days`` (+ last-mile days); ``late_days = max(0, arrival - due_date)``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from network import Departure
from routing.domain.co2 import per_container_wtw_kg
from routing.domain.model import Problem, Shipment
from routing.domain.rules import train_fit


@dataclass(frozen=True, slots=True)
class Option:
    """Shipment ``s`` on departure ``t`` (indices into the problem's tuples)."""

    s: int
    t: int
    max_containers: int
    freight_per_container: float
    truck_per_container: float
    late_days: int
    late_per_container: float
    arrival_date: dt.date
    #: re-planning: the move penalty a container saves by staying on its booked departure
    stay_credit_per_container: float = 0.0
    #: the carbon price times one container's WTW CO2e (USD; 0 without a carbon price)
    co2e_cost_per_container: float = 0.0

    @property
    def cost_per_container(self) -> float:
        """What the optimiser pays per container: freight, trucking, lateness, the carbon
        cost, less the stay credit (the objective adds it back as a constant,
        :func:`routing.domain.costs.move_offset`)."""
        return (
            self.freight_per_container
            + self.truck_per_container
            + self.late_per_container
            + self.co2e_cost_per_container
            - self.stay_credit_per_container
        )


@dataclass(frozen=True, slots=True)
class Options:
    options: tuple[Option, ...]
    by_shipment: tuple[tuple[int, ...], ...]
    #: for shipments with no option: why (a sentence a planner can act on)
    reasons: dict[int, str]


def max_containers(sh: Shipment, dep: Departure) -> int:
    """How many containers of ``sh`` one train can take on its own (:func:`train_fit`)."""
    fit = train_fit(dep, teu=sh.teu_per_container, gross_t=sh.gross_t, reefer=sh.reefer)
    return max(min(sh.containers, fit), 0)


def build_options(problem: Problem) -> Options:
    deps = problem.departures
    first_mile: dict[str, list[tuple[str, float, int]]] = defaultdict(list)
    last_mile: dict[str, list[tuple[str, float, int]]] = defaultdict(list)
    for leg in problem.truck_legs:
        first_mile[leg.origin].append((leg.destination, leg.cost_per_teu, leg.days))
        last_mile[leg.destination].append((leg.origin, leg.cost_per_teu, leg.days))
    by_od: dict[tuple[str, str], list[int]] = defaultdict(list)
    for t, d in enumerate(deps):
        by_od[(d.origin, d.destination)].append(t)

    options: list[Option] = []
    by_shipment: list[tuple[int, ...]] = []
    reasons: dict[int, str] = {}
    co2_cache: dict[tuple[object, ...], tuple[float, float]] = {}
    lanes: dict[tuple[str, str], dict[int, tuple[float, int, int]]] = {}
    arrivals = [d.arrival_date for d in deps]
    priced = problem.carbon_price_per_t > 0
    for s, sh in enumerate(problem.shipments):
        lane = (sh.origin, sh.destination)
        if lane not in lanes:
            lanes[lane] = _candidates(lane, first_mile, last_mile, by_od)
        cands = lanes[lane]
        mine: list[int] = []
        if not cands:
            reasons[s] = (
                f"no departure from {sh.origin} to {sh.destination} in the timetable, directly or "
                "with a truck leg"
            )
            by_shipment.append(())
            continue
        stage = {"date": 0, "avoid": 0, "reefer": 0, "dg": 0, "fit": 0}
        teu, reefer, avoid = sh.teu_per_container, sh.reefer, sh.avoid_countries
        ready: dict[int, dt.date] = {}  # per first-mile trucking days
        for t, (truck_teu, od, ed) in cands.items():
            d = deps[t]
            if sh.pinned and d.departure_id != sh.booked_on:
                continue
            if od not in ready:
                ready[od] = sh.ready_date + dt.timedelta(days=od)
            if d.depart_date < ready[od]:
                continue
            stage["date"] += 1
            if avoid and not avoid.isdisjoint(d.countries):
                continue
            stage["avoid"] += 1
            if reefer and d.reefer_plugs == 0:
                continue
            stage["reefer"] += 1
            if sh.dg_class and not d.dg_allowed:
                continue
            stage["dg"] += 1
            n = max_containers(sh, d)
            if n == 0 or (not sh.split and n < sh.containers):
                continue
            stage["fit"] += 1
            arrival = arrivals[t] + dt.timedelta(days=ed) if ed else arrivals[t]
            late = max(0, (arrival - sh.due_date).days) if sh.due_date else 0
            rate = problem.rates.get((sh.shipment_id, d.departure_id), d.rate_per_teu)
            options.append(
                Option(
                    s=s,
                    t=t,
                    max_containers=n,
                    freight_per_container=rate * teu,
                    truck_per_container=truck_teu * teu,
                    late_days=late,
                    late_per_container=late * teu * sh.late_penalty_per_teu_day,
                    arrival_date=arrival,
                    stay_credit_per_container=(
                        sh.move_penalty_per_container if d.departure_id == sh.booked_on else 0.0
                    ),
                    co2e_cost_per_container=(
                        co2e_cost_per_container(problem, sh, d, co2_cache) if priced else 0.0
                    ),
                )
            )
            mine.append(len(options) - 1)
        by_shipment.append(tuple(mine))
        if not mine and sh.pinned:
            reasons[s] = f"pinned to departure {sh.booked_on}, which can no longer take it"
        elif not mine:
            last_day = max(deps[t].depart_date for t in cands)
            reasons[s] = _why_none(sh, stage, last_day, cands, deps)
    return Options(tuple(options), tuple(by_shipment), reasons)


def _candidates(
    lane: tuple[str, str],
    first_mile: dict[str, list[tuple[str, float, int]]],
    last_mile: dict[str, list[tuple[str, float, int]]],
    by_od: dict[tuple[str, str], list[int]],
) -> dict[int, tuple[float, int, int]]:
    """The departures a shipment of ``lane`` (origin, destination) may reach, directly or with
    a first-mile and / or last-mile truck leg, each by its cheapest way ``(truck cost per TEU,
    first-mile days, last-mile days)`` (direct beats trucking), in departure order."""
    origin, destination = lane
    starts = [(origin, 0.0, 0), *first_mile.get(origin, [])]
    ends = [(destination, 0.0, 0), *last_mile.get(destination, [])]
    cands: dict[int, tuple[float, int, int]] = {}
    for o, oc, od in starts:
        for e, ec, ed in ends:
            for t in by_od.get((o, e), ()):
                key = (oc + ec, od, ed)
                if t not in cands or key < cands[t]:
                    cands[t] = key
    return dict(sorted(cands.items()))


def co2e_cost_per_container(
    problem: Problem,
    sh: Shipment,
    d: Departure,
    cache: dict[tuple[object, ...], tuple[float, float]] | None = None,
) -> float:
    """``carbon price (USD/t) x WTW kg CO2e of one container / 1000``; 0 without a price or
    without the problem's factor table and network data."""
    price = problem.carbon_price_per_t
    factors, info = problem.emission_factors, problem.emission_network
    if price <= 0 or factors is None or info is None:
        return 0.0
    return price * per_container_wtw_kg(sh, d, info, factors, cache) / 1000.0


def _why_none(
    sh: Shipment,
    stage: dict[str, int],
    last_day: dt.date,
    cands: dict[int, tuple[float, int, int]],
    deps: tuple[Departure, ...],
) -> str:
    if stage["date"] == 0:
        return (
            f"no departure on the {sh.origin}-{sh.destination} corridor on or after the ready date "
            f"{sh.ready_date} (last one in the timetable: {last_day})"
        )
    if stage["avoid"] == 0:
        crossed = sorted({c for t in cands for c in deps[t].countries} & sh.avoid_countries)
        return (
            f"avoided countries {';'.join(sorted(sh.avoid_countries))} exclude every route "
            f"(all cross {';'.join(crossed)})"
        )
    if stage["reefer"] == 0:
        return f"no reefer plugs on any eligible departure for {sh.container_type} containers"
    if stage["dg"] == 0:
        return f"dangerous goods class {sh.dg_class} not allowed on any eligible departure"
    if not sh.split:
        return (
            f"split=false and no eligible departure can take all {sh.containers} containers "
            f"({sh.teu} TEU, {sh.containers * sh.gross_t:g} t) on one train"
        )
    return (
        f"one {sh.container_type} container ({sh.gross_t:g} t) does not fit any eligible "
        "departure's gross-tonne or TEU limit"
    )
