"""The one write path of bookings, train states and quotas: a :class:`Change` applied by
:func:`apply` inside the caller's write transaction.

Lock order, the same for every writer (so two writers never wait on each other in a cycle):
the meta row, the bookings released or confirmed (by id), the departures touched (by id), the
crossings touched (by port, then day). On SQLite the ``BEGIN IMMEDIATE`` of the transaction
already holds the database's write lock.

The steps, on the locked rows (``d`` a departure, ``x`` a crossing):

1. release (cancel) bookings and confirm held ones;
2. set train states, then border quotas, then delays (a delayed train's ``depart_date``
   moves by its days, and with it the day it reaches its border);
3. add the new bookings; a booking of ``n`` containers of ``teu`` TEU and ``kg`` kilograms
   each on a reefer type adds ``n*teu`` to ``d.used_teu``, ``n*kg`` to ``d.used_kg``, ``n``
   to ``d.used_plugs`` and one to ``d.active_bookings`` (a release subtracts the same);
4. a shipment is one lot: its active bookings share :data:`rows.SHIPMENT_FIELDS`;
5. the final state of every touched train within its limits (``used_teu <= capacity_teu``,
   ``used_kg <= max_gross_kg``, ``used_plugs <= reefer_plugs``, no active booking on a
   cancelled train); a train that starts or stops carrying bookings moves its crossing's
   ``trains`` by one, and every touched crossing keeps ``trains <= quota``;
6. write: the version row, the changed departures and crossings (each update guarded by the
   counters it was read with), the bookings, the events, and the meta row last.

Every problem found in steps 1 to 5 is collected; any one refuses the change whole
(:class:`Refused`, one line each), before anything is written. What is wrong with a change on
its own is found before any of this, by :func:`railplan.ledger.validate.static_problems`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection

from railplan.ledger.errors import Conflict, Refused, StaleVersion
from railplan.ledger.records import BookingRequest, CommitResult, cents, kilograms
from railplan.ledger.rows import (
    BOOK,
    CROSS,
    DEP,
    EVT,
    SHIPMENT_FIELDS,
    aware,
    border_day,
    iso,
    norm,
    normed,
)
from railplan.ledger.schema import ACTIVE_STATES
from railplan.ledger.versions import add_version, bump_meta, event, lock_meta, now
from routing.domain.model import CONTAINER_TYPES, ContainerType

Row = dict[str, Any]
CrossKey = tuple[str, dt.date]


@dataclass(slots=True)
class Change:
    """One write: everything a version changes, applied in one transaction."""

    kind: str
    who: str
    base_version: int | None = None
    requests: Sequence[BookingRequest] = ()
    release: Sequence[str] = ()
    confirm: Sequence[str] = ()
    states: Mapping[str, str] = field(default_factory=dict)
    quotas: Mapping[CrossKey, int | None] = field(default_factory=dict)
    inputs_hash: str | None = None
    objective_cents: int | None = None
    #: bookings of departures of these states may be released (a re-plan's frozen trains not)
    release_from: tuple[str, ...] = ("scheduled",)
    #: departure id -> days later it leaves (a re-plan's ``--delay-train``)
    delays: Mapping[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class _Locked:
    """A change at work: the rows it locked (mutated in place to their final state), their
    state as read, and what it has found and will write."""

    ch: Change
    v0: int
    v: int
    at: dt.datetime
    bookings: dict[str, Row]
    dep_ids: list[str]
    deps: dict[str, Row]
    deps_before: dict[str, Row]
    cross: dict[CrossKey, Row] = field(default_factory=dict)
    cross_before: dict[CrossKey, Row] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    events: list[Row] = field(default_factory=list)
    #: ``{b_id, b_state}`` per booking whose state changes
    b_updates: list[Row] = field(default_factory=list)
    new_rows: list[Row] = field(default_factory=list)
    #: per departure: the TEU, kilograms and reefer plugs the new bookings ask for
    asked: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))

    def add_event(self, kind: str, payload: dict[str, Any]) -> None:
        self.events.append(event(self.v, self.at, kind, payload))


def apply(c: Connection, ch: Change) -> CommitResult:
    """Lock, check everything against the locked rows, write, or raise (the caller's
    transaction then rolls back whole). The steps are those of the module docstring."""
    w = _lock(c, ch)
    _release(w)
    _confirm(w)
    _set_states(w)
    _set_quotas(w)
    _delay(w)
    _new_bookings(w)
    if w.new_rows:
        _one_lot(c, w)
    for did in w.dep_ids:
        _check_train(w, did)
    _check_quotas(w)
    if w.problems:
        raise Refused(w.problems)
    _write(c, w)
    return CommitResult(
        version=w.v,
        booking_ids=tuple(r["booking_id"] for r in w.new_rows),
        cancelled=tuple(ch.release),
    )


# ---------------------------------------------------------------------- locking


def _lock(c: Connection, ch: Change) -> _Locked:
    """Lock in the fixed order; :class:`StaleVersion` if the ledger is not at the change's
    base version, :class:`Refused` for unknown bookings or departures."""
    v0 = lock_meta(c)
    if ch.base_version is not None and v0 != ch.base_version:
        raise StaleVersion(ch.base_version, v0)
    at = now()
    problems: list[str] = []
    bookings = _lock_bookings(c, sorted(set(ch.release) | set(ch.confirm)), problems)
    dep_ids = sorted(
        {r.departure_id for r in ch.requests}
        | {b["departure_id"] for b in bookings.values()}
        | set(ch.states)
        | set(ch.delays)
    )
    deps = _lock_departures(c, dep_ids, problems)
    if problems:
        raise Refused(problems)
    w = _Locked(
        ch=ch,
        v0=v0,
        v=v0 + 1,
        at=at,
        bookings=bookings,
        dep_ids=dep_ids,
        deps=deps,
        deps_before={d: dict(r) for d, r in deps.items()},
    )
    _lock_crossings(c, w)
    return w


def _lock_bookings(c: Connection, ids: list[str], problems: list[str]) -> dict[str, Row]:
    """The bookings ``ids`` locked, by id; an unknown id is a problem."""
    rows = (
        {
            r["booking_id"]: dict(r)
            for r in c.execute(
                select(BOOK)
                .where(BOOK.c.booking_id.in_(ids))
                .order_by(BOOK.c.booking_id)
                .with_for_update()
            ).mappings()
        }
        if ids
        else {}
    )
    problems += [f"booking {bid}: unknown booking" for bid in ids if bid not in rows]
    return rows


def _lock_departures(c: Connection, ids: list[str], problems: list[str]) -> dict[str, Row]:
    """The departures ``ids`` locked, by id; an unknown id is a problem."""
    rows = {
        r["departure_id"]: dict(r)
        for r in c.execute(
            select(DEP)
            .where(DEP.c.departure_id.in_(ids))
            .order_by(DEP.c.departure_id)
            .with_for_update()
        ).mappings()
    }
    problems += [
        f"departure {d}: unknown departure (not registered in the ledger)"
        for d in ids
        if d not in rows
    ]
    return rows


def _lock_crossings(c: Connection, w: _Locked) -> None:
    """Lock the crossings of the locked trains and of the quotas set, port by port in day
    order; a quota set on a crossing no train has is a problem."""
    later = {
        (r["border_port"], border_day(r) + dt.timedelta(days=w.ch.delays[did]))
        for did, r in w.deps.items()
        if r["border_port"] and did in w.ch.delays
    }
    keys = sorted(
        {(r["border_port"], border_day(r)) for r in w.deps.values() if r["border_port"]}
        | set(w.ch.quotas)
        | later
    )
    for p in sorted({k[0] for k in keys}):
        days = sorted(k[1] for k in keys if k[0] == p)
        for r in c.execute(
            select(CROSS)
            .where(CROSS.c.port == p, CROSS.c.day.in_(days))
            .order_by(CROSS.c.day)
            .with_for_update()
        ).mappings():
            w.cross[(r["port"], r["day"])] = dict(r)
    for k in w.ch.quotas:
        if k not in w.cross:
            w.problems.append(f"border {k[0]} on {k[1]}: no registered train crosses it")
    w.cross_before = {k: dict(r) for k, r in w.cross.items()}
    for k in sorted(later - set(w.cross)):  # a delayed train's new border day: registered
        w.cross[k] = {"port": k[0], "day": k[1], "quota": None, "trains": 0}
        w.add_event("quota", {"port": k[0], "day": k[1].isoformat(), "quota": None})


# ---------------------------------------------------------------------- the changes


def _take(d: Row, sign: int, n: int, teu: int, kg: int, reefer: bool) -> None:
    """Add (``sign`` +1) or remove (-1) a booking of ``n`` containers on train ``d``."""
    d["used_teu"] += sign * n * teu
    d["used_kg"] += sign * n * kg
    d["used_plugs"] += sign * n if reefer else 0
    d["active_bookings"] += sign


def _release(w: _Locked) -> None:
    """Step 1a: cancel the released bookings; only active ones, on trains whose state is in
    ``release_from`` (a departed train's bookings are frozen)."""
    for bid in w.ch.release:
        b = w.bookings[bid]
        d = w.deps[b["departure_id"]]
        if b["state"] not in ACTIVE_STATES:
            w.problems.append(f"booking {bid}: already {b['state']}")
            continue
        if d["state"] not in w.ch.release_from:
            w.problems.append(
                f"booking {bid}: its train {d['departure_id']} has {d['state']}; its bookings are frozen"
            )
            continue
        _take(d, -1, b["containers"], b["teu_per_container"], b["gross_kg"], b["reefer"])
        w.b_updates.append({"b_id": bid, "b_state": "cancelled"})
        w.add_event("booking_state", {"booking_id": bid, "state": "cancelled"})


def _confirm(w: _Locked) -> None:
    """Step 1b: confirm held bookings (the capacity they take does not change)."""
    for bid in w.ch.confirm:
        b = w.bookings[bid]
        if b["state"] != "held":
            w.problems.append(f"booking {bid}: is {b['state']}, not held")
            continue
        w.b_updates.append({"b_id": bid, "b_state": "confirmed"})
        w.add_event("booking_state", {"booking_id": bid, "state": "confirmed"})


def _set_states(w: _Locked) -> None:
    """Step 2a: train states, by id; ``departed`` is final."""
    for did, s in sorted(w.ch.states.items()):
        d = w.deps[did]
        if d["state"] == s:
            w.problems.append(f"departure {did}: is {s} already")
            continue
        if d["state"] == "departed":
            w.problems.append(f"departure {did}: has departed; its state is final")
            continue
        d["state"] = s
        w.add_event("departure_state", {"departure_id": did, "state": s})


def _set_quotas(w: _Locked) -> None:
    """Step 2b: border quotas, by port and day (an unknown crossing was found in locking)."""
    for k, q in sorted(w.ch.quotas.items()):
        if k in w.cross:
            w.cross[k]["quota"] = q
            w.add_event("quota", {"port": k[0], "day": k[1].isoformat(), "quota": q})


def _delay(w: _Locked) -> None:
    """Step 2c: a scheduled train leaves ``days`` later (its crossing's count moves in
    :func:`_check_train`, which compares the day it was read with and its final day)."""
    for did, days in sorted(w.ch.delays.items()):
        d = w.deps[did]
        if d["state"] != "scheduled":
            w.problems.append(
                f"departure {did}: is {d['state']}; only a scheduled train is delayed"
            )
            continue
        old = norm("depart_date", d["depart_date"])
        d["depart_date"] = old + dt.timedelta(days=days)
        w.add_event(
            "departure_delay",
            {"departure_id": did, "days": days, "depart_date": d["depart_date"].isoformat()},
        )


def _new_bookings(w: _Locked) -> None:
    """Step 3: the new bookings ``B{v}-{k}`` (k = 1, 2, ... in request order), each taking
    its capacity on its train and counted in ``asked`` for the messages of step 5."""
    for k, r in enumerate(w.ch.requests, start=1):
        d = w.deps[r.departure_id]
        ct = CONTAINER_TYPES[r.container_type]
        where = f"booking {r.shipment_id} on {r.departure_id}"
        if d["state"] != "scheduled":
            w.problems.append(f"{where}: the train is {d['state']}")
            continue
        w.problems += _fit_problems(where, r, d, ct)
        kg = kilograms(r.gross_t)
        _take(d, +1, r.containers, ct.teu, kg, ct.reefer)
        a = w.asked[r.departure_id]
        a[0] += r.containers * ct.teu
        a[1] += r.containers * kg
        a[2] += r.containers if ct.reefer else 0
        row = _booking_row(f"B{w.v}-{k}", w.v, r, d, ct, kg)
        w.new_rows.append(row)
        w.add_event("booking", {k2: iso(x) for k2, x in row.items()})


def _fit_problems(where: str, r: BookingRequest, d: Row, ct: ContainerType) -> list[str]:
    """Whether the train takes this cargo at all: dangerous goods, reefers, the countries it
    crosses, and its departure after the cargo is ready."""
    out = []
    if r.dg_class and not d["dg_allowed"]:
        out.append(
            f"{where}: dangerous goods (class {r.dg_class}) on a train that does not take them"
        )
    if ct.reefer and d["reefer_plugs"] == 0:
        out.append(f"{where}: reefer containers on a train without reefer plugs")
    avoided = sorted(r.avoid_countries & set(filter(None, d["countries"].split(";"))))
    if avoided:
        out.append(f"{where}: the train crosses avoided countries {', '.join(avoided)}")
    if r.ready_date > d["depart_date"]:
        out.append(f"{where}: ready {r.ready_date}, after the train departs {d['depart_date']}")
    return out


def _booking_row(
    booking_id: str, v: int, r: BookingRequest, d: Row, ct: ContainerType, kg: int
) -> Row:
    """The ``bookings`` row of request ``r`` on train ``d``: rate the request's (else the
    train's) per TEU, price the request's (else ``rate * containers * teu``), in cents."""
    rate = d["rate_per_teu_cents"] if r.rate_per_teu is None else cents(r.rate_per_teu)
    price = rate * r.containers * ct.teu if r.price is None else cents(r.price)
    return {
        "booking_id": booking_id,
        "shipment_id": r.shipment_id,
        "customer": r.customer,
        "containers": r.containers,
        "container_type": r.container_type,
        "teu_per_container": ct.teu,
        "reefer": ct.reefer,
        "gross_kg": kg,
        "origin": r.origin,
        "destination": r.destination,
        "ready_date": r.ready_date,
        "due_date": r.due_date,
        "late_penalty_cents_per_teu_day": cents(r.late_penalty_per_teu_day),
        "split": r.split,
        "avoid_countries": ";".join(sorted(r.avoid_countries)),
        "dg_class": r.dg_class,
        "departure_id": r.departure_id,
        "state": "held" if r.held else "confirmed",
        "pinned": r.pinned,
        "hold_until": None if r.hold_until is None else aware(r.hold_until),
        "rate_per_teu_cents": rate,
        "price_cents": price,
        "created_version": v,
        "updated_version": v,
    }


def _one_lot(c: Connection, w: _Locked) -> None:
    """Step 4: every new booking of a shipment has the attributes of the shipment's active
    bookings that stay (those not released now), else of its first new booking."""
    released = set(w.ch.release)
    lots: dict[str, Row] = {}
    sids = sorted({r["shipment_id"] for r in w.new_rows})
    for r in c.execute(
        select(BOOK).where(BOOK.c.shipment_id.in_(sids), BOOK.c.state.in_(ACTIVE_STATES))
    ).mappings():
        if r["booking_id"] not in released:
            lots.setdefault(r["shipment_id"], normed(r))
    for nr in w.new_rows:
        lot = lots.setdefault(nr["shipment_id"], normed(nr))
        diff = [f for f in SHIPMENT_FIELDS if lot[f] != norm(f, nr[f])]
        if diff:
            w.problems.append(
                f"booking {nr['shipment_id']} on {nr['departure_id']}: shipment {nr['shipment_id']} "
                f"is booked with another {', '.join(diff)}; one shipment is one lot"
            )


# ---------------------------------------------------------------------- the final checks


def _check_train(w: _Locked, did: str) -> None:
    """Step 5a: train ``did`` in its final state within its limits (the messages say what
    was asked and what was left: ``left = limit - (used - asked)``), and its crossing's
    ``trains`` moved by one if the train starts (0 -> >0 active bookings) or stops carrying."""
    d, b0 = w.deps[did], w.deps_before[did]
    a = w.asked.get(did, [0, 0, 0])
    if d["used_teu"] > d["capacity_teu"]:
        left = d["capacity_teu"] - (d["used_teu"] - a[0])
        w.problems.append(
            f"departure {did}: {a[0]} TEU do not fit, {max(left, 0)} of {d['capacity_teu']} TEU left"
        )
    if d["max_gross_kg"] is not None and d["used_kg"] > d["max_gross_kg"]:
        left_t = (d["max_gross_kg"] - (d["used_kg"] - a[1])) / 1000
        w.problems.append(
            f"departure {did}: {a[1] / 1000:g} t do not fit, {max(left_t, 0):g} of {d['max_gross_kg'] / 1000:g} t left"
        )
    if d["used_plugs"] > d["reefer_plugs"]:
        left_p = d["reefer_plugs"] - (d["used_plugs"] - a[2])
        w.problems.append(
            f"departure {did}: {a[2]} reefers do not fit, {max(left_p, 0)} of {d['reefer_plugs']} reefer plugs free"
        )
    if d["state"] == "cancelled" and d["active_bookings"] > 0:
        w.problems.append(
            f"departure {did}: cannot be cancelled while it carries {d['active_bookings']} active booking(s)"
        )
    if d["border_port"]:
        k0, k = (d["border_port"], border_day(b0)), (d["border_port"], border_day(d))
        was, now_runs = b0["active_bookings"] > 0, d["active_bookings"] > 0
        if k not in w.cross or k0 not in w.cross:
            w.problems.append(f"departure {did}: its crossing {k[0]} on {k[1]} is not registered")
        elif was != now_runs or k0 != k:  # it starts or stops carrying, or crosses another day
            w.cross[k0]["trains"] -= 1 if was else 0
            w.cross[k]["trains"] += 1 if now_runs else 0


def _check_quotas(w: _Locked) -> None:
    """Step 5b: every touched crossing keeps ``trains <= quota`` (after :func:`_check_train`
    has moved its ``trains``)."""
    for k, x in sorted(w.cross.items()):
        if x["quota"] is not None and x["trains"] > x["quota"]:
            was = w.cross_before[k]["trains"]
            w.problems.append(
                f"border {k[0]} on {k[1]}: quota of {x['quota']} train(s) a day"
                + (
                    f" taken ({was} train(s) with bookings already cross)"
                    if x["trains"] > was
                    else f" is below the {x['trains']} train(s) with bookings that cross"
                )
            )


# ---------------------------------------------------------------------- writing


def _write(c: Connection, w: _Locked) -> None:
    """Step 6: the version row, the changed rows, the events, the meta row last."""
    ch = w.ch
    add_version(c, w.v, w.v0, ch.kind, ch.who, w.at, ch.inputs_hash, ch.objective_cents)
    _write_departures(c, w)
    _write_crossings(c, w)
    if w.b_updates:
        c.execute(
            update(BOOK)
            .where(BOOK.c.booking_id == bindparam("b_id"))
            .values(state=bindparam("b_state"), updated_version=w.v),
            w.b_updates,
        )
    if w.new_rows:
        c.execute(insert(BOOK), w.new_rows)
    if ch.kind == "commit":
        w.add_event(
            "commit",
            {
                "bookings": [r["booking_id"] for r in w.new_rows],
                "released": list(ch.release),
                "inputs_hash": ch.inputs_hash,
                "objective_cents": ch.objective_cents,
            },
        )
    if not w.events:
        raise Refused(["nothing to change"])
    c.execute(insert(EVT), w.events)
    bump_meta(c, w.v0, w.v)


def _write_departures(c: Connection, w: _Locked) -> None:
    """Update every changed train, guarded by the counters it was read with."""
    for did in w.dep_ids:
        d, b0 = w.deps[did], w.deps_before[did]
        if d == b0:
            continue
        res = c.execute(
            update(DEP)
            .where(
                DEP.c.departure_id == did,
                DEP.c.used_teu == b0["used_teu"],
                DEP.c.active_bookings == b0["active_bookings"],
            )
            .values(
                state=d["state"],
                depart_date=d["depart_date"],
                used_teu=d["used_teu"],
                used_kg=d["used_kg"],
                used_plugs=d["used_plugs"],
                active_bookings=d["active_bookings"],
            )
        )
        if res.rowcount != 1:
            raise Conflict([f"departure {did}: changed while this change held its lock"])


def _write_crossings(c: Connection, w: _Locked) -> None:
    """Update every changed crossing, guarded by the trains it was read with."""
    fresh = [x for k, x in sorted(w.cross.items()) if k not in w.cross_before]
    if fresh:  # the new border days of delayed trains
        c.execute(insert(CROSS), fresh)
    for k, x in w.cross.items():
        x0 = w.cross_before.get(k)
        if x0 is None or x == x0:
            continue
        res = c.execute(
            update(CROSS)
            .where(CROSS.c.port == k[0], CROSS.c.day == k[1], CROSS.c.trains == x0["trains"])
            .values(trains=x["trains"], quota=x["quota"])
        )
        if res.rowcount != 1:
            raise Conflict([f"border {k[0]} on {k[1]}: changed while this change held its lock"])
