"""Builders for micro-instances, shared by the tests (imported as ``tests.factories``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import routing
from network import Departure
from routing.domain.model import Problem, Shipment, TruckLeg

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "samples" / "shipments.csv"
DAY = dt.date(2026, 12, 1)


def dep(did: str, day: int = 0, **kw: Any) -> Departure:
    """A departure zhongding -> duisburg leaving ``day`` days after DAY; 10-day transit,
    100 TEU, no fixed cost, 100 USD/TEU unless overridden."""
    base: dict[str, Any] = {
        "departure_id": did,
        "origin": "zhongding",
        "destination": "duisburg",
        "depart_date": DAY + dt.timedelta(days=day),
        "transit_days": 10,
        "capacity_teu": 100,
        "fixed_cost": 0.0,
        "rate_per_teu": 100.0,
        "countries": ("CN", "KZ", "RU", "BY", "PL", "DE"),
    }
    base.update(kw)
    return Departure(**base)


def ship(sid: str, n: int = 1, **kw: Any) -> Shipment:
    """A shipment of ``n`` 20GP containers (1 TEU, 10 t) zhongding -> duisburg, ready DAY."""
    base: dict[str, Any] = {
        "shipment_id": sid,
        "origin": "zhongding",
        "destination": "duisburg",
        "containers": n,
        "container_type": "20GP",
        "gross_t": 10.0,
        "ready_date": DAY,
    }
    base.update(kw)
    return Shipment(**base)


def problem(
    ships: list[Shipment],
    deps: list[Departure],
    *,
    legs: list[TruckLeg] | None = None,
    penalty: float = 1000.0,
    **kw: Any,
) -> Problem:
    return Problem(
        shipments=tuple(ships),
        departures=tuple(deps),
        truck_legs=tuple(legs or ()),
        unassigned_penalty_per_teu=penalty,
        **kw,
    )


def solve(p: Problem, time_limit: float = 10.0) -> routing.Plan:
    """Solve and assert the plan passes the independent checker (conservation included)."""
    plan = routing.solve_problem(p, time_limit=time_limit)
    assert routing.check(plan) == []
    return plan
