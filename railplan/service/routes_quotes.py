"""``/v1/quotes``: quote a request on what the ledger's trains have left (``railplan quote``),
optionally hold the best option; accept a held quote."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import Field

import network
from network import UnknownPlaceError
from railplan.ledger import Ledger
from railplan.ledger.holds import HoldLost, UnknownQuote
from railplan.ledger.quoting import hold_best
from railplan.service.auth import Caller, require
from railplan.service.errors import Problem
from railplan.service.models import IsoDate, _Model
from railplan.service.routes_jobs import ERRORS
from routing.domain.model import CONTAINER_TYPES
from routing.quote import SORTS, Quote, QuoteRequest, make_context, quote, quote_json
from routing.quote.rail import QuoteContext

router = APIRouter(prefix="/v1")
Planner = Annotated[Caller, Depends(require("planner"))]
#: the longest hold a quote may ask for, hours (two weeks: bookings open about 14 days ahead)
MAX_HOLD_HOURS = 14 * 24.0


class QuoteIn(_Model):
    """What ``railplan quote`` takes: places by id, English or Chinese name."""

    origin: str = Field(min_length=1, max_length=80)
    destination: str = Field(min_length=1, max_length=80)
    containers: int = Field(ge=1, le=100_000)
    container_type: Literal["20GP", "20RF", "40GP", "40HC", "40RF", "45HC"] = "40HC"
    gross_t: float | None = Field(default=None, gt=0, le=1000)
    ready_date: IsoDate
    due_date: IsoDate | None = None
    avoid_countries: list[Annotated[str, Field(pattern="^[A-Za-z]{2}$")]] = Field(
        default_factory=list, max_length=50
    )
    dg_class: str = Field(default="", max_length=20)
    top: int = Field(default=5, ge=1, le=1000)
    sort: str = "price"
    hold_hours: float | None = Field(default=None, gt=0, le=MAX_HOLD_HOURS)


def _request(body: QuoteIn, net: network.Network) -> QuoteRequest:
    problems = []
    ends = {}
    for field in ("origin", "destination"):
        try:
            ends[field] = net.resolve(getattr(body, field))
        except UnknownPlaceError as e:
            problems.append(f"{field}: {e}")
    ct = CONTAINER_TYPES[body.container_type]
    if body.gross_t is not None and body.gross_t > ct.max_gross_t:
        problems.append(
            f"gross_t: {body.gross_t:g}: expected at most {ct.max_gross_t:g} t per {ct.code} container"
        )
    if body.due_date is not None and body.due_date < body.ready_date:
        problems.append(
            f"due_date: {body.due_date}: expected a date on or after ready_date {body.ready_date}"
        )
    if body.sort not in SORTS:
        problems.append(f"sort: {body.sort!r}: expected one of {', '.join(SORTS)}")
    if problems:
        raise Problem(422, problems)
    return QuoteRequest(
        origin=ends["origin"],
        destination=ends["destination"],
        containers=body.containers,
        container_type=ct.code,
        gross_t=body.gross_t,
        ready_date=body.ready_date,
        due_date=body.due_date,
        avoid_countries=frozenset(c.upper() for c in body.avoid_countries),
        dg_class=body.dg_class.strip(),
        top=body.top,
        sort=body.sort,
    )


def _context(request: Request) -> QuoteContext:
    ctx: QuoteContext | None = getattr(request.app.state, "quote_context", None)
    if ctx is None:
        from routing.io.factors import load_factors

        ctx = make_context(request.app.state.net, load_factors())
        request.app.state.quote_context = ctx
    return ctx


def _hold(led: Ledger, q: Quote, hours: float, caller: Caller) -> dict[str, Any]:
    who = f"service:{caller.token_id or 'open'}"
    return hold_best(led, q, hours, who=who, customer=caller.customer or "")


@router.post("/quotes", response_model=dict[str, Any], responses=ERRORS)
def make_quote(request: Request, body: QuoteIn, caller: Planner) -> dict[str, Any]:
    """``railplan quote``: the trains that take the request (price, dates, CO2e), the
    refusals and the sea and air alternatives, on what the ledger has left; with
    ``hold_hours``, the best option is held (``held``: the quote id to accept)."""
    led: Ledger = request.app.state.ledger
    req = _request(body, request.app.state.net)
    cap = led.quote_capacity()
    if body.hold_hours:
        q = quote(req, cap, _context(request), valid_hours=body.hold_hours)
    else:
        q = quote(req, cap, _context(request))
    held = _hold(led, q, body.hold_hours, caller) if body.hold_hours and q.options else None
    return quote_json(q, held)


@router.post("/quotes/{quote_id}/accept", response_model=dict[str, Any], responses=ERRORS)
def accept_quote(request: Request, quote_id: str, caller: Planner) -> dict[str, Any]:
    """Confirm a held quote's bookings; ``409`` when the hold expired or its capacity went."""
    led: Ledger = request.app.state.ledger
    try:
        held = led.held_quote(quote_id)
        if caller.customer is not None:
            mine = {b.booking_id for b in led.bookings() if b.customer == caller.customer}
            if not set(held.booking_ids) <= mine:
                raise UnknownQuote([f"quote {quote_id}: unknown quote"])
        hq, version = led.accept_quote(quote_id, who=f"service:{caller.token_id or 'open'}")
    except UnknownQuote as e:
        raise Problem(404, e.problems) from None
    except HoldLost as e:
        raise Problem(409, e.problems) from None
    return {
        "quote_id": hq.quote_id,
        "state": hq.state,
        "departure_id": hq.departure_id,
        "containers": hq.containers,
        "booking_ids": list(hq.booking_ids),
        "price_usd": hq.price_cents / 100,
        "version": version,
    }


__all__ = ["router"]
