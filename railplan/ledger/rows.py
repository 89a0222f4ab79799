"""The ledger's tables and their rows: ``departures``/``bookings`` rows to and from records.

The low level that the read path (:mod:`railplan.ledger.reads`), the write path
(:mod:`railplan.ledger.changes`) and the log (:mod:`railplan.ledger.replay`) share; no SQL is
run here. A row is a mapping of column to value; values read back from the event log's JSON
are ISO text, :func:`norm` turns them (and the database's naive datetimes) into one form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Table

from network import Departure
from railplan.ledger.records import (
    Booking,
    Crossing,
    DepartureRecord,
    Usage,
    cents,
    kilograms,
)
from railplan.ledger.schema import (
    BookingRow,
    CrossingRow,
    DepartureRow,
    EventRow,
    Meta,
    VersionRow,
)

DEP = cast(Table, DepartureRow.__table__)
BOOK = cast(Table, BookingRow.__table__)
CROSS = cast(Table, CrossingRow.__table__)
VER = cast(Table, VersionRow.__table__)
EVT = cast(Table, EventRow.__table__)
META = cast(Table, Meta.__table__)

#: the columns of ``departures`` that the log records (limits and state; not the usage)
DEPARTURE_FIELDS = (
    "departure_id",
    "origin",
    "destination",
    "border_port",
    "depart_date",
    "border_offset_days",
    "transit_days",
    "capacity_teu",
    "max_gross_kg",
    "fixed_cost_cents",
    "rate_per_teu_cents",
    "min_load_teu",
    "reefer_plugs",
    "dg_allowed",
    "service_id",
    "corridor",
    "route",
    "countries",
    "state",
)
DATE_FIELDS = {"depart_date", "ready_date", "due_date", "day"}
DATETIME_FIELDS = {"hold_until", "at"}
#: what every active booking of one shipment shares (the shipment's own attributes)
SHIPMENT_FIELDS = (
    "customer",
    "container_type",
    "gross_kg",
    "origin",
    "destination",
    "ready_date",
    "due_date",
    "late_penalty_cents_per_teu_day",
    "split",
    "avoid_countries",
    "dg_class",
)


def aware(t: dt.datetime) -> dt.datetime:
    """``t`` with UTC as its zone if it has none (SQLite hands back naive datetimes)."""
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


def iso(v: Any) -> Any:
    """A value as the event log's JSON holds it: dates and datetimes as ISO text."""
    return v.isoformat() if isinstance(v, dt.date | dt.datetime) else v


def norm(k: str, v: Any) -> Any:
    """A column's value in one comparable form (dates as date, datetimes aware UTC)."""
    if v is None:
        return None
    if k in DATETIME_FIELDS:
        t = dt.datetime.fromisoformat(v) if isinstance(v, str) else v
        return aware(t).astimezone(dt.UTC)
    if k in DATE_FIELDS:
        return dt.date.fromisoformat(v) if isinstance(v, str) else v
    return v


def normed(row: Mapping[Any, Any]) -> dict[str, Any]:
    """Every column of ``row`` through :func:`norm`."""
    return {k: norm(k, v) for k, v in row.items()}


def border_day(r: Mapping[Any, Any]) -> dt.date:
    """The day a train reaches its border port: ``depart_date + border_offset_days``."""
    return norm("depart_date", r["depart_date"]) + dt.timedelta(days=r["border_offset_days"])  # type: ignore[no-any-return]


def departure_row(d: Departure) -> dict[str, Any]:
    """A :class:`network.Departure` as a ``departures`` row (limits; no usage)."""
    return {
        "departure_id": d.departure_id,
        "origin": d.origin,
        "destination": d.destination,
        "border_port": d.border_port,
        "depart_date": d.depart_date,
        "border_offset_days": d.border_offset_days,
        "transit_days": d.transit_days,
        "capacity_teu": d.capacity_teu,
        "max_gross_kg": None if d.max_gross_t is None else kilograms(d.max_gross_t),
        "fixed_cost_cents": cents(d.fixed_cost),
        "rate_per_teu_cents": cents(d.rate_per_teu),
        "min_load_teu": d.min_load_teu,
        "reefer_plugs": d.reefer_plugs,
        "dg_allowed": d.dg_allowed,
        "service_id": d.service_id,
        "corridor": d.corridor,
        "route": ";".join(d.route),
        "countries": ";".join(d.countries),
    }


