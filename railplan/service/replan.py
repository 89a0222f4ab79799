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

import datetime as dt
import json
import tempfile
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import network
from railplan.ledger import Ledger
from railplan.ledger.planning import lots, running
from railplan.ledger.replanning import commit_data, write_changes
from railplan.service import commit
from railplan.service.drawing import drawer
from railplan.service.models import ReplanIn, Row
from routing.domain.replan import (
    AddShipments,
    CancelShipment,
    CancelTrain,
    ClosePort,
    DelayTrain,
    Event,
    MoveDue,
    SetQuota,
)
from routing.io import InputError, read_shipments

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
        or body.add_shipments
    ):
        problems.append(
            "body: no event: give at least one of cancel_trains, delay_trains, close_ports, "
            "quotas, due_dates, cancel_shipments, add_shipments"
        )
    if body.add_shipments:
        try:
            added(body.add_shipments, net)
        except InputError as e:
            problems += [f"add_shipments: {p}" for p in e.problems]
    for field in ("close_ports", "quotas"):
        for i, row in enumerate(data[field]):
            try:
                row["port"] = net.resolve(row["port"])
            except network.UnknownPlaceError as e:
                problems.append(f"{field}[{i}].port: {e}")
    if body.move_penalties and "move_penalty" in body.model_fields_set:
        problems.append("move_penalties: give move_penalty or move_penalties, not both")
    if len(body.move_penalties) > 1 and body.commit:
        problems.append(
            "move_penalties: commit takes one move penalty (the trade-off is for looking, "
            "not booking)"
        )
    for i, c in enumerate(body.close_ports):
        if c.last < c.first:
            problems.append(f"close_ports[{i}]: last {c.last} is before first {c.first}")
    return data, problems


def added(rows: Sequence[Row], net: network.Network) -> AddShipments:
    """New shipments from rows with the columns of ``shipments.csv``, read by the reader of
    ``railplan replan --add`` (:class:`InputError`: every problem, one line each)."""
    with tempfile.TemporaryDirectory(prefix="railplan-add-") as tmp:
        path = Path(tmp) / "shipments.json"
        path.write_text(json.dumps(list(rows), ensure_ascii=False), encoding="utf-8")
        return AddShipments(tuple(read_shipments(path, net)))


def penalties(params: Mapping[str, Any]) -> list[float]:
    """The move penalties of a job's parameters: ``move_penalties`` when given, else the one
    ``move_penalty``."""
    several = [float(x) for x in params.get("move_penalties") or []]
    return several or [float(params["move_penalty"])]


def events_of(params: Mapping[str, Any], net: network.Network) -> list[Event]:
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
    if params.get("add_shipments"):
        events.append(added(params["add_shipments"], net))
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
    events = events_of(params, net)
    with Ledger(url) as led:
        base = led.version()
        bookings = led.bookings("confirmed")
        trains = running(led.departures())
        crossings = {(x.port, x.day): x.quota for x in led.crossings() if x.quota is not None}
    now = params.get("now")
    tried = []
    for pen in penalties(params):
        booked, lot_ids = lots(bookings, move_penalty=pen)
        problem = make_problem(
            booked, net, trains, border_quota_by_date=crossings, scope=str(params["scope"])
        )
        one = replan(
            problem,
            events,
            net,
            now=dt.date.fromisoformat(now) if now else None,
            unpin_affected=bool(params.get("unpin_affected", False)),
            time_limit=float(params["time_limit"]),
            seed=int(params["seed"]),
            progress=progress,
        )
        tried.append((pen, one, lot_ids))
    _, res, ids = tried[0]
    before: dict[str, float] = {}
    for b in bookings:
        before[b.shipment_id] = before.get(b.shipment_id, 0.0) + b.price_cents / 100
    out = tmp / "plan"
    lang = str(params.get("lang", "en"))
    draw = drawer(res.plan, net, bool(params.get("offline", False)), lang)

    def extra(folder: Path) -> None:
        write_changes(folder / "changes.csv", res, before)
        if params.get("maps", True):
            draw(folder)

    write_plan(res.plan, out, extra=extra, lang=lang)
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
        "move_penalty": tried[0][0],
    }
    if len(tried) > 1:
        result["tradeoff"] = [
            {
                "move_penalty": pen,
                "objective": r.plan.objective,
                "total_cost": r.plan.total_cost,
                "containers_moved": r.containers_moved,
                "shipments_moved": r.shipments_moved,
                "gap": r.plan.gap,
            }
            for pen, r, _ in tried
        ]
    if params.get("commit"):
        with Ledger(url) as led:
            r = led.commit_assignments(
                new,
                shipments=ships,
                base_version=base,
                who=str(params.get("who", "service")),
                objective=res.plan.objective,
                **moves.ledger_args(),
            )
        result["committed_version"] = r.version
        result["booking_ids"] = list(r.booking_ids)
    return result, files


__all__ = ["added", "check", "events_of", "penalties", "run"]
