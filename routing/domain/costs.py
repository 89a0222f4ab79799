"""The objective of a solution, term by term: the one place its cost is computed."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from routing.domain.model import Problem, Shipment
from routing.domain.options import Options
from routing.domain.solution import Solution


def cost_breakdown(problem: Problem, opts: Options, sol: Solution) -> dict[str, float]:
    """Fixed, freight, trucking, lateness, unassigned, move and carbon (carbon price x WTW
    CO2e) terms of ``sol``; ``objective`` is their sum (what the optimiser minimises),
    ``total_cost`` the first four."""
    deps = problem.departures
    fixed = sum(deps[t].fixed_cost for t in sol.runs)
    freight = truck = late = carbon = 0.0
    assigned: dict[int, int] = defaultdict(int)
    for o, n in sol.counts.items():
        op = opts.options[o]
        freight += n * op.freight_per_container
        truck += n * op.truck_per_container
        late += n * op.late_per_container
        carbon += n * op.co2e_cost_per_container
        assigned[op.s] += n
    left_teu = sum(
        (sh.containers - assigned[s]) * sh.teu_per_container
        for s, sh in enumerate(problem.shipments)
    )
    penalty = left_teu * problem.unassigned_penalty_per_teu
    credit = sum(n * opts.options[o].stay_credit_per_container for o, n in sol.counts.items())
    move = move_offset(problem.shipments) - credit
    total = fixed + freight + truck + late
    return {
        "fixed": fixed,
        "freight": freight,
        "truck": truck,
        "late": late,
        "unassigned_penalty": penalty,
        "move_penalty": move,
        "carbon": carbon,
        "total_cost": total,
        "objective": total + penalty + move + carbon,
    }


def move_offset(shipments: Iterable[Shipment]) -> float:
    """``sum_s P_s n_s`` over booked lots: the move term ``P_s (n_s - x_{s,booked})`` is this
    constant less the options' stay credits (see :mod:`routing.domain.replan`)."""
    return sum(s.move_penalty_per_container * s.containers for s in shipments if s.booked_on)


def trivial_bound(problem: Problem, opts: Options) -> float:
    """A lower bound on the objective that needs no model: every container at its cheapest,
    an option's cost a container or its unassigned penalty (fixed costs >= 0), plus the move
    term's constant: ``sum_s n_s min(P teu_s, min_o c_o) + move_offset``."""
    total = move_offset(problem.shipments)
    for s, sh in enumerate(problem.shipments):
        cheapest = problem.unassigned_penalty_per_teu * sh.teu_per_container
        for o in opts.by_shipment[s]:
            cheapest = min(cheapest, opts.options[o].cost_per_container)
        total += sh.containers * cheapest
    return total
