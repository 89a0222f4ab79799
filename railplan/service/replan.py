"""A re-plan job (``POST /v1/replans``): the events of the request checked in the API process,
then, in the solve process, the ledger's confirmed bookings planned again after them
(:func:`routing.api.replan`), as ``railplan replan`` does.

What a commit of the re-plan needs is kept with the job as ``commit.json``: besides the new
assignments and their shipments, the bookings to release (every lot that changed), the trains
to cancel, the quotas to set and the trains to delay, so that a commit is one ledger
transaction on the version the re-plan was made on (:class:`railplan.ledger.StaleVersion`, a
``409``, if the ledger has moved on).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import network
from railplan.ledger import Ledger
from railplan.ledger.planning import lots, running
from railplan.service import commit
from railplan.service.models import ReplanIn
from routing.api import ReplanResult
from routing.domain.model import Shipment
from routing.domain.plan import Assignment
from routing.domain.replan import (
    CancelShipment,
    CancelTrain,
    ClosePort,
    DelayTrain,
    Event,
    MoveDue,
    SetQuota,
    shipment_of,
)
from routing.io import write_csv

Progress = Callable[[float, float, float], None]


def check(
    body: ReplanIn, net: network.Network, trains: Collection[str]
) -> tuple[dict[str, Any], list[str]]:
    """The job's parameters (ports resolved to their network names) and every problem of the
    body, one line each (empty: the body is good); ``trains``: the ledger's running trains."""
    problems: list[str] = []
    for i, t in enumerate(body.cancel_trains):
        if t not in trains:
            problems.append(f"cancel_trains[{i}]: {t!r}: no such running train in the ledger")
    for i, d in enumerate(body.delay_trains):
        if d.departure_id not in trains:
            problems.append(
                f"delay_trains[{i}].departure_id: {d.departure_id!r}: no such running train "
                "in the ledger"
            )
    data = body.model_dump(mode="json")
    if not (
        body.cancel_trains
        or body.delay_trains
        or body.close_ports
        or body.quotas
        or body.due_dates
        or body.cancel_shipments
    ):
        problems.append(
            "body: no event: give at least one of cancel_trains, delay_trains, close_ports, "
            "quotas, due_dates, cancel_shipments"
        )
    for field in ("close_ports", "quotas"):
        for i, row in enumerate(data[field]):
            try:
                row["port"] = net.resolve(row["port"])
            except network.UnknownPlaceError as e:
                problems.append(f"{field}[{i}].port: {e}")
    for i, c in enumerate(body.close_ports):
        if c.last < c.first:
            problems.append(f"close_ports[{i}]: last {c.last} is before first {c.first}")
    return data, problems


def events_of(params: Mapping[str, Any]) -> list[Event]:
    """The events of a job's parameters (as :func:`check` made them)."""
    day = dt.date.fromisoformat
    events: list[Event] = [CancelTrain(t) for t in params.get("cancel_trains", [])]
    events += [
        DelayTrain(d["departure_id"], int(d["days"])) for d in params.get("delay_trains", [])
    ]
    events += [
        ClosePort(c["port"], day(c["first"]), day(c["last"])) for c in params.get("close_ports", [])
    ]
    events += [
        SetQuota(q["port"], day(q["date"]), int(q["trains"])) for q in params.get("quotas", [])
    ]
    events += [MoveDue(d["shipment_id"], day(d["due_date"])) for d in params.get("due_dates", [])]
    events += [CancelShipment(s) for s in params.get("cancel_shipments", [])]
    return events


def run(
    url: str, params: Mapping[str, Any], tmp: Path, progress: Progress
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Re-plan in the solve process: the result (summary, what moved, the base version and,
    with ``commit``, the version committed) and the plan folder's files with ``changes.csv``
    and ``commit.json``."""
    from routing.api import make_problem, replan  # the solver: in the solve process only
    from routing.io import write_plan

    net = network.load(params.get("network"))
    events = events_of(params)
    with Ledger(url) as led:
        base = led.version()
        bookings = led.bookings("confirmed")
        trains = running(led.departures())
        crossings = {(x.port, x.day): x.quota for x in led.crossings() if x.quota is not None}
    booked, ids = lots(bookings, move_penalty=float(params["move_penalty"]))
    problem = make_problem(
        booked, net, trains, border_quota_by_date=crossings, scope=str(params["scope"])
    )
    now = params.get("now")
    res = replan(
        problem,
        events,
        net,
        now=dt.date.fromisoformat(now) if now else None,
        unpin_affected=bool(params.get("unpin_affected", False)),
        time_limit=float(params["time_limit"]),
        seed=int(params["seed"]),
        progress=progress,
    )
    before: dict[str, float] = {}
    for b in bookings:
        before[b.shipment_id] = before.get(b.shipment_id, 0.0) + b.price_cents / 100
    out = tmp / "plan"
    write_plan(
        res.plan, out, extra=lambda folder: write_changes(folder / "changes.csv", res, before)
    )
    files = {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    new, ships, moves = commit_data(
        res.plan.assignments, res.plan.problem.shipments, ids, res.removed, events
    )
    files["commit.json"] = commit.dump(base, new, ships, moves)
    result: dict[str, Any] = {
        "objective": res.plan.objective,
        "total_cost": res.plan.total_cost,
        "gap": res.plan.gap,
        "base_version": base,
        "containers_moved": res.containers_moved,
        "shipments_moved": res.shipments_moved,
        "removed_departures": sorted(res.removed),
        "released_bookings": len(moves.release),
    }
    if params.get("commit"):
        with Ledger(url) as led:
            r = led.commit_assignments(
                new,
                shipments=ships,
                base_version=base,
                who=str(params.get("who", "service")),
                objective=res.plan.objective,
                release=moves.release,
                cancel_departures=moves.cancel_departures,
                quotas=dict(moves.quotas),
                delays=dict(moves.delays),
            )
        result["committed_version"] = r.version
        result["booking_ids"] = list(r.booking_ids)
    return result, files


CHANGE_COLUMNS = (
    "shipment_id",
    "containers",
    "from_departure",
    "to_departure",
    "reason",
    "cost_change",
)


def write_changes(path: Path, res: ReplanResult, before_cost: Mapping[str, float]) -> None:
    """``changes.csv`` as ``railplan replan`` writes it: one row per (shipment, from, to) move;
    ``cost_change`` (on a shipment's first row) is its freight and trucking in the new plan
    less its booked price."""
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
) -> tuple[list[Assignment], list[Shipment], commit.Moves]:
    """What ``railplan replan --commit`` writes: every lot whose containers are no longer all
    on their booked train (or whose due date moved) is released and booked again where the
    plan puts it; removed trains are cancelled, quotas set, the other delayed trains moved."""
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
    moves = commit.Moves(
        release=tuple(b for lid in sorted(changed) for b in ids[lid]),
        cancel_departures=tuple(sorted(removed)),
        quotas={(e.port, e.day): e.trains for e in events if isinstance(e, SetQuota)},
        delays=delays,
    )
    return new, ships, moves


__all__ = ["check", "commit_data", "events_of", "run"]
