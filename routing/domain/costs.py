"""The objective of a solution, term by term: the one place its cost is computed."""

from __future__ import annotations

from collections import defaultdict

from routing.domain.model import Problem
from routing.domain.options import Options
from routing.domain.solution import Solution


def cost_breakdown(problem: Problem, opts: Options, sol: Solution) -> dict[str, float]:
    deps = problem.departures
    fixed = sum(deps[t].fixed_cost for t in sol.runs)
    freight = truck = late = 0.0
    assigned: dict[int, int] = defaultdict(int)
    for o, n in sol.counts.items():
        op = opts.options[o]
        freight += n * op.freight_per_container
        truck += n * op.truck_per_container
        late += n * op.late_per_container
        assigned[op.s] += n
    left_teu = sum(
        (sh.containers - assigned[s]) * sh.teu_per_container
        for s, sh in enumerate(problem.shipments)
    )
    penalty = left_teu * problem.unassigned_penalty_per_teu
    total = fixed + freight + truck + late
    return {
        "fixed": fixed,
        "freight": freight,
        "truck": truck,
        "late": late,
        "unassigned_penalty": penalty,
        "total_cost": total,
        "objective": total + penalty,
    }
