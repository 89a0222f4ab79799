"""The optimiser's entry point: one part's model built (:mod:`.build`) and solved by a back
end (:mod:`.backends`), or by the ``auto`` pipeline: CP-SAT on small parts, relax-fix-round
(:mod:`.relax_fix_round`), the large-neighbourhood search (:mod:`.lns`)
and HiGHS's search from the best plan. The mathematics is in :mod:`.build` and docs/model.md.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from routing.domain.model import Problem
from routing.domain.options import Options
from routing.domain.solution import Solution
from routing.optimise import backends, cpsat, highs
from routing.optimise.build import Builder, Model
from routing.optimise.lns import lns
from routing.optimise.mathopt import mathopt_model, run_highs
from routing.optimise.matrix import Matrix
from routing.optimise.params import DEFAULT, INF, Deadline, SolveParams
from routing.optimise.relax_fix_round import lp_heuristic
from routing.optimise.status import BackendResult, Progress, Status

BACKENDS = ("auto", *backends.REGISTRY)

__all__ = ["BACKENDS", "Model", "Progress", "SolveResult", "Status", "solve"]


@dataclass(frozen=True, slots=True)
class SolveResult:
    solution: Solution | None
    status: str  # a Status: optimal | feasible | unknown | error
    bound: float  # proven lower bound on the objective, USD
    seconds: float
    build_seconds: float
    #: the model it solved, to solve again without building it (see ``solve(model=...)``)
    model: Model | None = field(default=None, repr=False, compare=False)


def solve(
    problem: Problem,
    opts: Options,
    *,
    hint: Solution | None = None,
    time_limit: float = 30.0,
    seed: int = 0,
    workers: int = 1,
    backend: str = "auto",
    progress: Progress | None = None,
    heuristic: bool = True,
    mip: bool = True,
    model: Model | None = None,
    params: SolveParams = DEFAULT,
) -> SolveResult:
    """Solve the assignment MIP with a back end (see :data:`BACKENDS`).

    ``auto`` runs CP-SAT (small models), relax-fix-round (:func:`lp_heuristic`), then
    large-neighbourhood search from the best plan (:func:`lns`), then HiGHS's search from it.
    ``heuristic=False`` skips the quick starts, CP-SAT's and relax-fix-round's (for a re-solve
    whose hint already holds them), and the relaxation's bound when HiGHS stops before its
    root (the caller has the first solve's bound); ``mip=False`` stops before HiGHS's search,
    leaving the time after relax-fix-round to the neighbourhood search (a first pass over many
    parts, whose time then goes where the gaps are).
    ``model`` is the one an earlier result of the same problem and options returned."""
    if backend not in BACKENDS:
        raise ValueError(f"backend={backend!r}: expected one of {', '.join(BACKENDS)}")
    t0 = time.perf_counter()
    b = model if model is not None else Builder(problem, opts)
    hint_vals = b.hint_values(hint) if hint is not None else None
    build = time.perf_counter() - t0
    const = b.mx.constant
    if not b.run:
        return SolveResult(
            Solution({}, frozenset()), Status.OPTIMAL.value, const + _u_cost(b), 0.0, build, model=b
        )
    deadline = Deadline(time_limit)
    if backend == "auto":
        res = _auto(b, hint_vals, deadline, seed, workers, progress, heuristic, mip, params)
    else:
        res = backends.REGISTRY[backend](
            b.mx, hint_vals, time_limit, seed=seed, workers=workers, progress=progress
        )
    bound = res.bound
    if (
        res.status != Status.OPTIMAL and not bound >= b.mx.trivial_bound and heuristic
    ):  # stopped before its root: the LP bounds it (a re-solve's caller has its bound)
        bound = max(bound, _lp_bound(b.mx, max(1.0, 0.2 * time_limit)))
    seconds = deadline.elapsed()
    sol = b.solution(res.values) if res.values is not None else None
    return SolveResult(sol, res.status.value, bound + const, seconds, build, model=b)


def _auto(
    b: Builder,
    hint_vals: list[float] | None,
    deadline: Deadline,
    seed: int,
    workers: int,
    progress: Progress | None,
    heuristic: bool,
    mip: bool,
    params: SolveParams,
) -> BackendResult:
    """The ``auto`` back end: CP-SAT proves small and facility-location-like parts fast; the
    rest get relax-fix-round, the neighbourhood search and HiGHS's search, warm-started from
    the best plan, which closes the larger time-structured ones (BENCHMARKS.md)."""
    mx = b.mx
    res = BackendResult(Status.UNKNOWN, None, -INF)
    if heuristic and len(mx.lb) <= params.auto_cp_sat_max_columns:
        quick = min(params.auto_cp_sat_seconds, 0.25 * deadline.seconds)
        res = cpsat.solve(
            mx, hint_vals, quick, seed=seed, workers=1, progress=progress, deterministic=True
        )
    if res.status == Status.OPTIMAL:
        return res
    bound = res.bound
    start = _cheapest(mx, [res.values, hint_vals])
    if heuristic:
        share = params.lp_heuristic_share if mip else 1.0
        lp_vals, lp_bound = lp_heuristic(b, share * max(0.0, deadline.remaining()), params=params)
        bound = max(bound, lp_bound)
        start = _cheapest(mx, [start, lp_vals])
    if start is not None and mx.cost_of(start) > bound + 1e-6:
        # windows of trains planned again while one improves
        until = deadline.child(params.lns_share if mip else 1.0)
        start = lns(
            b, start, until, window=params.lns_window, seconds=params.lns_seconds, seed=seed
        )
    found = BackendResult(Status.UNKNOWN, None, -INF)
    if mip:
        found = highs.solve(mx, start, max(0.5, deadline.remaining()), seed=seed)
    status: Status = res.status
    vals = res.values
    if found.values is not None and (
        found.status == Status.OPTIMAL or mx.cost_of(found.values) <= mx.cost_of(start)
    ):
        status, vals = found.status, found.values
    elif start is not None:  # HiGHS found nothing better than the start it was given
        status, vals = Status.FEASIBLE, start
    bound = max(bound, found.bound)
    if status != Status.OPTIMAL and vals is not None and mx.cost_of(vals) <= bound + 1e-6:
        status = Status.OPTIMAL  # the plan meets the bound
    return BackendResult(status, vals, bound)


def _lp_bound(mx: Matrix, time_limit: float) -> float:
    """The optimum of the linear relaxation (HiGHS through MathOpt): a valid lower bound; if
    it does not finish in time, the trivial bound that every container costs at least its
    cheapest option or its unassigned penalty (fixed costs >= 0), which is valid too."""
    ans = run_highs(mathopt_model(mx, integer=False), time_limit)
    if ans.reason == "optimal":
        return ans.objective - 1e-6 * abs(ans.objective)
    return mx.trivial_bound


def _cheapest(mx: Matrix, candidates: Sequence[list[float] | None]) -> list[float] | None:
    """The feasible candidate plan (column values) of least cost."""
    best, best_cost = None, INF
    for vals in candidates:
        if vals is not None and mx.feasible(vals) and mx.cost_of(vals) < best_cost:
            best, best_cost = vals, mx.cost_of(vals)
    return best


def _u_cost(b: Builder) -> float:
    return sum(b.mx.cost[j] * b.mx.ub[j] for j in b.u.values())
