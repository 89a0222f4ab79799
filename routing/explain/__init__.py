"""Explanations a planner can act on: a verified reason for every unassigned and every late
shipment of a plan, and the binding resources ranked by the exact saving of one more unit.

>>> import network, routing, routing.explain
>>> net = network.load()
>>> plan = routing.plan(routing.read_shipments("data/samples/shipments.csv", net), net)
>>> ex = routing.explain.explain(plan, top=3)
>>> all(f.code in routing.explain.SHIPMENT_CODES for f in ex.findings)
True

The layer sits above :mod:`routing.api`; it re-solves parts of the plan through
:func:`routing.optimise.solve` (:mod:`routing.explain.resolve`), warm-started from the plan.
"""

from __future__ import annotations

import time

from routing.domain.plan import Plan
from routing.explain.codes import (
    RESOURCE_UNITS,
    SHIPMENT_CODES,
    Explanation,
    Finding,
    ResourceValue,
)
from routing.explain.resolve import Resolver
from routing.explain.resources import binding_resources
from routing.explain.shipments import explain_shipments
from routing.explain.state import plan_state

__all__ = [
    "RESOURCE_UNITS",
    "SHIPMENT_CODES",
    "Explanation",
    "Finding",
    "ResourceValue",
    "explain",
]

#: seconds each re-solve of a part may take
DEFAULT_RESOLVE_SECONDS = 2.0
#: the binding resources printed
DEFAULT_TOP = 10


def explain(
    plan: Plan,
    *,
    top: int = DEFAULT_TOP,
    candidates: int | None = None,
    time_limit: float = DEFAULT_RESOLVE_SECONDS,
) -> Explanation:
    """Why each unassigned and late shipment of ``plan`` is so (verified reasons), and the
    ``top`` binding resources by the exact saving of one more unit, of the ``candidates``
    (default ``3 x top``) best by a cheap estimate; each re-solve of a part has
    ``time_limit`` seconds."""
    if top < 0:
        raise ValueError(f"top={top!r}: expected an integer >= 0")
    if time_limit <= 0:
        raise ValueError(f"time_limit={time_limit!r}: expected > 0")
    t0 = time.perf_counter()
    problem = plan.problem
    counts: dict[tuple[str, str], int] = {}
    for a in plan.assignments:
        key = (a.shipment_id, a.departure_id)
        counts[key] = counts.get(key, 0) + a.containers
    runs = frozenset(tr.departure_id for tr in plan.trains if tr.runs)
    res = Resolver(problem, counts, runs, time_limit=time_limit)
    st = plan_state(plan, problem, res.opts)
    findings = explain_shipments(st, res)
    n = 3 * top if candidates is None else candidates
    resources, n_cands = binding_resources(st, res, top=top, n_candidates=n)
    return Explanation(
        findings=tuple(findings),
        resources=tuple(resources),
        candidates=n_cands,
        resolves=res.resolves,
        seconds=round(time.perf_counter() - t0, 3),
    )
