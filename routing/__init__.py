"""Shipment batches in, train assignments out: the railplan optimiser and its I/O.

>>> import network, routing
>>> net = network.load()
>>> ships = routing.read_shipments("data/samples/shipments.csv", net)
>>> plan = routing.plan(ships, net, time_limit=10)
>>> routing.check(plan)
[]
"""

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