def departure_from_row(r: Mapping[Any, Any]) -> Departure:
    """A ``departures`` row as the planner's :class:`network.Departure` (the inverse of
    :func:`departure_row`: kilograms to tonnes, cents to USD)."""
    return Departure(
        departure_id=r["departure_id"],
        origin=r["origin"],
        destination=r["destination"],
        border_port=r["border_port"],
        depart_date=norm("depart_date", r["depart_date"]),
        border_offset_days=r["border_offset_days"],
        transit_days=r["transit_days"],
        capacity_teu=r["capacity_teu"],
        max_gross_t=None if r["max_gross_kg"] is None else r["max_gross_kg"] / 1000,
        fixed_cost=r["fixed_cost_cents"] / 100,
        rate_per_teu=r["rate_per_teu_cents"] / 100,
        min_load_teu=r["min_load_teu"],
        reefer_plugs=r["reefer_plugs"],
        dg_allowed=bool(r["dg_allowed"]),
        service_id=r["service_id"],
        corridor=r["corridor"],
        route=tuple(filter(None, r["route"].split(";"))),
        countries=tuple(filter(None, r["countries"].split(";"))),
    )


def departure_record(r: Mapping[Any, Any]) -> DepartureRecord:
    """A ``departures`` row as a :class:`DepartureRecord` (the train, its state and usage)."""
    return DepartureRecord(
        departure=departure_from_row(r),
        state=r["state"],
        used_teu=r["used_teu"],
        used_kg=r["used_kg"],
        used_plugs=r["used_plugs"],
        active_bookings=r["active_bookings"],
    )


def booking_from_row(r: Mapping[Any, Any]) -> Booking:
    """A ``bookings`` row (or a ``booking`` event's payload) as a :class:`Booking`."""
    n = normed(r)
    return Booking(
        booking_id=n["booking_id"],
        shipment_id=n["shipment_id"],
        customer=n["customer"],
        containers=n["containers"],
        container_type=n["container_type"],
        gross_kg=n["gross_kg"],
        origin=n["origin"],
        destination=n["destination"],
        ready_date=n["ready_date"],
        due_date=n["due_date"],
        late_penalty_cents_per_teu_day=n["late_penalty_cents_per_teu_day"],
        split=bool(n["split"]),
        avoid_countries=frozenset(filter(None, n["avoid_countries"].split(";"))),
        dg_class=n["dg_class"],
        departure_id=n["departure_id"],
        state=n["state"],
        pinned=bool(n["pinned"]),
        hold_until=n["hold_until"],
        rate_per_teu_cents=n["rate_per_teu_cents"],
        price_cents=n["price_cents"],
        created_version=n["created_version"],
        updated_version=n["updated_version"],
    )


def crossing_from_row(r: Mapping[Any, Any]) -> Crossing:
    """A ``crossings`` row as a :class:`Crossing`."""
    return Crossing(port=r["port"], day=r["day"], trains=r["trains"], quota=r["quota"])


def usage_from_row(r: Mapping[Any, Any], by_state: Mapping[str, int]) -> Usage:
    """A ``departures`` row's limits and counters as a :class:`Usage`; ``by_state`` is the
    train's TEU per booking state (confirmed and held are reported apart)."""
    return Usage(
        departure_id=r["departure_id"],
        state=r["state"],
        teu=r["used_teu"],
        capacity_teu=r["capacity_teu"],
        gross_kg=r["used_kg"],
        max_gross_kg=r["max_gross_kg"],
        plugs=r["used_plugs"],
        reefer_plugs=r["reefer_plugs"],
        bookings=r["active_bookings"],
        confirmed_teu=by_state.get("confirmed", 0),
        held_teu=by_state.get("held", 0),
    )
