"""What is wrong with a :class:`~railplan.ledger.changes.Change` on its own: the checks that
need no database, run before the write transaction opens (so a malformed change takes no
lock). One line per problem; any one refuses the change.

A booking request needs a shipment and a departure id, ``containers >= 1``, a known container
type with ``0 < gross_t <= max_gross_t`` of that type, ``ready_date <= due_date``, a hold
expiry only when held, and money amounts ``>= 0``; a train state is one of
:data:`~railplan.ledger.schema.DEPARTURE_STATES`; a quota is ``>= 0`` or None; no booking is
released twice.
"""

from __future__ import annotations

from railplan.ledger.changes import Change
from railplan.ledger.records import BookingRequest
from railplan.ledger.schema import DEPARTURE_STATES
from routing.domain.model import CONTAINER_TYPES


def static_problems(ch: Change) -> list[str]:
    """What is wrong with the change on its own (no database needed)."""
    out = []
    for r in ch.requests:
        out += _request_problems(r)
    for d, s in ch.states.items():
        if s not in DEPARTURE_STATES:
            out.append(f"departure {d}: state {s!r}: expected one of {', '.join(DEPARTURE_STATES)}")
    for (port, day), q in ch.quotas.items():
        if q is not None and q < 0:
            out.append(f"border {port} on {day}: quota {q}: expected an integer >= 0")
    if len(set(ch.release)) != len(ch.release):
        out.append("a booking is released twice")
    return out


def _request_problems(r: BookingRequest) -> list[str]:
    """What is wrong with one booking request on its own."""
    out = []
    where = f"booking {r.shipment_id} on {r.departure_id}"
    ct = CONTAINER_TYPES.get(r.container_type)
    if not r.shipment_id:
        out.append(f"{where}: expected a non-empty shipment id")
    if not r.departure_id:
        out.append(f"{where}: expected a departure id")
    if r.containers < 1:
        out.append(f"{where}: containers {r.containers}: expected an integer >= 1")
    if ct is None:
        out.append(
            f"{where}: container type {r.container_type!r}: expected one of {', '.join(CONTAINER_TYPES)}"
        )
    elif not 0 < r.gross_t <= ct.max_gross_t:
        out.append(
            f"{where}: gross_t {r.gross_t:g}: expected > 0 and at most {ct.max_gross_t:g} t per {ct.code} container"
        )
    if r.due_date is not None and r.due_date < r.ready_date:
        out.append(f"{where}: due date {r.due_date} before ready date {r.ready_date}")
    if r.hold_until is not None and not r.held:
        out.append(f"{where}: a hold expiry is only for a held booking")
    if (
        r.late_penalty_per_teu_day < 0
        or (r.price is not None and r.price < 0)
        or (r.rate_per_teu is not None and r.rate_per_teu < 0)
    ):
        out.append(f"{where}: expected money amounts >= 0")
    return out
