"""The rail options of a quote: every registered train on the asked corridor, checked against
what it has left.

A train ``d`` is on the corridor when its origin park is the request's origin or one truck leg
away from it (first mile), and its destination terminal is the request's destination or one
truck leg from it (last mile); the cheapest such pair of legs is taken, as in
:func:`routing.domain.options.build_options`. It is in the window when ``depart_date >=
ready_date + first-mile days``. It takes the request (all ``n`` containers, ``teu`` TEU,
``g`` t each) when, in this order (the first failure is its :class:`Refusal`): it is
scheduled; its route crosses no avoided country; a reefer request finds ``n`` free plugs;
dangerous goods are allowed; ``used_t + n g <= max_gross_t``; ``used_teu + n teu <=
capacity_teu``; and, when it carries nothing yet, its border port's day is below its quota
(the ledger's own rules, :mod:`railplan.ledger.changes`).

Price: freight ``rate x TEU`` (the contract rate of the departure or its service if one is
given, else the train's tariff), first and last mile ``cost_per_teu x TEU``. Arrival:
``depart_date + transit_days + last-mile days``; ``late_days = max(0, arrival - due)``. CO2e:
:func:`routing.domain.co2.chain` of the whole request on the train.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from network import Departure
from routing.domain.co2 import FactorTable, NetRouteInfo, chain, totals
from routing.domain.model import Shipment, TruckLeg
from routing.quote.records import Capacity, Option, QuoteRequest, Refusal, TrainUse
from routing.quote.tables import AlternativeTables

#: a way onto or off a train: (park or terminal, USD per TEU, days)
End = tuple[str, float, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class QuoteContext:
    """What every quote on one network shares: the network's link data and coordinates, the
    factor table, the alternatives' tables and the truck legs (by their two ends). Build it
    once (:func:`routing.quote.make_context`); ``cache`` keeps CO2e legs between quotes."""

    info: NetRouteInfo
    factors: FactorTable
    tables: AlternativeTables
    first_mile: Mapping[str, tuple[End, ...]]
    last_mile: Mapping[str, tuple[End, ...]]
    cache: dict[tuple[str, str, str], list[object]] = field(default_factory=dict, compare=False)


def truck_ends(
    legs: Iterable[TruckLeg],
) -> tuple[dict[str, tuple[End, ...]], dict[str, tuple[End, ...]]]:
    """Truck legs as first-mile ways by origin and last-mile ways by destination."""
    first: dict[str, list[End]] = defaultdict(list)
    last: dict[str, list[End]] = defaultdict(list)
    for leg in legs:
        first[leg.origin].append((leg.destination, leg.cost_per_teu, leg.days))
        last[leg.destination].append((leg.origin, leg.cost_per_teu, leg.days))
    return ({k: tuple(v) for k, v in first.items()}, {k: tuple(v) for k, v in last.items()})


def _ways(ctx: QuoteContext, req: QuoteRequest) -> dict[tuple[str, str], tuple[End, End]]:
    """The cheapest (first mile, last mile) onto each (park, terminal) pair."""
    starts = [(req.origin, 0.0, 0), *ctx.first_mile.get(req.origin, ())]
    ends = [(req.destination, 0.0, 0), *ctx.last_mile.get(req.destination, ())]
    out: dict[tuple[str, str], tuple[End, End]] = {}
    for s in starts:
        for e in ends:
            key = (s[0], e[0])
            if key not in out or s[1] + e[1] < out[key][0][1] + out[key][1][1]:
                out[key] = (s, e)
    return out


def _quota_problem(use: TrainUse, cap: Capacity) -> str | None:
    d = use.departure
    if use.active_bookings > 0 or not d.border_port:
        return None
    x = cap.crossings.get((d.border_port, d.border_date))
    quota = x.quota if x is not None else cap.quota.get(d.border_port)
    trains = x.trains if x is not None else 0
    if quota is not None and trains >= quota:
        return (
            f"border port {d.border_port} on {d.border_date} is at its quota "
            f"({trains} of {quota} trains) and this train carries nothing yet"
        )
    return None


def refusal(
    use: TrainUse, req: QuoteRequest, sh: Shipment, cap: Capacity
) -> tuple[str, str] | None:
    """Why ``use`` cannot take the whole request (code, sentence), or None when it can."""
    d, n = use.departure, req.containers
    if use.state != "scheduled":
        return use.state, f"the train is {use.state}"
    crossed = sorted(req.avoid_countries & set(d.countries))
    if crossed:
        return "avoided_countries", f"its route crosses {';'.join(crossed)}"
    if sh.reefer and d.reefer_plugs - use.used_plugs < n:
        if d.reefer_plugs == 0:
            return "reefer", f"no reefer plugs on this train, {n} needed"
        left = d.reefer_plugs - use.used_plugs
        return "reefer", f"{left} of {d.reefer_plugs} reefer plugs free, {n} needed"
    if req.dg_class and not d.dg_allowed:
        return "dangerous_goods", f"no dangerous goods (class {req.dg_class}) on this train"
    if d.max_gross_t is not None and use.used_gross_t + n * sh.gross_t > d.max_gross_t + 1e-9:
        left_t = d.max_gross_t - use.used_gross_t
        return (
            "too_heavy",
            f"{left_t:,.1f} of {d.max_gross_t:,.0f} t left, {n * sh.gross_t:,.1f} t needed",
        )
    if use.used_teu + req.teu > d.capacity_teu:
        left = d.capacity_teu - use.used_teu
        return "full", f"{left} of {d.capacity_teu} TEU left, {req.teu} TEU needed"
    q = _quota_problem(use, cap)
    return ("quota", q) if q else None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A train that takes the request, with what the sort orders need but its CO2e: the
    :class:`Option` (with the CO2e chain, the costly part) is made only for the options a
    quote shows (:func:`option`)."""

    use: TrainUse
    way: tuple[End, End]
    contract: float | None
    total_usd: float
    arrival_date: dt.date

    @property
    def departure_id(self) -> str:
        return self.use.departure.departure_id


