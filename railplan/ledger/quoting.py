"""A quote's best option held in the ledger: what ``railplan quote --hold`` and the service's
``POST /v1/quotes`` with ``hold_hours`` both do."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any

from railplan.ledger.records import BookingRequest
from routing.quote import jsonable

if TYPE_CHECKING:
    from railplan.ledger.ledger import Ledger
    from routing.quote import Quote


def hold_best(
    led: Ledger, q: Quote, hours: float, *, who: str, customer: str | None = None
) -> dict[str, Any]:
    """Hold ``q``'s best option for ``hours`` (whole seconds) under a new quote id ``Q...``;
    ``customer`` replaces the request's. Returns the hold as JSON: quote id, departure,
    containers, ``hold_until``, booking ids and price."""
    o, r = q.options[0], q.request
    qid = f"Q{secrets.token_hex(5).upper()}"
    until = (led.clock() + dt.timedelta(hours=hours)).replace(microsecond=0)
    sh = dataclasses.replace(r.shipment(), shipment_id=qid)
    if customer is not None:
        sh = dataclasses.replace(sh, customer=customer)
    req = BookingRequest.from_shipment(
        sh,
        o.departure_id,
        r.containers,
        held=True,
        hold_until=until,
        rate_per_teu=o.rate_per_teu_usd,
        price=o.total_usd,
    )
    hq = led.hold_quote(
        req,
        quote_id=qid,
        details=jsonable(dataclasses.asdict(r)),  # type: ignore[arg-type]
        option=jsonable(dataclasses.asdict(o)),  # type: ignore[arg-type]
        who=who,
    )
    return {
        "quote_id": hq.quote_id,
        "departure_id": hq.departure_id,
        "containers": hq.containers,
        "hold_until": until.isoformat(),
        "booking_ids": list(hq.booking_ids),
        "price_usd": hq.price_cents / 100,
    }
