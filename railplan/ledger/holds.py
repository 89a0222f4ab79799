"""Quote holds: a quote's capacity held in the ledger until ``hold_until``, then accepted
(its held bookings confirmed) or expired (its bookings cancelled, the capacity free again).

Tables (migration ``0002_quotes``): ``quotes`` (one row per held quote: state ``held``,
``accepted``, ``expired`` or ``released``) and ``bookings.quote_id``. Every function here runs
inside the caller's transaction (:meth:`railplan.ledger.Ledger._run`) and writes through the
one write path, :func:`railplan.ledger.changes.apply`, so that counters, crossings, versions
and the event log stay as :meth:`Ledger.check` expects.

Expiry: a quote's hold is released by the first ledger write after ``hold_until`` (inside
that write's own transaction, :func:`with_expired`) and by every capacity read before it
reads (:meth:`Ledger.quote_capacity`, :meth:`Ledger.used_capacity`, :meth:`Ledger.status`,
:meth:`Ledger.check`: a version of kind ``expire_holds``), so no read ever counts an expired
quote hold. Holds made by hand (``ledger book --hold-until``) keep their own rule: they take
capacity until :meth:`Ledger.expire_holds` releases them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.engine import Connection

from network import Departure
from railplan.ledger import reads
from railplan.ledger.changes import Change, apply
from railplan.ledger.errors import LedgerError, Refused
from railplan.ledger.records import BookingRequest, CommitResult
from railplan.ledger.rows import BOOK, DEP, EVT, aware
from railplan.ledger.schema import QuoteRow
from railplan.ledger.versions import read_version
from routing.quote.records import Capacity, CrossingUse, TrainUse

QUOTE = cast(Table, QuoteRow.__table__)


class UnknownQuote(LedgerError):
    """No quote of that id in the ledger (bad input: exit 2)."""


class HoldLost(LedgerError):
    """The hold cannot be accepted: it expired, or its capacity went (exit 4)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldQuote:
    """A held quote as stored."""

    quote_id: str
    state: str
    made_version: int
    made_at: dt.datetime
    hold_until: dt.datetime | None
    departure_id: str
    containers: int
    price_cents: int
    booking_ids: tuple[str, ...]
    request: dict[str, Any]
    option: dict[str, Any]


def expired_ids(c: Connection, now: dt.datetime) -> list[str]:
    """Held bookings of quotes whose hold has passed at ``now``, on trains not yet gone."""
    rows = c.execute(
        select(BOOK.c.booking_id, BOOK.c.hold_until)
        .join(DEP, DEP.c.departure_id == BOOK.c.departure_id)
        .where(BOOK.c.state == "held", BOOK.c.quote_id.is_not(None), DEP.c.state == "scheduled")
        .order_by(BOOK.c.booking_id)
    ).all()
    return [r[0] for r in rows if r[1] is not None and aware(r[1]) <= now]


def with_expired(c: Connection, ch: Change, now: dt.datetime) -> tuple[Change, list[str]]:
    """``ch`` releasing also the expired quote holds it does not touch already."""
    touched = set(ch.release) | set(ch.confirm)
    extra = [b for b in expired_ids(c, now) if b not in touched]
    if not extra:
        return ch, []
    return dataclasses.replace(ch, release=[*ch.release, *extra]), extra


def after_release(c: Connection, released: Sequence[str], expired: Sequence[str]) -> None:
    """The quotes whose held bookings were released: ``expired`` (by their clock) or
    ``released`` (cancelled by hand or by a re-plan)."""
    for ids, state in ((expired, "expired"), (released, "released")):
        if not ids:
            continue
        qids = select(BOOK.c.quote_id).where(
            BOOK.c.booking_id.in_(list(ids)), BOOK.c.quote_id.is_not(None)
        )
        c.execute(
            update(QUOTE)
            .where(QUOTE.c.quote_id.in_(qids), QUOTE.c.state == "held")
            .values(state=state)
        )


