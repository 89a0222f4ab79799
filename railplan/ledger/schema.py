"""The ledger's tables (SQLAlchemy 2 typed declarative models).

Money is in integer cents, masses in integer kilograms, so that every sum the ledger checks
is exact. The CHECK constraints are the last guard against oversell: even a faulty code path
cannot leave a train or a border day over its limit, the database refuses the transaction.
The initial Alembic revision (``migrations/versions/0001_initial.py``) creates exactly these
tables; a test compares the two.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DEPARTURE_STATES = ("scheduled", "cancelled", "departed")
BOOKING_STATES = ("held", "confirmed", "cancelled")
#: states whose containers take capacity on their train
ACTIVE_STATES = ("held", "confirmed")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Meta(Base):
    """One row (id 1): the ledger's current version."""

    __tablename__ = "ledger_meta"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    __table_args__ = (
        CheckConstraint("id = 1", name="one_row"),
        CheckConstraint("version >= 0", name="version"),
    )


class DepartureRow(Base):
    """A dated train, its limits, its state and what its active bookings use."""

    __tablename__ = "departures"
    departure_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    origin: Mapped[str] = mapped_column(String(80))
    destination: Mapped[str] = mapped_column(String(80))
    border_port: Mapped[str] = mapped_column(String(80))
    depart_date: Mapped[dt.date] = mapped_column(Date)
    border_offset_days: Mapped[int] = mapped_column(Integer)
    transit_days: Mapped[int] = mapped_column(Integer)
    capacity_teu: Mapped[int] = mapped_column(Integer)
    max_gross_kg: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    fixed_cost_cents: Mapped[int] = mapped_column(BigInteger)
    rate_per_teu_cents: Mapped[int] = mapped_column(BigInteger)
    min_load_teu: Mapped[int] = mapped_column(Integer)
    reefer_plugs: Mapped[int] = mapped_column(Integer)
    dg_allowed: Mapped[bool] = mapped_column(Boolean)
    service_id: Mapped[str] = mapped_column(String(80))
    corridor: Mapped[str] = mapped_column(String(40))
    route: Mapped[str] = mapped_column(Text)  # node ids joined by ';'
    countries: Mapped[str] = mapped_column(Text)  # ISO codes joined by ';'
    state: Mapped[str] = mapped_column(String(12))
    used_teu: Mapped[int] = mapped_column(Integer)
    used_kg: Mapped[int] = mapped_column(BigInteger)
    used_plugs: Mapped[int] = mapped_column(Integer)
    active_bookings: Mapped[int] = mapped_column(Integer)
    __table_args__ = (
        CheckConstraint("state IN ('scheduled', 'cancelled', 'departed')", name="state"),
        CheckConstraint("capacity_teu > 0", name="capacity"),
        CheckConstraint("used_teu >= 0 AND used_teu <= capacity_teu", name="teu"),
        CheckConstraint(
            "used_kg >= 0 AND (max_gross_kg IS NULL OR used_kg <= max_gross_kg)", name="kg"
        ),
        CheckConstraint("used_plugs >= 0 AND used_plugs <= reefer_plugs", name="plugs"),
        CheckConstraint("active_bookings >= 0", name="active"),
        CheckConstraint("state <> 'cancelled' OR active_bookings = 0", name="cancelled_empty"),
        CheckConstraint("fixed_cost_cents >= 0 AND rate_per_teu_cents >= 0", name="money"),
        Index("ix_departures_crossing", "border_port", "depart_date"),
    )


