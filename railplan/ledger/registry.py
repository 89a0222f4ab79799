"""Registering dated trains and their border crossings (:meth:`Ledger.register_departures`).

Idempotent: a train registered before with the same limits is skipped, with other limits the
whole call is :class:`Refused`; when nothing is new no version is made. Locks: the meta row,
then the given departures that exist. A new train starts ``scheduled`` with every usage
counter 0; each new (border port, border day) gets a crossing with ``trains = 0`` and its
quota from ``quota_by_date``, else ``quota`` (per port), else none. Existing crossings keep
their quota.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from network import Departure
from railplan.ledger.errors import Refused
from railplan.ledger.rows import CROSS, DEP, EVT, border_day, departure_row, iso
from railplan.ledger.versions import add_version, bump_meta, event, lock_meta, now

Row = dict[str, Any]


def register(
    c: Connection,
    deps: Sequence[Departure],
    quota: Mapping[str, int],
    by_date: Mapping[tuple[str, dt.date], int],
    who: str,
) -> int:
    """Register ``deps`` in the caller's write transaction; returns the ledger version."""
    v0 = lock_meta(c)
    rows = _rows(deps)
    old = {
        r["departure_id"]: r
        for r in c.execute(
            select(DEP).where(DEP.c.departure_id.in_(sorted(rows))).with_for_update()
        ).mappings()
    }
    problems = _changed_limits(old, rows)
    if problems:
        raise Refused(problems)
    new = [rows[i] for i in rows if i not in old]
    if not new:
        return v0
    v = v0 + 1
    at = now()
    new_cross = _new_crossings(c, new, quota, by_date)
    add_version(c, v, v0, "register_departures", who, at)
    c.execute(
        insert(DEP),
        [
            {
                **r,
                "state": "scheduled",
                "used_teu": 0,
                "used_kg": 0,
                "used_plugs": 0,
                "active_bookings": 0,
            }
            for r in new
        ],
    )
    if new_cross:
        c.execute(insert(CROSS), new_cross)
    events = [event(v, at, "departure", {k: iso(x) for k, x in r.items()}) for r in new]
    events += [
        event(v, at, "quota", {"port": x["port"], "day": x["day"].isoformat(), "quota": x["quota"]})
        for x in new_cross
    ]
    c.execute(insert(EVT), events)
    bump_meta(c, v0, v)
    return v


def _rows(deps: Sequence[Departure]) -> dict[str, Row]:
    """The ``departures`` rows of ``deps`` by id; :class:`Refused` if an id is given twice."""
    rows = {d.departure_id: departure_row(d) for d in deps}
    if len(rows) != len(deps):
        dup = sorted(
            {
                d.departure_id
                for d in deps
                if sum(x.departure_id == d.departure_id for x in deps) > 1
            }
        )
        raise Refused([f"departure {i}: given twice" for i in dup[:20]])
    return rows


def _changed_limits(old: Mapping[str, Mapping[Any, Any]], rows: Mapping[str, Row]) -> list[str]:
    """One line per registered train given again with another value (its first such column)."""
    problems = []
    for did in sorted(old):
        for k, v in rows[did].items():
            if old[did][k] != v:
                problems.append(f"departure {did}: registered with {k} {old[did][k]!r}, not {v!r}")
                break
    return problems


def _new_crossings(
    c: Connection,
    new: Sequence[Row],
    quota: Mapping[str, int],
    by_date: Mapping[tuple[str, dt.date], int],
) -> list[Row]:
    """The ``crossings`` rows of the new trains' (border port, day) not yet registered."""
    keys = sorted({(r["border_port"], border_day(r)) for r in new if r["border_port"]})
    have = {
        (r["port"], r["day"])
        for r in c.execute(
            select(CROSS.c.port, CROSS.c.day).where(CROSS.c.port.in_(sorted({k[0] for k in keys})))
        ).mappings()
    }
    return [
        {"port": p, "day": d, "quota": by_date.get((p, d), quota.get(p)), "trains": 0}
        for p, d in keys
        if (p, d) not in have
    ]
