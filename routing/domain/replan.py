"""Re-planning with minimal change: the events that change a confirmed plan, applied to the
problem, and what moved.

A confirmed booking enters the problem as a *lot*: a :class:`Shipment` of its booked containers
with ``booked_on`` set to its departure (id ``SHIPMENT@DEPARTURE``, see :func:`lot_id`). The
objective is the plan's cost plus a move penalty ``P`` per container that leaves its booked
departure:

    moved_s = sum_t max(0, before_st - after_st)

For a lot (all its containers booked on one departure ``t0``) this is ``n - x_{s,t0}``: linear.
So the options carry a *stay credit* of ``P`` per container on ``t0`` and the objective a
constant ``P n`` (:func:`routing.domain.costs.move_offset`). A container sent to the unassigned
list is moved; a container assigned that was unassigned before is not. A pinned lot has one
eligible departure, its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from network import Departure, Network
from network.io import TableError
from routing.domain.model import Problem, Shipment

#: the move penalty when none is given, USD per container that leaves its confirmed train
DEFAULT_MOVE_PENALTY_PER_CONTAINER = 500.0
#: the stay credit of a pinned lot: high enough that leaving is never worth it
PIN_PENALTY_PER_CONTAINER = 1e7
LOT_SEPARATOR = "@"


class EventError(TableError):
    """A re-planning event that cannot apply; ``problems`` holds one line each."""


def lot_id(shipment_id: str, departure_id: str) -> str:
    return f"{shipment_id}{LOT_SEPARATOR}{departure_id}"


def shipment_of(sid: str) -> str:
    """The shipment a lot (or a shipment) id belongs to."""
    return sid.rpartition(LOT_SEPARATOR)[0] or sid


@dataclass(frozen=True, slots=True)
class CancelTrain:
    departure_id: str


@dataclass(frozen=True, slots=True)
class ClosePort:
    """No train passes ``port`` from ``first`` to ``last`` (inclusive), on the day it gets
    there: a Chinese border port or any border on the route (Brest, Dostyk, Zabaikalsk...)."""

    port: str
    first: dt.date
    last: dt.date


@dataclass(frozen=True, slots=True)
class SetQuota:
    port: str
    day: dt.date
    trains: int


@dataclass(frozen=True, slots=True)
class DelayTrain:
    departure_id: str
    days: int


@dataclass(frozen=True, slots=True)
class MoveDue:
    shipment_id: str
    due: dt.date


@dataclass(frozen=True, slots=True)
class CancelShipment:
    shipment_id: str


@dataclass(frozen=True, slots=True)
class AddShipments:
    shipments: tuple[Shipment, ...]


Event = CancelTrain | ClosePort | SetQuota | DelayTrain | MoveDue | CancelShipment | AddShipments


@dataclass(frozen=True, slots=True, kw_only=True)
class Replan:
    """The problem to solve and why each departure left it (departure id -> reason)."""

    problem: Problem
    removed: dict[str, str]
    unpinned: tuple[str, ...]


def reach_day(net: Network, dep: Departure, node: str) -> dt.date | None:
    """The day ``dep`` reaches ``node`` on its route (None when it does not pass there):
    the share of the route's hours up to the node, of the train's transit days."""
    if node not in dep.route:
        return None
    i = dep.route.index(node)
    if i == 0:
        return dep.depart_date
    full = net.route(list(dep.route)).hours
    part = net.route(list(dep.route[: i + 1])).hours
    frac = part / full if full else 0.0
    return dep.depart_date + dt.timedelta(days=int(frac * dep.transit_days))


def apply_events(
    problem: Problem,
    events: Sequence[Event],
    net: Network,
    *,
    now: dt.date | None = None,
    unpin_affected: bool = False,
) -> Replan:
    """The problem after ``events``; trains departed before ``now`` are frozen (their lots
    pinned). Every event that cannot apply is one line of :class:`EventError`."""
    problems: list[str] = []
    deps = {d.departure_id: d for d in problem.departures}
    departed = {i for i, d in deps.items() if now is not None and d.depart_date < now}
    removed: dict[str, str] = {}
    quota_by_date = dict(problem.quota_by_date)
    due: dict[str, dt.date] = {}
    cancelled: set[str] = set()
    added: list[Shipment] = []
    known = {shipment_of(s.shipment_id) for s in problem.shipments}
    for ev in events:
        if isinstance(ev, CancelTrain | DelayTrain):
            if ev.departure_id not in deps:
                problems.append(f"{_flag(ev)} {ev.departure_id}: unknown departure")
            elif ev.departure_id in departed:
                problems.append(
                    f"{_flag(ev)} {ev.departure_id}: departed before {now}; it is frozen"
                )
            elif isinstance(ev, CancelTrain):
                removed[ev.departure_id] = "train cancelled"
            else:
                d = deps[ev.departure_id]
                deps[d.departure_id] = dataclasses.replace(
                    d, depart_date=d.depart_date + dt.timedelta(days=ev.days)
                )
        elif isinstance(ev, ClosePort):
            problems += _close(ev, deps, departed, net, removed)
        elif isinstance(ev, SetQuota):
            if ev.port not in net.nodes or net.nodes[ev.port].kind != "border":
                problems.append(f"--quota {ev.port}: expected a border port of the network")
            quota_by_date[(ev.port, ev.day)] = ev.trains
        elif isinstance(ev, MoveDue | CancelShipment):
            if ev.shipment_id not in known:
                problems.append(f"{_flag(ev)} {ev.shipment_id}: unknown shipment")
            elif isinstance(ev, MoveDue):
                due[ev.shipment_id] = ev.due
            else:
                cancelled.add(ev.shipment_id)
        else:
            added += ev.shipments
    ships, unpinned = _lots(problem.shipments, removed, departed, due, cancelled, unpin_affected)
    problems += [
        f"booking {s} is pinned to {removed[d]} departure {d}: unpin it or pass --unpin-affected"
        for s, d in unpinned
        if not unpin_affected
    ]
    clash = known & {s.shipment_id for s in added}
    problems += [f"--add: shipment {s} is already in the ledger" for s in sorted(clash)]
    if problems:
        raise EventError(problems)
    new = dataclasses.replace(
        problem,
        shipments=(*ships, *added),
        departures=tuple(d for i, d in deps.items() if i not in removed),
        quota_by_date=quota_by_date,
    )
    return Replan(problem=new, removed=removed, unpinned=tuple(s for s, _ in unpinned))


def _flag(ev: Event) -> str:
    return {
        CancelTrain: "--cancel-train",
        DelayTrain: "--delay-train",
        MoveDue: "--due",
        CancelShipment: "--cancel-shipment",
    }.get(type(ev), "event")


def _close(
    ev: ClosePort,
    deps: dict[str, Departure],
    departed: set[str],
    net: Network,
    removed: dict[str, str],
) -> list[str]:
    if ev.port not in net.nodes:
        return [f"--close-port {ev.port}: unknown place"]
    if ev.last < ev.first:
        return [f"--close-port {ev.port}:{ev.first}:{ev.last}: the last day is before the first"]
    for i, d in deps.items():
        day = reach_day(net, d, ev.port)
        if day is not None and ev.first <= day <= ev.last and i not in departed:
            removed.setdefault(i, f"{ev.port} closed {ev.first}..{ev.last}")
    return []


def _lots(
    shipments: Iterable[Shipment],
    removed: dict[str, str],
    departed: set[str],
    due: dict[str, dt.date],
    cancelled: set[str],
    unpin: bool,
) -> tuple[list[Shipment], list[tuple[str, str]]]:
    out: list[Shipment] = []
    affected: list[tuple[str, str]] = []
    for s in shipments:
        sid = shipment_of(s.shipment_id)
        if sid in cancelled:
            continue
        if sid in due:
            s = dataclasses.replace(s, due_date=max(due[sid], s.ready_date))
        if s.booked_on in departed:
            s = dataclasses.replace(
                s, pinned=True, move_penalty_per_container=PIN_PENALTY_PER_CONTAINER
            )
        elif s.pinned and s.booked_on in removed:
            affected.append((s.shipment_id, s.booked_on))
            if unpin:
                s = dataclasses.replace(s, pinned=False)
        out.append(s)
    return out, affected


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """Containers of a shipment that left a departure (to another, or to the unassigned list)."""

    shipment_id: str
    containers: int
    from_departure: str
    to_departure: str  # "" = unassigned
    reason: str


def changes(
    before: dict[tuple[str, str], int],
    after: dict[tuple[str, str], int],
    removed: dict[str, str],
) -> list[Change]:
    """What moved, shipment by shipment: ``before``/``after`` map (shipment, departure) to
    containers (departure "" = unassigned); containers that left a departure are paired with
    the departures that gained, in order of departure id; the rest went unassigned."""
    by_ship: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for (s, d), n in before.items():
        by_ship[s][d][0] += n
    for (s, d), n in after.items():
        by_ship[s][d][1] += n
    out: list[Change] = []
    for s in sorted(by_ship):
        rows = by_ship[s]
        gains = [(d, a - b) for d, (b, a) in sorted(rows.items()) if d and a > b]
        for d, (b, a) in sorted(rows.items()):
            if d and b > a:
                out += _pair(s, d, b - a, gains, removed.get(d, "cheaper plan"))
    return out


def _pair(s: str, d: str, n: int, gains: list[tuple[str, int]], why: str) -> list[Change]:
    """``n`` containers that left ``d``, given to the first departures that gained (``gains``
    is consumed); what is left went to the unassigned list."""
    out = []
    while n and gains:
        to, room = gains[0]
        take = min(n, room)
        out.append(
            Change(shipment_id=s, containers=take, from_departure=d, to_departure=to, reason=why)
        )
        n -= take
        if take == room:
            gains.pop(0)
        else:
            gains[0] = (to, room - take)
    if n:
        out.append(
            Change(shipment_id=s, containers=n, from_departure=d, to_departure="", reason=why)
        )
    return out


def with_bookings(
    problem: Problem, booked: Sequence[Shipment], trains: Sequence[Departure]
) -> Problem:
    """``problem`` (a new batch) planned on what is left: the booked lots join it pinned, with
    every train they ride, so the TEU, tonnes, plugs and border crossings they use are taken
    and a train that carries them runs (its fixed cost paid once)."""
    mine = {d.departure_id for d in problem.departures}
    needed = {s.booked_on for s in booked}
    extra = [d for d in trains if d.departure_id in needed and d.departure_id not in mine]
    departures = sorted(
        (*problem.departures, *extra), key=lambda d: (d.depart_date, d.departure_id)
    )
    return dataclasses.replace(
        problem, shipments=(*booked, *problem.shipments), departures=tuple(departures)
    )