class CrossingRow(Base):
    """A border port on one day: its quota (NULL: no limit) and the trains that cross it
    carrying active bookings."""

    __tablename__ = "crossings"
    port: Mapped[str] = mapped_column(String(80), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    quota: Mapped[int | None] = mapped_column(Integer, nullable=True)
    trains: Mapped[int] = mapped_column(Integer)
    __table_args__ = (
        CheckConstraint("trains >= 0 AND (quota IS NULL OR trains <= quota)", name="quota"),
    )


class VersionRow(Base):
    """One version of the ledger: every committed change makes one (a plan commit, a booking
    by hand, a cancellation, departures registered)."""

    __tablename__ = "versions"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    parent: Mapped[int | None] = mapped_column(Integer, nullable=True)
    kind: Mapped[str] = mapped_column(String(40))
    who: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    inputs_hash: Mapped[str | None] = mapped_column(String(128), nullable=True)
    objective_cents: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class BookingRow(Base):
    """Containers of one shipment on one departure. ``gross_kg`` is per container."""

    __tablename__ = "bookings"
    booking_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    shipment_id: Mapped[str] = mapped_column(String(120), index=True)
    customer: Mapped[str] = mapped_column(String(200))
    containers: Mapped[int] = mapped_column(Integer)
    container_type: Mapped[str] = mapped_column(String(8))
    teu_per_container: Mapped[int] = mapped_column(Integer)
    reefer: Mapped[bool] = mapped_column(Boolean)
    gross_kg: Mapped[int] = mapped_column(BigInteger)
    origin: Mapped[str] = mapped_column(String(80))
    destination: Mapped[str] = mapped_column(String(80))
    ready_date: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    late_penalty_cents_per_teu_day: Mapped[int] = mapped_column(BigInteger)
    split: Mapped[bool] = mapped_column(Boolean)
    avoid_countries: Mapped[str] = mapped_column(String(200))
    dg_class: Mapped[str] = mapped_column(String(20))
    departure_id: Mapped[str] = mapped_column(
        String(80), ForeignKey("departures.departure_id"), index=True
    )
    #: indexed (migration 0004_booking_state): the holds' expiry check reads ``state = 'held'``
    state: Mapped[str] = mapped_column(String(12), index=True)
    pinned: Mapped[bool] = mapped_column(Boolean)
    hold_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: the quote whose hold made this booking (migration 0002_quotes); NULL for others
    quote_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    rate_per_teu_cents: Mapped[int] = mapped_column(BigInteger)
    price_cents: Mapped[int] = mapped_column(BigInteger)
    created_version: Mapped[int] = mapped_column(Integer, ForeignKey("versions.version"))
    updated_version: Mapped[int] = mapped_column(Integer, ForeignKey("versions.version"))
    __table_args__ = (
        CheckConstraint("state IN ('held', 'confirmed', 'cancelled')", name="state"),
        CheckConstraint("containers >= 1", name="containers"),
        CheckConstraint("gross_kg > 0 AND teu_per_container > 0", name="sizes"),
        CheckConstraint("price_cents >= 0 AND rate_per_teu_cents >= 0", name="money"),
    )


QUOTE_STATES = ("held", "accepted", "expired", "released")


class QuoteRow(Base):
    """A quote that was held (migration 0002_quotes): what was asked (``request``), the
    option held (``option``), the ledger version it was made on and until when it holds.
    Its bookings carry its ``quote_id``."""

    __tablename__ = "quotes"
    quote_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    made_version: Mapped[int] = mapped_column(Integer)
    made_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    hold_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    state: Mapped[str] = mapped_column(String(12))
    departure_id: Mapped[str] = mapped_column(String(80))
    containers: Mapped[int] = mapped_column(Integer)
    price_cents: Mapped[int] = mapped_column(BigInteger)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    option: Mapped[dict[str, Any]] = mapped_column(JSON)
    __table_args__ = (
        CheckConstraint("state IN ('held', 'accepted', 'expired', 'released')", name="state"),
        CheckConstraint("containers >= 1", name="containers"),
        CheckConstraint("price_cents >= 0", name="money"),
    )


class EventRow(Base):
    """The append-only log: every change, in order. Replaying it gives the other tables."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(Integer, ForeignKey("versions.version"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


__all__ = [
    "ACTIVE_STATES",
    "BOOKING_STATES",
    "DEPARTURE_STATES",
    "QUOTE_STATES",
    "Base",
    "BookingRow",
    "CrossingRow",
    "DepartureRow",
    "EventRow",
    "Meta",
    "QuoteRow",
    "VersionRow",
]
