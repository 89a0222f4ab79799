"""What a re-plan writes and commits, shared by ``railplan replan`` and ``POST /v1/replans``:
``changes.csv`` (:func:`write_changes`) and the ledger changes of its commit
(:func:`commit_data`, :class:`Moves`). No database here: these functions take plans and
records; :meth:`railplan.ledger.Ledger.commit_assignments` applies them in one transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from routing.domain.model import Shipment
from routing.domain.plan import Assignment
from routing.domain.replan import DelayTrain, Event, MoveDue, SetQuota, shipment_of
from routing.io import write_csv

if TYPE_CHECKING:
    from routing.api import ReplanResult

CHANGE_COLUMNS = (
    "shipment_id",
    "containers",
    "from_departure",
    "to_departure",
    "reason",
    "cost_change",
)


@dataclass(frozen=True, slots=True)
class Moves:
    """What a re-plan's commit changes besides booking: bookings released first, trains
    cancelled, border quotas set ((port, day) -> trains), trains delayed (id -> days)."""

    release: tuple[str, ...] = ()
    cancel_departures: tuple[str, ...] = ()
    quotas: Mapping[tuple[str, dt.date], int] = field(default_factory=dict)
    delays: Mapping[str, int] = field(default_factory=dict)

    def ledger_args(self) -> dict[str, Any]:
        """The keyword arguments of :meth:`railplan.ledger.Ledger.commit_assignments` that
        carry these changes."""
        return {
            "release": self.release,
            "cancel_departures": self.cancel_departures,
            "quotas": dict(self.quotas),
            "delays": dict(self.delays),
        }


def write_changes(path: Path, res: ReplanResult, before_cost: Mapping[str, float]) -> None:
    """``changes.csv``: one row per (shipment, from, to) move; ``cost_change`` (on a
    shipment's first row) is its freight and trucking in the new plan less its booked price."""
    after: dict[str, float] = {}
    for a in res.plan.assignments:
        s = shipment_of(a.shipment_id)
        after[s] = after.get(s, 0.0) + a.freight_cost + a.truck_cost
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for c in res.changes:
        first = c.shipment_id not in seen
        seen.add(c.shipment_id)
        delta = after.get(c.shipment_id, 0.0) - before_cost.get(c.shipment_id, 0.0)
        rows.append(
            {
                "shipment_id": c.shipment_id,
                "containers": c.containers,
                "from_departure": c.from_departure,
                "to_departure": c.to_departure or "unassigned",
                "reason": c.reason,
                "cost_change": round(delta, 2) if first else "",
            }
        )
    write_csv(path, CHANGE_COLUMNS, rows)


def commit_data(
    assignments: Sequence[Assignment],
    shipments: Sequence[Shipment],
    ids: Mapping[str, list[str]],
    removed: Mapping[str, str],
    events: Sequence[Event],
) -> tuple[list[Assignment], list[Shipment], Moves]:
    """What a re-plan's commit writes: every lot whose containers are no longer all on their
    booked train (or whose due date moved) is released and booked again where the plan puts
    it (lots under their shipment's id); removed trains are cancelled, quotas set, the other
    delayed trains moved."""
    on: dict[tuple[str, str], int] = {}
    for a in assignments:
        key = (a.shipment_id, a.departure_id)
        on[key] = on.get(key, 0) + a.containers
    by_id = {s.shipment_id: s for s in shipments}
    due_moved = {e.shipment_id for e in events if isinstance(e, MoveDue)}
    changed = {
        lid
        for lid in ids
        if lid not in by_id
        or by_id[lid].containers != on.get((lid, by_id[lid].booked_on or ""), 0)
        or shipment_of(lid) in due_moved
    }
    keep = set(ids) - changed
    delays: dict[str, int] = {}
    for e in events:
        if isinstance(e, DelayTrain) and e.departure_id not in removed:
            delays[e.departure_id] = delays.get(e.departure_id, 0) + e.days
    new = [
        dataclasses.replace(a, shipment_id=shipment_of(a.shipment_id))
        for a in assignments
        if a.shipment_id not in keep
    ]
    ships = [dataclasses.replace(s, shipment_id=shipment_of(s.shipment_id)) for s in shipments]
    moves = Moves(
        release=tuple(b for lid in sorted(changed) for b in ids[lid]),
        cancel_departures=tuple(sorted(removed)),
        quotas={(e.port, e.day): e.trains for e in events if isinstance(e, SetQuota)},
        delays=delays,
    )
    return new, ships, moves


__all__ = ["CHANGE_COLUMNS", "Moves", "commit_data", "write_changes"]