def apply_with_expiry(c: Connection, ch: Change, now: dt.datetime) -> CommitResult:
    """:func:`apply` of ``ch`` with the expired quote holds released in the same transaction
    (the result names only what ``ch`` itself cancelled)."""
    full, extra = with_expired(c, ch, now)
    res = apply(c, full)
    if ch.kind == "expire_holds":  # Ledger.expire_holds and the sweep: by the clock
        after_release(c, (), [*ch.release, *extra])
    else:
        after_release(c, ch.release, extra)
    return dataclasses.replace(res, cancelled=tuple(ch.release)) if extra else res


def hold(
    c: Connection,
    req: BookingRequest,
    *,
    quote_id: str,
    request: dict[str, Any],
    option: dict[str, Any],
    now: dt.datetime,
    who: str,
) -> HeldQuote:
    """Book ``req`` (held until ``req.hold_until``) and record the quote holding it."""
    if c.execute(select(QUOTE.c.quote_id).where(QUOTE.c.quote_id == quote_id)).first():
        raise LedgerError([f"quote {quote_id} exists already; nothing was written"])
    res = apply_with_expiry(c, Change(kind="quote_hold", who=who, requests=[req]), now)
    _tag(c, res, quote_id)
    price = sum(
        c.execute(select(BOOK.c.price_cents).where(BOOK.c.booking_id.in_(res.booking_ids)))
        .scalars()
        .all()
    )
    c.execute(
        insert(QUOTE).values(
            quote_id=quote_id,
            made_version=res.version,
            made_at=now,
            hold_until=req.hold_until,
            state="held",
            departure_id=req.departure_id,
            containers=req.containers,
            price_cents=int(price),
            request=request,
            option=option,
        )
    )
    return read_quote(c, quote_id)


def _tag(c: Connection, res: CommitResult, quote_id: str) -> None:
    """Mark the new bookings with their quote, in the table and in their ``booking`` events
    (written by this same transaction, so the log still replays to the table)."""
    ids = set(res.booking_ids)
    c.execute(update(BOOK).where(BOOK.c.booking_id.in_(ids)).values(quote_id=quote_id))
    events = c.execute(
        select(EVT.c.id, EVT.c.payload).where(EVT.c.version == res.version, EVT.c.kind == "booking")
    ).all()
    for eid, payload in events:
        if payload.get("booking_id") in ids:
            c.execute(
                update(EVT).where(EVT.c.id == eid).values(payload={**payload, "quote_id": quote_id})
            )


def read_quote(c: Connection, quote_id: str) -> HeldQuote:
    r = c.execute(select(QUOTE).where(QUOTE.c.quote_id == quote_id)).mappings().first()
    if r is None:
        raise UnknownQuote(
            [
                f"quote {quote_id!r}: no such quote in the ledger (quote ids are made by railplan quote --hold)"
            ]
        )
    ids = c.execute(
        select(BOOK.c.booking_id).where(BOOK.c.quote_id == quote_id).order_by(BOOK.c.booking_id)
    ).scalars()
    return HeldQuote(
        quote_id=r["quote_id"],
        state=r["state"],
        made_version=r["made_version"],
        made_at=aware(r["made_at"]),
        hold_until=None if r["hold_until"] is None else aware(r["hold_until"]),
        departure_id=r["departure_id"],
        containers=r["containers"],
        price_cents=r["price_cents"],
        booking_ids=tuple(ids),
        request=dict(r["request"]),
        option=dict(r["option"]),
    )


def _lost(q: HeldQuote, c: Connection, now: dt.datetime) -> str | None:
    """Why the hold of ``q`` cannot be accepted at ``now`` (None: it can)."""
    if q.state == "accepted":
        return f"quote {q.quote_id} was accepted already"
    if q.state == "expired" or (q.hold_until is not None and q.hold_until <= now):
        return (
            f"quote {q.quote_id}: the hold expired at {q.hold_until:%Y-%m-%d %H:%M:%S} UTC and "
            "its capacity was freed; quote again"
        )
    rows = c.execute(
        select(BOOK.c.booking_id, BOOK.c.state, DEP.c.state.label("train"))
        .join(DEP, DEP.c.departure_id == BOOK.c.departure_id)
        .where(BOOK.c.quote_id == q.quote_id)
    ).all()
    gone = [r[0] for r in rows if r[1] != "held"]
    if q.state == "released" or gone or not rows:
        return (
            f"quote {q.quote_id}: its capacity went meanwhile (held booking "
            f"{', '.join(gone) or '-'} cancelled); quote again"
        )
    left = [r[2] for r in rows if r[2] != "scheduled"]
    if left:
        return f"quote {q.quote_id}: train {q.departure_id} is {left[0]}; quote again"
    return None


