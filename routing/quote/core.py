"""``quote(request, capacity, context)``: the rail options of a request on what is left, best
first, with the sea and air alternatives. Pure: the capacity comes in as records (read from the
ledger or a plan folder by the caller), the network's data as a :class:`QuoteContext`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from network import Network
from routing.domain.co2 import FactorTable, net_route_info
from routing.domain.model import Shipment, network_truck_legs
from routing.quote.alternatives import alternatives
from routing.quote.rail import Candidate, QuoteContext, option, rail_candidates, truck_ends
from routing.quote.records import Capacity, Option, Quote, QuoteRequest
from routing.quote.tables import AlternativeTables, default_tables

#: how long a quote without a hold is valid, hours (it binds nothing: a hold does)
DEFAULT_VALID_HOURS = 24.0

SORT_KEYS: dict[str, Callable[[Option], tuple[object, ...]]] = {
    "price": lambda o: (o.total_usd, o.arrival_date, o.departure_id),
    "arrival": lambda o: (o.arrival_date, o.total_usd, o.departure_id),
    "co2": lambda o: (o.co2e_wtw_kg, o.total_usd, o.departure_id),
}


#: the same orders on a candidate (no CO2e yet): they pick the same ``top`` options
CANDIDATE_KEYS: dict[str, Callable[[Candidate], tuple[object, ...]]] = {
    "price": lambda c: (c.total_usd, c.arrival_date, c.departure_id),
    "arrival": lambda c: (c.arrival_date, c.total_usd, c.departure_id),
}


def _best(
    cands: list[Candidate], request: QuoteRequest, sh: Shipment, context: QuoteContext
) -> list[Option]:
    """The best ``request.top`` options in ``request.sort`` order. The price and arrival
    orders do not need the CO2e, so only the shown options get their chain; the CO2e order
    makes every option."""
    top, key = request.top, CANDIDATE_KEYS.get(request.sort)
    if key is None:
        every = [option(c, request, sh, context) for c in cands]
        return sorted(every, key=SORT_KEYS[request.sort])[:top]
    return [option(c, request, sh, context) for c in sorted(cands, key=key)[:top]]


def make_context(
    net: Network, factors: FactorTable, tables: AlternativeTables | None = None
) -> QuoteContext:
    """The shared data of every quote on ``net``: build once, quote many times."""
    first, last = truck_ends(network_truck_legs(net))
    return QuoteContext(
        info=net_route_info(net),
        factors=factors,
        tables=tables if tables is not None else default_tables(),
        first_mile=first,
        last_mile=last,
    )


def quote(
    request: QuoteRequest,
    capacity: Capacity,
    context: QuoteContext,
    *,
    now: dt.datetime | None = None,
    valid_hours: float = DEFAULT_VALID_HOURS,
) -> Quote:
    """The best ``request.top`` trains that take the whole request, in ``request.sort``
    order, the trains that do not and why, and the sea and air alternatives."""
    sh = request.shipment()
    cands, refusals, on_corridor = rail_candidates(request, sh, capacity, context)
    options = _best(cands, request, sh, context)
    made = now if now is not None else dt.datetime.now(dt.UTC)
    note = ""
    if not cands:
        note = (
            f"no train from {request.origin} to {request.destination} in the timetable, "
            "directly or with a truck leg"
            if on_corridor == 0
            else f"none of the {on_corridor} trains on the corridor takes the request on or "
            f"after {request.ready_date}"
            + (f" ({len(refusals)} refused, see --explain)" if refusals else "")
        )
    return Quote(
        request=request,
        options=tuple(options),
        eligible=len(cands),
        refusals=tuple(refusals),
        alternatives=alternatives(sh, context.info, context.tables, context.factors),
        made_at=made,
        valid_until=made + dt.timedelta(hours=valid_hours),
        version=capacity.version,
        source=capacity.source,
        note=note,
    )
