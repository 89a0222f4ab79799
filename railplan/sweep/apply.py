"""A scenario's problem: the base problem with the scenario's changes applied, in a fixed
order (demand, avoidance, extra trains, daily quotas, prices, then the re-planning events).

Demand scaling keeps every shipment's id and attributes and scales its containers:
``n' = floor(f n) + [u < f n - floor(f n)]``, with ``u`` in [0, 1) a hash of the shipment id,
so the expected total is ``f`` times the base's, small lots grow too, and the same scenario
gives the same batch wherever it runs. A shipment scaled to 0 containers leaves the batch.
Avoidance marks the shipments with ``u' < share`` (``u'`` another hash of the id)."""

from __future__ import annotations

import dataclasses
import hashlib
import math
from collections import defaultdict
from collections.abc import Sequence

from network import Departure, Network
from railplan.sweep.spec import AvoidRule, Changes, DemandRule, ExtraDeparture
from routing.domain.model import Problem, Shipment
from routing.domain.replan import apply_events


def unit(key: str) -> float:
    """A number in [0, 1) from ``key`` (SHA-256: the same on every machine and Python)."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:13], 16) / 16**13


def corridors(problem: Problem) -> dict[str, set[str]]:
    """Destination -> the corridors of the departures that reach it (by rail, or by rail and
    a last-mile truck leg)."""
    by_dest: dict[str, set[str]] = defaultdict(set)
    for d in problem.departures:
        if d.corridor:
            by_dest[d.destination].add(d.corridor)
    for leg in problem.truck_legs:
        if leg.origin in by_dest:
            by_dest[leg.destination] |= by_dest[leg.origin]
    return by_dest


def scale_demand(problem: Problem, rules: Sequence[DemandRule]) -> tuple[Shipment, ...]:
    """Every matching rule's factor applies (they multiply); see the module docstring."""
    if not rules:
        return problem.shipments
    by_dest = corridors(problem)
    out = []
    for s in problem.shipments:
        f = 1.0
        for r in rules:
            if (
                (not r.corridor or r.corridor in by_dest.get(s.destination, ()))
                and (not r.customer or r.customer == s.customer)
                and (not r.destination or r.destination == s.destination)
            ):
                f *= r.factor
        x = f * s.containers
        n = math.floor(x) + (unit(f"demand:{s.shipment_id}") < x - math.floor(x))
        if n >= 1:
            out.append(s if n == s.containers else dataclasses.replace(s, containers=n))
    return tuple(out)


def avoid(shipments: Sequence[Shipment], rule: AvoidRule | None) -> tuple[Shipment, ...]:
    if rule is None or rule.share <= 0:
        return tuple(shipments)
    codes = frozenset(rule.countries)
    return tuple(
        dataclasses.replace(s, avoid_countries=s.avoid_countries | codes)
        if unit(f"avoid:{s.shipment_id}") < rule.share
        else s
        for s in shipments
    )


def extra_trains(
    departures: Sequence[Departure], extra: Sequence[ExtraDeparture]
) -> tuple[Departure, ...]:
    """The departures with one copy of ``like`` on each extra date, id ``SERVICE-YYYYMMDD``
    (``+`` appended while that id is taken)."""
    by_id = {d.departure_id: d for d in departures}
    out = list(departures)
    for e in extra:
        like = by_id[e.like]
        new_id = f"{like.service_id or like.departure_id}-{e.date:%Y%m%d}"
        while new_id in by_id:
            new_id += "+"
        dep = dataclasses.replace(like, departure_id=new_id, depart_date=e.date)
        by_id[new_id] = dep
        out.append(dep)
    return tuple(out)


def scenario_problem(base: Problem, net: Network, changes: Changes) -> Problem:
    """The base with ``changes``; events that cannot apply raise
    :class:`routing.domain.replan.EventError`."""
    quota = dict(base.quota)
    quota.update(changes.border_quota)
    problem = dataclasses.replace(
        base,
        shipments=avoid(scale_demand(base, changes.demand), changes.avoid),
        departures=extra_trains(base.departures, changes.extra_departures),
        quota=quota,
        carbon_price_per_t=base.carbon_price_per_t
        if changes.carbon_price is None
        else changes.carbon_price,
        unassigned_penalty_per_teu=base.unassigned_penalty_per_teu
        if changes.unassigned_penalty is None
        else changes.unassigned_penalty,
    )
    if changes.events:
        problem = apply_events(problem, changes.events, net).problem
    return problem