def _candidate(use: TrainUse, req: QuoteRequest, way: tuple[End, End], cap: Capacity) -> Candidate:
    d = use.departure
    (_, first_teu, _), (_, last_teu, last_days) = way
    contract = cap.rates.get(d.departure_id, cap.rates.get(d.service_id))
    rate = d.rate_per_teu if contract is None else contract
    return Candidate(
        use=use,
        way=way,
        contract=contract,
        total_usd=rate * req.teu + first_teu * req.teu + last_teu * req.teu,
        arrival_date=d.arrival_date + dt.timedelta(days=last_days),
    )


def option(c: Candidate, req: QuoteRequest, sh: Shipment, ctx: QuoteContext) -> Option:
    """The full option of a candidate train, its CO2e chain included."""
    use, d = c.use, c.use.departure
    (_, first_teu, _), (_, last_teu, _) = c.way
    rate = d.rate_per_teu if c.contract is None else c.contract
    arrival = c.arrival_date
    freight, first, last = rate * req.teu, first_teu * req.teu, last_teu * req.teu
    wtw, ttw = totals(chain(sh, d, ctx.info, ctx.factors, cache=ctx.cache))  # type: ignore[arg-type]
    total = freight + first + last
    return Option(
        departure_id=d.departure_id,
        service_id=d.service_id,
        corridor=d.corridor,
        origin_park=d.origin,
        destination_terminal=d.destination,
        depart_date=d.depart_date,
        border_port=d.border_port,
        border_date=d.border_date if d.border_port else None,
        arrival_date=arrival,
        transit_days=(arrival - d.depart_date).days,
        late_days=max(0, (arrival - req.due_date).days) if req.due_date else 0,
        rate_per_teu_usd=rate,
        rate_basis="tariff" if c.contract is None else "contract",
        freight_usd=freight,
        first_mile_usd=first,
        last_mile_usd=last,
        total_usd=total,
        per_container_usd=total / req.containers,
        runs=use.used_teu >= d.min_load_teu and use.active_bookings > 0,
        teu_to_minimum=max(0, d.min_load_teu - use.used_teu - req.teu),
        left_teu_after=d.capacity_teu - use.used_teu - req.teu,
        co2e_wtw_kg=wtw,
        co2e_ttw_kg=ttw,
    )


def rail_candidates(
    req: QuoteRequest, sh: Shipment, cap: Capacity, ctx: QuoteContext
) -> tuple[list[Candidate], list[Refusal], int]:
    """The trains on the corridor in the window that take the request (as candidates, in the
    capacity's order), those that do not and why, and how many trains are on the corridor at
    all (in or out of the window)."""
    ways = _ways(ctx, req)
    candidates: list[Candidate] = []
    refusals: list[Refusal] = []
    on_corridor = 0
    for use in cap.trains:
        d: Departure = use.departure
        way = ways.get((d.origin, d.destination))
        if way is None:
            continue
        on_corridor += 1
        if d.depart_date < req.ready_date + dt.timedelta(days=way[0][2]):
            continue
        why = refusal(use, req, sh, cap)
        if why is None:
            candidates.append(_candidate(use, req, way, cap))
        else:
            refusals.append(
                Refusal(
                    departure_id=d.departure_id,
                    depart_date=d.depart_date,
                    code=why[0],
                    reason=why[1],
                )
            )
    return candidates, refusals, on_corridor
