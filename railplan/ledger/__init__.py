"""The booking ledger: what railplan has promised, in a real database.

SQLite by default (a file, ``sqlite:///railplan.db``), PostgreSQL through the same code
(``postgresql+psycopg://USER@HOST:PORT/DB``); the schema is created and migrated by Alembic
(:meth:`Ledger.init`). Only this package touches a database: :mod:`routing` is handed records
(:class:`network.Departure`, :class:`routing.domain.model.Shipment`) and gives back plans.

The API (every write is ONE transaction that commits whole or leaves nothing, bumps the
ledger's version by one, records a version row and appends its events to the log)::

    led = Ledger(url)                     # url default: $RAILPLAN_DB, else sqlite:///railplan.db
    led.init()                            # create or migrate; idempotent
    led.register_departures(deps, quota={"erenhot": 1}, quota_by_date={("erenhot", day): 2})
    led.version() -> int                  # 0 for a new ledger
    led.departures(state=None) -> [DepartureRecord]   # .departure is a network.Departure
    led.bookings(state=None, departure_id=None, shipment_id=None) -> [Booking]
    led.booked_shipments() -> [Shipment]  # confirmed bookings as booked_on/pinned shipments
    led.used_capacity() -> UsedCapacity   # TEU, kg, plugs per train; trains per (port, day)
    led.crossings() -> [Crossing]
    led.commit_assignments(plan.assignments, shipments=plan.problem.shipments,
                           base_version=v, who=..., inputs_hash=..., objective=plan.objective,
                           release=(booking ids), cancel_departures=(ids), quotas={...})
        -> CommitResult(version, booking_ids, cancelled)
    led.commit_plan(plan, base_version=v, ...)        # the same, from a Plan
    led.book(BookingRequest(...), who=..., base_version=None) -> Booking
    led.cancel(booking_id) / led.confirm(booking_id) -> Booking; led.expire_holds(now)
    led.set_departure_state(departure_id, "cancelled" | "departed" | "scheduled")
    led.set_quota(port, day, trains_per_day | None)
    led.status(at=None) -> Status         # now, or as it stood at a date (the log replayed)
    led.export(folder, net=None) -> Plan  # the confirmed state as a plan folder
    led.check() -> [str]                  # every invariant; [] when sound
    led.quote_capacity() -> routing.quote.Capacity    # what is left, for routing.quote.quote
    led.hold_quote(BookingRequest(held=True, hold_until=...), quote_id=..., details=...,
                   option=...) -> HeldQuote           # a quote's hold (railplan quote --hold)
    led.accept_quote(quote_id) -> (HeldQuote, version)  # HoldLost if expired / capacity gone
    led.versions(), led.events()

Exceptions (:mod:`railplan.ledger.errors`, each with ``problems``, one line each; nothing is
written when one is raised): :class:`LedgerError` (a bad URL, a database that cannot be
reached), :class:`NotInitialised`, :class:`Refused` (does not fit: TEU, tonnes, plugs,
dangerous goods, avoided countries, border quota, a train's state, unknown ids, a shipment
booked with other attributes), :class:`Conflict` (lost a race for a lock; retry) and its
subclass :class:`StaleVersion` (``base_version`` is not the ledger's version).

What it stores: dated departures (limits, state scheduled/cancelled/departed, and counters of
what active bookings use), crossings (border port and day: quota, trains carrying bookings),
bookings (held or confirmed take capacity; cancelled do not), versions and the append-only
event log. Money in integer cents, masses in integer kilograms.

No oversell: every writer locks the meta row first, then the bookings, departures and
crossings it touches, in that fixed order (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite
takes its write lock at ``BEGIN IMMEDIATE``), checks the final state of every touched train
and border day against its limits, and writes. CHECK constraints in the schema refuse an
oversold row even if the code were wrong. Durability: one transaction per change (SQLite
WAL with ``synchronous=FULL``).
"""

from railplan.ledger.errors import Conflict, LedgerError, NotInitialised, Refused, StaleVersion
from railplan.ledger.holds import HeldQuote, HoldLost, UnknownQuote
from railplan.ledger.jobs import Job, JobEvent, JobStore, worker_name
from railplan.ledger.ledger import DEFAULT_URL, Ledger, default_url
from railplan.ledger.records import (
    Booking,
    BookingRequest,
    CommitResult,
    Crossing,
    DepartureRecord,
    Status,
    Usage,
    UsedCapacity,
    VersionInfo,
)
from railplan.ledger.tokens import TokenInfo, TokenStore

__all__ = [
    "DEFAULT_URL",
    "Booking",
    "BookingRequest",
    "CommitResult",
    "Conflict",
    "Crossing",
    "DepartureRecord",
    "HeldQuote",
    "HoldLost",
    "Job",
    "JobEvent",
    "JobStore",
    "Ledger",
    "LedgerError",
    "NotInitialised",
    "Refused",
    "StaleVersion",
    "Status",
    "TokenInfo",
    "TokenStore",
    "UnknownQuote",
    "Usage",
    "UsedCapacity",
    "VersionInfo",
    "default_url",
    "worker_name",
]
