"""The ledger's reads: one function per query, each run by :class:`Ledger` inside one read
transaction (a consistent snapshot: REPEATABLE READ on PostgreSQL, a deferred transaction on
SQLite), so a read that runs several queries sees one version of the ledger."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from railplan.ledger.errors import Refused
from railplan.ledger.records import Booking, Crossing, DepartureRecord, UsedCapacity, VersionInfo
from railplan.ledger.rows import (
    BOOK,
    CROSS,
    DEP,
    EVT,
    VER,
    aware,
    booking_from_row,
    crossing_from_row,
    departure_record,
    usage_from_row,
)
from railplan.ledger.versions import read_version


def departures(c: Connection, state: str | None) -> list[DepartureRecord]:
    """The registered trains (of ``state`` if given), by departure date and id."""
    s = select(DEP).order_by(DEP.c.depart_date, DEP.c.departure_id)
    if state is not None:
        s = s.where(DEP.c.state == state)
    return [departure_record(r) for r in c.execute(s).mappings()]


def bookings(
    c: Connection,
    states: Sequence[str] | None,
    departure_id: str | None,
    shipment_id: str | None,
) -> list[Booking]:
    """The bookings (of ``states``, on ``departure_id``, of ``shipment_id`` where given), in
    the order they were made: by creating version, then id."""
    s = select(BOOK).order_by(BOOK.c.created_version, BOOK.c.booking_id)
    if states is not None:
        s = s.where(BOOK.c.state.in_(states))
    if departure_id is not None:
        s = s.where(BOOK.c.departure_id == departure_id)
    if shipment_id is not None:
        s = s.where(BOOK.c.shipment_id == shipment_id)
    return [booking_from_row(r) for r in c.execute(s).mappings()]


def booking(c: Connection, booking_id: str) -> Booking:
    """One booking; :class:`Refused` if there is none of that id."""
    r = c.execute(select(BOOK).where(BOOK.c.booking_id == booking_id)).mappings().first()
    if r is None:
        raise Refused([f"booking {booking_id}: unknown booking"])
    return booking_from_row(r)


def booking_states(c: Connection) -> list[str]:
    """The state of every booking (one entry per booking)."""
    return list(c.execute(select(BOOK.c.state)).scalars())


def crossings(c: Connection) -> list[Crossing]:
    """Every border port and day, by day and port."""
    rows = c.execute(select(CROSS).order_by(CROSS.c.day, CROSS.c.port)).mappings()
    return [crossing_from_row(r) for r in rows]


def versions(c: Connection) -> list[VersionInfo]:
    """The version rows, oldest first."""
    rows = c.execute(select(VER).order_by(VER.c.version)).mappings()
    return [
        VersionInfo(
            version=r["version"],
            parent=r["parent"],
            kind=r["kind"],
            who=r["who"],
            at=aware(r["at"]),
            inputs_hash=r["inputs_hash"],
            objective_cents=r["objective_cents"],
        )
        for r in rows
    ]


def events(c: Connection) -> list[dict[str, Any]]:
    """The event log in order: id, version, at (aware), kind, payload."""
    rows = c.execute(select(EVT).order_by(EVT.c.id)).mappings()
    return [{**dict(r), "at": aware(r["at"])} for r in rows]


def _teu_by_state(c: Connection) -> dict[str, dict[str, int]]:
    """Per departure and booking state: the TEU booked (``containers * teu_per_container``)."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in c.execute(
        select(BOOK.c.departure_id, BOOK.c.state, BOOK.c.containers, BOOK.c.teu_per_container)
    ):
        out[r[0]][r[1]] += r[2] * r[3]
    return out


def used_capacity(c: Connection) -> UsedCapacity:
    """The usage counters of every train (with its TEU split by booking state) and every
    crossing, at the version read first."""
    v = read_version(c)
    split = _teu_by_state(c)
    trains = {
        r["departure_id"]: usage_from_row(r, split.get(r["departure_id"], {}))
        for r in c.execute(select(DEP).order_by(DEP.c.departure_id)).mappings()
    }
    crossings = {
        (r["port"], r["day"]): crossing_from_row(r) for r in c.execute(select(CROSS)).mappings()
    }
    return UsedCapacity(version=v, trains=trains, crossings=crossings)


def confirmed_state(
    c: Connection,
) -> tuple[int, list[Booking], list[DepartureRecord], list[Crossing]]:
    """What :func:`railplan.ledger.export.ledger_plan` is made from: the version, the
    confirmed bookings (in the order they were made), every train and every crossing."""
    v = read_version(c)
    bs = [
        booking_from_row(r)
        for r in c.execute(
            select(BOOK)
            .where(BOOK.c.state == "confirmed")
            .order_by(BOOK.c.created_version, BOOK.c.booking_id)
        ).mappings()
    ]
    ds = [
        departure_record(r)
        for r in c.execute(select(DEP).order_by(DEP.c.depart_date, DEP.c.departure_id)).mappings()
    ]
    xs = [
        crossing_from_row(r)
        for r in c.execute(select(CROSS).order_by(CROSS.c.day, CROSS.c.port)).mappings()
    ]
    return v, bs, ds, xs


def snapshot(c: Connection) -> dict[str, Any]:
    """Every table as plain rows, for :func:`railplan.ledger.replay.check_snapshot`."""
    return {
        "meta": read_version(c),
        "departures": [dict(r) for r in c.execute(select(DEP)).mappings()],
        "crossings": [dict(r) for r in c.execute(select(CROSS)).mappings()],
        "bookings": [dict(r) for r in c.execute(select(BOOK)).mappings()],
        "versions": [dict(r) for r in c.execute(select(VER).order_by(VER.c.version)).mappings()],
        "events": [dict(r) for r in c.execute(select(EVT).order_by(EVT.c.id)).mappings()],
    }
