"""Why a shipment has no eligible departure at all, re-derived from the inputs rule by rule
(the rules of :func:`routing.domain.options.build_options`, written out again so that the
explanation checks the optimiser's eligibility rather than repeating it).

A departure ``d`` can take shipment ``s`` when it is *reachable* (origin and destination match,
directly or through one truck leg) and every rule holds:

* ``date``: ``depart_date >= ready_date + first-mile days``;
* ``avoid``: ``countries(d) ∩ avoid_countries(s) = ∅``;
* ``reefer``: a reefer shipment needs ``reefer_plugs(d) > 0``;
* ``dg``: a dangerous-goods shipment needs ``dg_allowed(d)``;
* ``fit``: one container fits the train's TEU and gross-tonne limits;
* ``lot``: a split=false lot fits the train whole;
* ``pinned``: a pinned lot rides its own train only.

A rule is the *sole blocker* when some reachable departure passes every other rule; relaxing
it alone must then carry the shipment, which the re-solve checks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from network import Departure
from routing.domain.model import CONTAINER_TYPES, Problem, Shipment
from routing.domain.rules import train_fit

#: a reefer type and the dry type of the same size that stands in for it when the reefer rule
#: is relaxed
DRY_TWIN = {"20RF": "20GP", "40RF": "40HC"}

Rule = Callable[[Shipment, Departure, int], bool]


def reachable(problem: Problem, sh: Shipment) -> list[tuple[int, int]]:
    """The departures whose origin and destination match the shipment's, directly or with one
    first-mile and/or last-mile truck leg: (departure index, first-mile days), the fewest days
    first."""
    firsts = [(sh.origin, 0)] + [
        (leg.destination, leg.days) for leg in problem.truck_legs if leg.origin == sh.origin
    ]
    ends = {sh.destination} | {
        leg.origin for leg in problem.truck_legs if leg.destination == sh.destination
    }
    out: dict[int, int] = {}
    for t, d in enumerate(problem.departures):
        if d.destination not in ends:
            continue
        for o, days in firsts:
            if d.origin == o and (t not in out or days < out[t]):
                out[t] = days
    return sorted(out.items())


def _fits(sh: Shipment, d: Departure) -> int:
    return train_fit(d, teu=sh.teu_per_container, gross_t=sh.gross_t, reefer=sh.reefer)


RULES: dict[str, Rule] = {
    "NO_DEPARTURE_IN_WINDOW": lambda sh, d, od: (
        d.depart_date >= sh.ready_date + dt.timedelta(days=od)
    ),
    "AVOIDED_COUNTRY": lambda sh, d, _od: not (sh.avoid_countries & set(d.countries)),
    "REEFER_PLUGS": lambda sh, d, _od: not sh.reefer or d.reefer_plugs > 0,
    "DANGEROUS_GOODS": lambda sh, d, _od: not sh.dg_class or d.dg_allowed,
    "TOO_HEAVY": lambda sh, d, _od: (
        train_fit(d, teu=sh.teu_per_container, gross_t=sh.gross_t, reefer=False) > 0
    ),
    "LOT_TOO_LARGE": lambda sh, d, _od: sh.split or _fits(sh, d) >= sh.containers,
    "PINNED": lambda sh, d, _od: not sh.pinned or d.departure_id == sh.booked_on,
}


def failing(problem: Problem, sh: Shipment) -> dict[str, int]:
    """Per rule, the reachable departures it refuses (rules that refuse none are left out)."""
    out: dict[str, int] = {}
    for t, od in reachable(problem, sh):
        d = problem.departures[t]
        for code, ok in RULES.items():
            if not ok(sh, d, od):
                out[code] = out.get(code, 0) + 1
    return out


def sole_blockers(problem: Problem, sh: Shipment) -> list[str]:
    """The rules each of which alone keeps the shipment off some reachable departure that
    passes every other rule."""
    out = []
    for t, od in reachable(problem, sh):
        d = problem.departures[t]
        bad = [code for code, ok in RULES.items() if not ok(sh, d, od)]
        if len(bad) == 1 and bad[0] not in out:
            out.append(bad[0])
    return [c for c in RULES if c in out]


def relax(problem: Problem, sh: Shipment, codes: list[str]) -> Shipment:
    """The shipment with the rules ``codes`` lifted: its ready date moved back to its first
    reachable departure, no avoided country, a dry box for a reefer, no dangerous goods, its
    mass cut to what the lightest-limited train takes, split allowed, unpinned."""
    out = sh
    for code in codes:
        if code == "NO_DEPARTURE_IN_WINDOW":
            firsts = [
                problem.departures[t].depart_date - dt.timedelta(days=od)
                for t, od in reachable(problem, sh)
            ]
            out = dataclasses.replace(out, ready_date=min([out.ready_date, *firsts]))
        elif code == "AVOIDED_COUNTRY":
            out = dataclasses.replace(out, avoid_countries=frozenset())
        elif code == "REEFER_PLUGS" and out.container_type in DRY_TWIN:
            out = dataclasses.replace(out, container_type=DRY_TWIN[out.container_type])
        elif code == "DANGEROUS_GOODS":
            out = dataclasses.replace(out, dg_class="")
        elif code == "TOO_HEAVY":
            limits = [
                problem.departures[t].max_gross_t or CONTAINER_TYPES[out.container_type].max_gross_t
                for t, _ in reachable(problem, sh)
            ]
            out = dataclasses.replace(out, gross_t=min(out.gross_t, max(limits, default=1.0)))
        elif code == "LOT_TOO_LARGE":
            out = dataclasses.replace(out, split=True)
        elif code == "PINNED":
            out = dataclasses.replace(out, pinned=False)
    return out
