"""What committing a finished plan needs, kept with the job as ``commit.json``: the plan's new
assignments (those not of a booked lot) and their shipments, written by the worker and read
back by the API for :meth:`railplan.ledger.Ledger.commit_assignments`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from railplan.ledger.replanning import Moves
from routing.domain.model import Shipment
from routing.domain.plan import Assignment

_DATES = ("ready_date", "due_date", "depart_date", "arrival_date")


def _plain(obj: Any) -> dict[str, Any]:
    out = {}
    for f in dataclasses.fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, dt.date):
            v = v.isoformat()
        elif isinstance(v, frozenset):
            v = sorted(v)
        out[f.name] = v
    return out


def _typed(d: dict[str, Any]) -> dict[str, Any]:
    out = dict(d)
    for k in _DATES:
        if out.get(k) is not None:
            out[k] = dt.date.fromisoformat(out[k])
    if "avoid_countries" in out:
        out["avoid_countries"] = frozenset(out["avoid_countries"])
    return out


def dump(
    base_version: int,
    assignments: Sequence[Assignment],
    shipments: Sequence[Shipment],
    moves: Moves | None = None,
) -> bytes:
    """``commit.json`` of a plan made on ledger version ``base_version``."""
    data: dict[str, Any] = {
        "base_version": base_version,
        "assignments": [_plain(a) for a in assignments],
        "shipments": [_plain(s) for s in shipments],
    }
    if moves is not None:
        data["moves"] = {
            "release": list(moves.release),
            "cancel_departures": list(moves.cancel_departures),
            "quotas": [[p, d.isoformat(), n] for (p, d), n in sorted(moves.quotas.items())],
            "delays": dict(moves.delays),
        }
    return json.dumps(data, ensure_ascii=False).encode()


def moves_of(content: bytes) -> Moves:
    """The re-plan part of ``commit.json`` (none for a plan's)."""
    m = json.loads(content).get("moves")
    if not m:
        return Moves()
    return Moves(
        release=tuple(m["release"]),
        cancel_departures=tuple(m["cancel_departures"]),
        quotas={(p, dt.date.fromisoformat(d)): int(n) for p, d, n in m["quotas"]},
        delays={k: int(v) for k, v in m["delays"].items()},
    )


def load(content: bytes) -> tuple[int, list[Assignment], list[Shipment]]:
    data = json.loads(content)
    return (
        int(data["base_version"]),
        [Assignment(**_typed(a)) for a in data["assignments"]],
        [Shipment(**_typed(s)) for s in data["shipments"]],
    )


__all__ = ["Moves", "dump", "load", "moves_of"]
