"""Shipment batches in, train assignments out: the railplan optimiser and its I/O.

>>> import network, routing
>>> net = network.load()
>>> ships = routing.read_shipments("data/samples/shipments.csv", net)
>>> plan = routing.plan(ships, net, time_limit=10)
>>> routing.check(plan)
[]
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names as the type checker sees them; at run time see __getattr__
    from routing.api import horizon, make_problem, plan, solve_problem
    from routing.domain.check import check
    from routing.domain.model import CONTAINER_TYPES, Problem, Shipment, TruckLeg
    from routing.domain.plan import Assignment, Plan, TrainLoad, Unassigned
    from routing.io import (
        InputError,
        read_border_quota,
        read_departures,
        read_plan,
        read_rates,
        read_shipments,
        read_trucking,
        write_plan,
    )

#: the package's exports and the module of each, imported on first use (PEP 562), so that
#: importing one part of routing (e.g. ``routing.quote``) does not import the optimiser
_EXPORTS = {
    **dict.fromkeys(("horizon", "make_problem", "plan", "solve_problem"), "routing.api"),
    "check": "routing.domain.check",
    **dict.fromkeys(("CONTAINER_TYPES", "Problem", "Shipment", "TruckLeg"), "routing.domain.model"),
    **dict.fromkeys(("Assignment", "Plan", "TrainLoad", "Unassigned"), "routing.domain.plan"),
    **dict.fromkeys(
        (
            "InputError",
            "read_border_quota",
            "read_departures",
            "read_plan",
            "read_rates",
            "read_shipments",
            "read_trucking",
            "write_plan",
        ),
        "routing.io",
    ),
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'routing' has no attribute {name!r}")


__all__ = [
    "CONTAINER_TYPES",
    "Assignment",
    "InputError",
    "Plan",
    "Problem",
    "Shipment",
    "TrainLoad",
    "TruckLeg",
    "Unassigned",
    "check",
    "horizon",
    "make_problem",
    "plan",
    "read_border_quota",
    "read_departures",
    "read_plan",
    "read_rates",
    "read_shipments",
    "read_trucking",
    "solve_problem",
    "write_plan",
]
