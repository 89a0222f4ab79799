"""The ledger over HTTP: trains (capacity sold and left), status, bookings, the network as
GeoJSON, the timetable, and tokens (admins only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request

import network
from network import Departure
from railplan.ledger import Booking, BookingRequest, Ledger, Refused, TokenInfo, Usage
from railplan.ledger.train_reads import train_usage
from railplan.service.auth import Caller, require
from railplan.service.errors import Problem
from railplan.service.models import (
    BookingIn,
    BookingList,
    BookingOut,
    CrossingOut,
    DepartureOut,
    IsoDate,
    StatusOut,
    Timetable,
    TokenCreated,
    TokenIn,
    TokenList,
    TokenOut,
    TrainList,
    TrainOut,
)
from railplan.service.routes_jobs import ERRORS

router = APIRouter(prefix="/v1")
Viewer = Annotated[Caller, Depends(require("viewer"))]
Planner = Annotated[Caller, Depends(require("planner"))]
Admin = Annotated[Caller, Depends(require("admin"))]


def _ledger(request: Request) -> Ledger:
    led: Ledger = request.app.state.ledger
    return led


def _departures(request: Request, ids: set[str]) -> dict[str, Departure]:
    """The registered trains' fixed data (id, ends, port, date), kept by the app: a
    registered train's limits never change (the ledger refuses other limits), so only a train
    not seen before is read again."""
    known: dict[str, Departure] = request.app.state.departures
    if ids - set(known):
        known.update({d.departure_id: d.departure for d in _ledger(request).departures()})
    return known


def _train_out(u: Usage, d: Departure) -> TrainOut:
    return TrainOut(
        departure_id=u.departure_id,
        state=u.state,
        origin=d.origin,
        destination=d.destination,
        border_port=d.border_port,
        depart_date=d.depart_date,
        capacity_teu=u.capacity_teu,
        sold_teu=u.confirmed_teu,
        held_teu=u.held_teu,
        left_teu=u.capacity_teu - u.teu,
        gross_t=u.gross_kg / 1000,
        max_gross_t=None if u.max_gross_kg is None else u.max_gross_kg / 1000,
        reefer_plugs_used=u.plugs,
        reefer_plugs=u.reefer_plugs,
        bookings=u.bookings,
    )


def _trains(request: Request, usages: Iterable[Usage]) -> list[TrainOut]:
    us = sorted(usages, key=lambda u: u.departure_id)
    deps = _departures(request, {u.departure_id for u in us})
    return [_train_out(u, deps[u.departure_id]) for u in us if u.departure_id in deps]


@router.get("/trains", response_model=TrainList, responses=ERRORS)
def list_trains(
    request: Request,
    _caller: Viewer,
    state: Literal["scheduled", "cancelled", "departed"] | None = None,
) -> TrainList:
    """Every registered train with the capacity sold (confirmed), held and left."""
    used = _ledger(request).used_capacity()
    trains = [t for t in _trains(request, used.trains.values()) if state in (None, t.state)]
    return TrainList(version=used.version, trains=trains)


@router.get("/trains/{departure_id}", response_model=TrainOut, responses=ERRORS)
def get_train(request: Request, departure_id: str, _caller: Viewer) -> TrainOut:
    got = train_usage(request.app.state.jobs, departure_id)
    if got is False:  # an expired quote hold: the ledger's own read releases it first
        u = _ledger(request).used_capacity().trains.get(departure_id)
        if u is None:
            raise Problem(404, [f"departure {departure_id}: no such train in the ledger"])
        return _trains(request, [u])[0]
    if got is None or got is True:
        raise Problem(404, [f"departure {departure_id}: no such train in the ledger"])
    rec, usage = got
    return _train_out(usage, rec.departure)


@router.get("/ledger/status", response_model=StatusOut, responses=ERRORS)
def ledger_status(request: Request, _caller: Viewer) -> StatusOut:
    """``railplan ledger status``: trains, crossings per port and day, bookings by state."""
    st = _ledger(request).status()
    return StatusOut(
        version=st.version,
        bookings=dict(st.bookings),
        trains=_trains(request, st.trains),
        crossings=[CrossingOut(**c) for c in st.as_json()["crossings"]],
    )


def booking_out(b: Booking) -> BookingOut:
    return BookingOut(
        booking_id=b.booking_id,
        shipment_id=b.shipment_id,
        customer=b.customer,
        departure_id=b.departure_id,
        containers=b.containers,
        container_type=b.container_type,
        teu=b.teu,
        gross_t=b.gross_t,
        origin=b.origin,
        destination=b.destination,
        ready_date=b.ready_date,
        due_date=b.due_date,
        state=b.state,
        hold_until=b.hold_until,
        price_usd=b.price_cents / 100,
        created_version=b.created_version,
        updated_version=b.updated_version,
    )


@router.get("/bookings", response_model=BookingList, responses=ERRORS)
def list_bookings(
    request: Request,
    caller: Viewer,
    state: Literal["held", "confirmed", "cancelled"] | None = None,
    departure_id: str | None = None,
    shipment_id: str | None = None,
) -> BookingList:
    """The bookings, by id (a customer's token: only that customer's)."""
    bs = _ledger(request).bookings(state, departure_id=departure_id, shipment_id=shipment_id)
    return BookingList(bookings=[booking_out(b) for b in bs if caller.sees(b.customer)])


def _visible_booking(led: Ledger, booking_id: str, caller: Caller) -> Booking:
    for b in led.bookings():
        if b.booking_id == booking_id and caller.sees(b.customer):
            return b
    raise Problem(404, [f"booking {booking_id}: no such booking"])


@router.get("/bookings/{booking_id}", response_model=BookingOut, responses=ERRORS)
def get_booking(request: Request, booking_id: str, caller: Viewer) -> BookingOut:
    return booking_out(_visible_booking(_ledger(request), booking_id, caller))


def _request(body: BookingIn, caller: Caller, led: Ledger) -> BookingRequest:
    customer = body.customer
    if caller.customer is not None:
        if customer and customer != caller.customer:
            raise Problem(403, [f"this token books for {caller.customer!r} only, not {customer!r}"])
        customer = caller.customer
    train = next((d for d in led.departures() if d.departure_id == body.departure_id), None)
    if train is None:
        raise Refused([f"departure {body.departure_id}: unknown departure"])
    dep = train.departure
    hold_until = None
    if body.held or body.hold_minutes is not None:
        minutes = body.hold_minutes or 60
        hold_until = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)
    return BookingRequest(
        shipment_id=body.shipment_id,
        departure_id=body.departure_id,
        containers=body.containers,
        container_type=body.container_type,
        gross_t=body.gross_t,
        origin=body.origin or dep.origin,
        destination=body.destination or dep.destination,
        ready_date=body.ready_date or dep.depart_date,
        due_date=body.due_date,
        customer=customer,
        dg_class=body.dg_class,
        avoid_countries=frozenset(c.upper() for c in body.avoid_countries),
        held=hold_until is not None,
        hold_until=hold_until,
    )


@router.post("/bookings", status_code=201, response_model=BookingOut, responses=ERRORS)
def create_booking(request: Request, body: BookingIn, caller: Planner) -> BookingOut:
    """``railplan ledger book``: a confirmed booking (or held, with ``held``/``hold_minutes``);
    ``409`` with the reasons when it does not fit (TEU, tonnes, plugs, quota, train state)."""
    led = _ledger(request)
    try:
        req = _request(body, caller, led)
    except ValueError as e:
        raise Problem(422, [str(e)]) from None
    b = led.book(req, who=f"service:{caller.token_id or 'open'}")
    return booking_out(b)


@router.delete("/bookings/{booking_id}", response_model=BookingOut, responses=ERRORS)
def cancel_booking(request: Request, booking_id: str, caller: Planner) -> BookingOut:
    """Cancel a held or confirmed booking (its capacity is free again)."""
    led = _ledger(request)
    _visible_booking(led, booking_id, caller)
    return booking_out(led.cancel(booking_id, who=f"service:{caller.token_id or 'open'}"))


@router.get("/network", responses=ERRORS | {200: {"content": {"application/geo+json": {}}}})
def network_geojson(request: Request, _caller: Viewer) -> dict[str, Any]:
    """The network as a GeoJSON FeatureCollection: a Point per node, a LineString per link."""
    net: network.Network = request.app.state.net
    feats: list[dict[str, Any]] = []
    for n in net.nodes.values():
        props: dict[str, Any] = {
            "id": n.id,
            "name_en": n.name_en,
            "name_zh": n.name_zh,
            "kind": n.kind,
        }
        props |= {"country": n.country, "trains_per_day": n.trains_per_day}
        geom = {"type": "Point", "coordinates": [n.lon, n.lat]}
        feats.append({"type": "Feature", "geometry": geom, "properties": props})
    for lk in net.links:
        a, b = net.nodes[lk.a], net.nodes[lk.b]
        line = {"type": "LineString", "coordinates": [[a.lon, a.lat], [b.lon, b.lat]]}
        link: dict[str, Any] = {
            "a": lk.a,
            "b": lk.b,
            "mode": lk.mode,
            "distance_km": lk.distance_km,
        }
        feats.append({"type": "Feature", "geometry": line, "properties": link})
    return {"type": "FeatureCollection", "features": feats}


@router.get("/timetable", response_model=Timetable, responses=ERRORS)
def timetable(
    request: Request,
    _caller: Viewer,
    start: IsoDate,
    days: Annotated[int, Query(ge=1, le=366)] = 28,
    scope: Literal["shanxi", "national", "all"] = "shanxi",
) -> Timetable:
    """``railplan timetable``: the dated departures of the window (none outside the years
    2000-2100, the calendar of every batch file)."""
    net: network.Network = request.app.state.net
    first, last = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
    inside = first <= start and start + dt.timedelta(days=days - 1) <= last
    deps = net.departures(start, days, scope=scope) if inside else []
    return Timetable(
        departures=[
            DepartureOut(
                departure_id=d.departure_id,
                service_id=d.service_id,
                origin=d.origin,
                destination=d.destination,
                border_port=d.border_port,
                depart_date=d.depart_date,
                transit_days=d.transit_days,
                capacity_teu=d.capacity_teu,
                corridor=d.corridor,
            )
            for d in deps
        ]
    )


def token_out(t: TokenInfo) -> TokenOut:
    return TokenOut(
        token_id=t.token_id,
        role=t.role,
        customer=t.customer,
        name=t.name,
        created_at=t.created_at,
        revoked_at=t.revoked_at,
    )


@router.get("/tokens", response_model=TokenList, responses=ERRORS)
def list_tokens(request: Request, _caller: Admin) -> TokenList:
    return TokenList(tokens=[token_out(t) for t in request.app.state.tokens.tokens()])


@router.post("/tokens", status_code=201, response_model=TokenCreated, responses=ERRORS)
def create_token(request: Request, body: TokenIn, _caller: Admin) -> TokenCreated:
    """A new token; its secret is in this answer only."""
    store = request.app.state.tokens
    token = store.create(body.role, customer=body.customer, name=body.name)
    info = store.verify(token)
    assert info is not None
    return TokenCreated(token=token, **token_out(info).model_dump())


@router.delete("/tokens/{token_id}", response_model=TokenOut, responses=ERRORS)
def revoke_token(request: Request, token_id: str, _caller: Admin) -> TokenOut:
    try:
        return token_out(request.app.state.tokens.revoke(token_id))
    except Refused as e:
        raise Problem(404, e.problems) from None


__all__ = ["router"]