def accept(c: Connection, quote_id: str, *, now: dt.datetime, who: str) -> tuple[HeldQuote, int]:
    """Confirm the held bookings of ``quote_id`` (one version); :class:`UnknownQuote` or
    :class:`HoldLost` (nothing written) when it cannot."""
    q = read_quote(c, quote_id)
    why = _lost(q, c, now)
    if why is not None:
        raise HoldLost([why])
    try:  # a concurrent accept or cancel got there first (the meta lock serialised us)
        res = apply_with_expiry(
            c, Change(kind="quote_accept", who=who, confirm=list(q.booking_ids)), now
        )
    except Refused as e:
        raise HoldLost(
            [f"quote {quote_id}: its capacity went meanwhile ({'; '.join(e.problems)})"]
        ) from e
    c.execute(update(QUOTE).where(QUOTE.c.quote_id == quote_id).values(state="accepted"))
    return read_quote(c, quote_id), res.version


def quote_problems(c: Connection) -> list[str]:
    """The hold invariants, one line per violation: a held quote's bookings are all held until
    the quote's ``hold_until``; an accepted quote's are confirmed (or cancelled later); an
    expired or released quote's are cancelled; a booking's quote exists."""
    out: list[str] = []
    quotes = {r["quote_id"]: r for r in c.execute(select(QUOTE)).mappings()}
    rows = c.execute(
        select(BOOK.c.booking_id, BOOK.c.quote_id, BOOK.c.state, BOOK.c.hold_until).where(
            BOOK.c.quote_id.is_not(None)
        )
    ).all()
    allowed = {"held": {"held"}, "accepted": {"confirmed", "cancelled"}}
    for bid, qid, state, until in rows:
        q = quotes.get(qid)
        if q is None:
            out.append(f"booking {bid}: quote {qid} not in the quotes table")
            continue
        ok = allowed.get(q["state"], {"cancelled"})
        if state not in ok:
            out.append(f"booking {bid}: {state}, but its quote {qid} is {q['state']}")
        if q["state"] == "held" and (
            until is None or q["hold_until"] is None or aware(until) != aware(q["hold_until"])
        ):
            out.append(
                f"booking {bid}: held until {until}, its quote {qid} until {q['hold_until']}"
            )
    with_bookings = {r[1] for r in rows}
    out += [f"quote {qid}: no bookings" for qid in quotes if qid not in with_bookings]
    return out


def capacity(c: Connection, source: str, known: dict[str, Departure] | None = None) -> Capacity:
    """What every registered train has left, as the quote's records (one snapshot). A train's
    limits never change once registered (``register_departures`` refuses other limits), so
    ``known`` keeps its :class:`Departure` between calls and only the usage is read."""
    known = {} if known is None else known
    cols = (
        DEP.c.departure_id,
        DEP.c.state,
        DEP.c.used_teu,
        DEP.c.used_kg,
        DEP.c.used_plugs,
        DEP.c.active_bookings,
    )
    rows = c.execute(select(*cols).order_by(DEP.c.depart_date, DEP.c.departure_id)).all()
    missing = [r[0] for r in rows if r[0] not in known]
    if missing:
        for rec in reads.departures(c, None):
            known.setdefault(rec.departure_id, rec.departure)
    trains = tuple(
        TrainUse(
            departure=known[did],
            state=state,
            used_teu=teu,
            used_gross_t=kg / 1000,
            used_plugs=plugs,
            active_bookings=active,
        )
        for did, state, teu, kg, plugs, active in rows
    )
    crossings = {
        (x.port, x.day): CrossingUse(port=x.port, day=x.day, trains=x.trains, quota=x.quota)
        for x in reads.crossings(c)
    }
    return Capacity(trains=trains, crossings=crossings, version=read_version(c), source=source)
