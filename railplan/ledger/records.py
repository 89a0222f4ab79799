"""The records the ledger hands out and takes in: frozen dataclasses, no database types.

Money in integer cents, masses per container in integer kilograms (``gross_t`` properties
convert for :mod:`routing`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from network import Departure
from routing.domain.model import CONTAINER_TYPES, DEFAULT_LATE_PENALTY_PER_TEU_DAY, Shipment


def cents(usd: float | Decimal | int) -> int:
    """USD to integer cents, half up (through the decimal text, so 0.1 + 0.2 is 30 cents)."""
    d = usd if isinstance(usd, Decimal) else Decimal(str(usd))
    return int((d * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def kilograms(t: float | Decimal) -> int:
    d = t if isinstance(t, Decimal) else Decimal(str(t))
    return int((d * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def usd(c: int) -> float:
    return c / 100


@dataclass(frozen=True, slots=True, kw_only=True)
class DepartureRecord:
    """A registered train: the planner's :class:`network.Departure`, its state and what its
    active (held or confirmed) bookings use."""

    departure: Departure
    state: str
    used_teu: int
    used_kg: int
    used_plugs: int
    active_bookings: int

    @property
    def departure_id(self) -> str:
        return self.departure.departure_id

    @property
    def left_teu(self) -> int:
        return self.departure.capacity_teu - self.used_teu


@dataclass(frozen=True, slots=True, kw_only=True)
class BookingRequest:
    """Containers of one shipment to book on one departure (by hand, or from a plan's
    assignment). ``gross_t`` is per container, as in :class:`routing.domain.model.Shipment`."""

    shipment_id: str
    departure_id: str
    containers: int
    container_type: str
    gross_t: float
    origin: str
    destination: str
    ready_date: dt.date
    due_date: dt.date | None = None
    customer: str = ""
    late_penalty_per_teu_day: float = DEFAULT_LATE_PENALTY_PER_TEU_DAY
    split: bool = True
    avoid_countries: frozenset[str] = frozenset()
    dg_class: str = ""
    pinned: bool = False
    #: a held booking takes capacity until ``hold_until`` (then :meth:`Ledger.expire_holds`)
    held: bool = False
    hold_until: dt.datetime | None = None
    #: the freight rate charged, USD per TEU (None: the departure's rate)
    rate_per_teu: float | None = None
    #: the price charged, USD (None: TEU times the rate)
    price: float | None = None

    @classmethod
    def from_shipment(
        cls, sh: Shipment, departure_id: str, containers: int, **kw: Any
    ) -> BookingRequest:
        return cls(
            shipment_id=sh.shipment_id,
            departure_id=departure_id,
            containers=containers,
            container_type=sh.container_type,
            gross_t=sh.gross_t,
            origin=sh.origin,
            destination=sh.destination,
            ready_date=sh.ready_date,
            due_date=sh.due_date,
            customer=sh.customer,
            late_penalty_per_teu_day=sh.late_penalty_per_teu_day,
            split=sh.split,
            avoid_countries=sh.avoid_countries,
            dg_class=sh.dg_class,
            pinned=kw.pop("pinned", sh.pinned),
            **kw,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Booking:
    """A booking as stored. ``gross_kg`` is per container."""

    booking_id: str
    shipment_id: str
    customer: str
    containers: int
    container_type: str
    gross_kg: int
    origin: str
    destination: str
    ready_date: dt.date
    due_date: dt.date | None
    late_penalty_cents_per_teu_day: int
    split: bool
    avoid_countries: frozenset[str]
    dg_class: str
    departure_id: str
    state: str
    pinned: bool
    hold_until: dt.datetime | None
    rate_per_teu_cents: int
    price_cents: int
    created_version: int
    updated_version: int

    @property
    def teu(self) -> int:
        return self.containers * CONTAINER_TYPES[self.container_type].teu

    @property
    def reefer(self) -> bool:
        return CONTAINER_TYPES[self.container_type].reefer

    @property
    def gross_t(self) -> float:
        return self.gross_kg / 1000

    @property
    def active(self) -> bool:
        return self.state in ("held", "confirmed")

    def shipment(self, **kw: Any) -> Shipment:
        """This booking as a :class:`Shipment` booked on its departure (for re-planning;
        ``kw`` overrides fields, e.g. ``move_penalty_per_container``)."""
        base: dict[str, Any] = {
            "shipment_id": self.shipment_id,
            "origin": self.origin,
            "destination": self.destination,
            "containers": self.containers,
            "container_type": self.container_type,
            "gross_t": self.gross_t,
            "ready_date": self.ready_date,
            "due_date": self.due_date,
            "late_penalty_per_teu_day": self.late_penalty_cents_per_teu_day / 100,
            "split": self.split,
            "avoid_countries": self.avoid_countries,
            "dg_class": self.dg_class,
            "customer": self.customer,
            "booked_on": self.departure_id,
            "pinned": self.pinned,
        }
        base.update(kw)
        return Shipment(**base)


@dataclass(frozen=True, slots=True, kw_only=True)
class Usage:
    """What the active bookings of one train use, and its limits."""

    departure_id: str
    state: str
    teu: int
    capacity_teu: int
    gross_kg: int
    max_gross_kg: int | None
    plugs: int
    reefer_plugs: int
    bookings: int
    confirmed_teu: int = 0
    held_teu: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Crossing:
    """A border port on one day: the trains carrying active bookings that cross it, and its
    quota (None: no limit)."""

    port: str
    day: dt.date
    trains: int
    quota: int | None

    @property
    def left(self) -> int | None:
        return None if self.quota is None else self.quota - self.trains


@dataclass(frozen=True, slots=True, kw_only=True)
class UsedCapacity:
    """:meth:`Ledger.used_capacity`: per train and per crossing, at one ledger version."""

    version: int
    trains: dict[str, Usage]
    crossings: dict[tuple[str, dt.date], Crossing]


@dataclass(frozen=True, slots=True, kw_only=True)
class VersionInfo:
    version: int
    parent: int | None
    kind: str
    who: str
    at: dt.datetime
    inputs_hash: str | None
    objective_cents: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Status:
    """:meth:`Ledger.status`: the ledger's state (now, or as it stood at ``at``)."""

    version: int
    at: dt.datetime | None
    trains: tuple[Usage, ...]
    crossings: tuple[Crossing, ...]
    bookings: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "at": self.at.isoformat() if self.at else None,
            "bookings": dict(self.bookings),
            "trains": [
                {
                    "departure_id": u.departure_id,
                    "state": u.state,
                    "capacity_teu": u.capacity_teu,
                    "sold_teu": u.confirmed_teu,
                    "held_teu": u.held_teu,
                    "left_teu": u.capacity_teu - u.teu,
                    "gross_t": u.gross_kg / 1000,
                    "max_gross_t": None if u.max_gross_kg is None else u.max_gross_kg / 1000,
                    "reefer_plugs_used": u.plugs,
                    "reefer_plugs": u.reefer_plugs,
                    "bookings": u.bookings,
                }
                for u in self.trains
            ],
            "crossings": [
                {
                    "border_port": c.port,
                    "date": c.day.isoformat(),
                    "trains": c.trains,
                    "quota": c.quota,
                    "left": c.left,
                }
                for c in self.crossings
            ],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class CommitResult:
    """What a committed change made: the new version and the bookings it created."""

    version: int
    booking_ids: tuple[str, ...]
    cancelled: tuple[str, ...] = ()
