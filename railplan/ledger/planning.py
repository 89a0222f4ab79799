"""What the ledger hands the planner: its confirmed bookings as lots (see
:mod:`routing.domain.replan`), its trains, and what a new batch or a re-plan must be solved
with. No database here: these functions take the ledger's records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from network import Departure
from railplan.ledger.records import Booking, DepartureRecord
from routing.domain.model import Shipment
from routing.domain.replan import PIN_PENALTY_PER_CONTAINER, lot_id, with_bookings

__all__ = ["lots", "running", "with_bookings"]


def lots(
    bookings: Iterable[Booking], *, move_penalty: float, pin_all: bool = False
) -> tuple[list[Shipment], dict[str, list[str]]]:
    """The confirmed bookings as lots, one per (shipment, departure) (the containers of two
    bookings of a shipment on one train are one lot), and the booking ids behind each lot.
    A pinned booking, or every booking with ``pin_all``, never moves."""
    grouped: dict[str, list[Booking]] = defaultdict(list)
    for b in bookings:
        if b.state == "confirmed":
            grouped[lot_id(b.shipment_id, b.departure_id)].append(b)
    out: list[Shipment] = []
    ids: dict[str, list[str]] = {}
    for lid, bs in sorted(grouped.items()):
        pinned = pin_all or any(b.pinned for b in bs)
        out.append(
            bs[0].shipment(
                shipment_id=lid,
                containers=sum(b.containers for b in bs),
                pinned=pinned,
                move_penalty_per_container=PIN_PENALTY_PER_CONTAINER if pinned else move_penalty,
            )
        )
        ids[lid] = [b.booking_id for b in bs]
    return out, ids


def running(trains: Iterable[DepartureRecord]) -> list[Departure]:
    """The registered trains that can still carry: not cancelled."""
    return [t.departure for t in trains if t.state != "cancelled"]
