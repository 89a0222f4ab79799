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
from routing.optimise.facility import flow_search, flow_shaped
from routing.optimise.kernel import is_dense, kernel_search
from routing.optimise.lagrange import arrays, lagrangian_bound
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
    #: how the plan was searched for (:data:`METHODS`) and where the bound comes from
    #: (:data:`BOUND_SOURCES`)
    method: str = "auto"
    bound_source: str = "mip"
    #: the decomposition's parts: size, method, status, objective, bound and its source
    parts_detail: tuple[dict[str, object], ...] = field(default=(), compare=False)


#: the pipelines of a part: ``cp-sat`` (proved by CP-SAT's quick attempt), ``relax-fix-round``
#: (relax-fix-round, neighbourhoods and HiGHS's search), ``kernel`` (a dense part: the
#: Lagrangian bound and kernel search), ``deterministic`` (``work`` given), ``hint`` (no time
#: left: the warm start kept), or a back end's name
METHODS = ("cp-sat", "relax-fix-round", "kernel", "deterministic", "hint")
#: ``mip`` (a search's proven bound), ``lp`` (the linear relaxation, with cuts and branching
#: where relax-fix-round ran them), ``lagrangian`` (:mod:`.lagrange`), ``trivial`` (every
#: container at its cheapest: only when no time was left for anything else)
BOUND_SOURCES = ("mip", "lp", "lagrangian", "trivial")


class _Bound:
    """The best bound so far and where it came from."""

    def __init__(self) -> None:
        self.value, self.source = -INF, "trivial"

    def offer(self, value: float, source: str) -> None:
        if value > self.value:
            self.value, self.source = value, source


def solve(
    problem: Problem,
    opts: Options,
    *,
    hint: Solution | None = None,
    time_limit: float = 30.0,
    deadline: Deadline | None = None,
    work: float | None = None,
    seed: int = 0,
    workers: int = 1,
    backend: str = "auto",
    progress: Progress | None = None,
    heuristic: bool = True,
    mip: bool = True,
    model: Model | None = None,
    params: SolveParams = DEFAULT,
) -> SolveResult:
    """Solve the assignment MIP with a back end (see :data:`BACKENDS`) by ``deadline`` (by
    default ``time_limit`` seconds from now; the model's building counts).

    ``auto`` runs CP-SAT (small models), relax-fix-round (:func:`lp_heuristic`), then
    large-neighbourhood search from the best plan (:func:`lns`), then HiGHS's search from it;
    a dense part (:func:`~.kernel.is_dense`) gets the Lagrangian bound and kernel search
    instead. ``work``: the deterministic pipeline (:func:`_deterministic`) within ``work``
    units, whatever the clock says. ``heuristic=False`` skips the quick starts, CP-SAT's and
    relax-fix-round's (for a re-solve whose hint already holds them), and the bound of a solve
    stopped before its root (the caller has the first solve's bound); ``mip=False`` stops
    before HiGHS's search, leaving the time after relax-fix-round to the neighbourhood search.
    ``model`` is the one an earlier result of the same problem and options returned."""
    if backend not in BACKENDS:
        raise ValueError(f"backend={backend!r}: expected one of {', '.join(BACKENDS)}")
    deadline = deadline if deadline is not None else Deadline(time_limit)
    t0 = time.perf_counter()
    b = model if model is not None else Builder(problem, opts)
    hint_vals = b.hint_values(hint) if hint is not None else None
    build = time.perf_counter() - t0
    const = b.mx.constant
    if not b.run:
        return SolveResult(
            Solution({}, frozenset()),
            Status.OPTIMAL.value,
            const + _u_cost(b),
            0.0,
            build,
            model=b,
            method="trivial",
            bound_source="mip",
        )
    bound = _Bound()
    if work is not None:
        res, method = _deterministic(b, hint_vals, work, seed, bound, params), "deterministic"
    elif backend == "auto":
        res, method = _auto(
            b, hint_vals, deadline, seed, workers, progress, heuristic, mip, params, bound
        )
    else:
        left = max(0.01, deadline.remaining() - params.highs_overrun_per_column * len(b.mx.lb))
        res = backends.REGISTRY[backend](
            b.mx, hint_vals, left, seed=seed, workers=workers, progress=progress
        )
        bound.offer(res.bound, "mip")
        method = backend
    if res.status != Status.OPTIMAL and not bound.value >= b.mx.trivial_bound and heuristic:
        _fallback_bound(b, deadline, res.values, bound, work)
    bound.offer(b.mx.trivial_bound, "trivial")
    seconds = time.perf_counter() - t0 - build
    sol = b.solution(res.values) if res.values is not None else None
    return SolveResult(
        sol,
        res.status.value,
        bound.value + const,
        seconds,
        build,
        model=b,
        method=method,
        bound_source="mip" if res.status == Status.OPTIMAL else bound.source,
    )


def _fallback_bound(
    b: Builder, deadline: Deadline, vals: list[float] | None, bound: _Bound, work: float | None
) -> None:
    """A solve stopped before its root: the linear relaxation bounds it if it fits in the time
    left (or ``work``), else the Lagrangian bound (a few milliseconds an iteration)."""
    left = deadline.remaining()
    cols = len(b.mx.lb)
    if work is not None or left > 2e-5 * cols + 0.2:
        lp = _lp_bound(b.mx, max(0.05, left), work=work)
        bound.offer(lp, "lp")
        if lp > -INF:
            return
    upper = b.mx.cost_of(vals) if vals is not None else None
    until = deadline.until(max(0.05, min(2.0, 0.05 * max(deadline.seconds, 1.0))))
    lag = lagrangian_bound(
        arrays(b),
        Deadline(INF) if work is not None else until,
        upper=upper,
        max_iterations=200 if work is not None else 400,
    )
    bound.offer(lag.bound, "lagrangian")


def _deterministic(
    b: Builder,
    hint_vals: list[float] | None,
    work: float,
    seed: int,
    bound: _Bound,
    params: SolveParams,
) -> BackendResult:
    """The pipeline of ``--work-limit``: nothing in it reads the clock, so the same model,
    hint, seed and ``work`` give the same plan on any machine under any load. CP-SAT's quick
    attempt on a small part (deterministic time, one worker); a dense part: the Lagrangian
    bound (a fixed number of steps) and kernel search with node and iteration limits; any
    other: HiGHS's search from the best plan within ``work`` units (:func:`work_limits`), or
    on a part of more than ``work_highs_max_columns`` columns (whose root HiGHS would process
    whatever the node limit) CP-SAT's, ``work`` deterministic seconds."""
    mx = b.mx
    res = BackendResult(Status.UNKNOWN, None, -INF)
    if len(mx.lb) <= params.auto_cp_sat_max_columns:
        quick = min(params.auto_cp_sat_seconds, 0.25 * work)
        res = cpsat.solve(
            mx, hint_vals, quick, seed=seed, workers=1, deterministic=True, wall_cap=False
        )
        bound.offer(res.bound, "mip")
        if res.status == Status.OPTIMAL:
            return res
    start = _cheapest(mx, [res.values, hint_vals])
    if is_dense(b, params):
        a = arrays(b)
        upper = mx.cost_of(start) if start is not None else None
        lag = lagrangian_bound(a, Deadline(INF), upper=upper, max_iterations=300)
        bound.offer(lag.bound, "lagrangian")
        start = _cheapest(
            mx, [start, kernel_search(b, a, lag, start, Deadline(INF), seed=seed, work=work)]
        )
        return _finish(mx, BackendResult(Status.FEASIBLE, start, bound.value), start, bound)
    if len(mx.lb) > params.work_highs_max_columns:  # HiGHS's root alone has no work limit
        found = cpsat.solve(
            mx, start, work, seed=seed, workers=1, deterministic=True, wall_cap=False
        )
    else:
        found = highs.solve(mx, start, INF, seed=seed, work=work)
    bound.offer(found.bound, "mip")
    return _finish(mx, found, start, bound)


def _finish(
    mx: Matrix, found: BackendResult, start: list[float] | None, bound: _Bound
) -> BackendResult:
    """The better of ``found`` and ``start``; optimal where it meets the bound."""
    status, vals = found.status, found.values
    if vals is None or (
        found.status != Status.OPTIMAL
        and start is not None
        and mx.cost_of(start) < mx.cost_of(vals)
    ):
        status, vals = (Status.FEASIBLE, start) if start is not None else (found.status, None)
    if status != Status.OPTIMAL and vals is not None and mx.cost_of(vals) <= bound.value + 1e-6:
        status = Status.OPTIMAL  # the plan meets the bound
    return BackendResult(status, vals, bound.value)


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
    bound: _Bound,
) -> tuple[BackendResult, str]:
    """The ``auto`` back end: CP-SAT proves small and facility-location-like parts fast; dense
    parts get :func:`_dense`; the rest get relax-fix-round, the neighbourhood search and
    HiGHS's search, warm-started from the best plan, which closes the larger time-structured
    ones (BENCHMARKS.md). Every step's time is capped by what ``deadline`` has left."""
    mx = b.mx
    res = BackendResult(Status.UNKNOWN, None, -INF)
    if heuristic and len(mx.lb) <= params.auto_cp_sat_max_columns:
        quick = min(
            params.auto_cp_sat_seconds, max(0.1, 0.25 * deadline.seconds), deadline.remaining()
        )
        if quick > 0.02:
            res = cpsat.solve(
                mx, hint_vals, quick, seed=seed, workers=1, progress=progress, deterministic=True
            )
            bound.offer(res.bound, "mip")
    if res.status == Status.OPTIMAL:
        return res, "cp-sat"
    start = _cheapest(mx, [res.values, hint_vals])
    if heuristic and is_dense(b, params):
        return _dense(b, start, deadline, seed, params, bound), "kernel"
    if heuristic and deadline.remaining() > 0.05:
        share = params.lp_heuristic_share if mip else 1.0
        lp_vals, lp_bound = lp_heuristic(b, share * max(0.0, deadline.remaining()), params=params)
        bound.offer(lp_bound, "lp")
        start = _cheapest(mx, [start, lp_vals])
    if start is not None and mx.cost_of(start) > bound.value + 1e-6:
        # windows of trains planned again while one improves
        until = deadline.child(params.lns_share if mip else 1.0)
        start = lns(
            b, start, until, window=params.lns_window, seconds=params.lns_seconds, seed=seed
        )
    found = BackendResult(Status.UNKNOWN, None, -INF)
    left = deadline.remaining() - params.highs_overrun_per_column * len(mx.lb)
    if mip and left > 0.1:
        found = highs.solve(mx, start, left, seed=seed)
        bound.offer(found.bound, "mip")
    method = "relax-fix-round" if heuristic else "search"
    if found.values is None and start is None:
        return BackendResult(res.status, res.values, bound.value), method
    return _finish(mx, found, start, bound), method


def _dense(
    b: Builder,
    start: list[float] | None,
    deadline: Deadline,
    seed: int,
    params: SolveParams,
    bound: _Bound,
) -> BackendResult:
    """A dense part: the Lagrangian bound in ``lagrange_share`` of the time, then, where every
    container is the same TEU, the train sets chosen by min-cost flows
    (:func:`~.facility.flow_search`), else kernel search (:mod:`.kernel`), in the rest, from
    the best plan so far."""
    mx = b.mx
    a = arrays(b)
    if flow_shaped(a):
        lag, found = flow_search(b, a, start, deadline, seed=seed, params=params)
        bound.offer(lag.bound, "lagrangian")
    else:
        upper = mx.cost_of(start) if start is not None else None
        lag = lagrangian_bound(a, deadline.child(params.lagrange_share), upper=upper)
        bound.offer(lag.bound, "lagrangian")
        found = kernel_search(b, a, lag, start, deadline, seed=seed, params=params)
    best = _cheapest(mx, [start, found])
    return _finish(mx, BackendResult(Status.FEASIBLE, best, bound.value), best, bound)


def _lp_bound(mx: Matrix, time_limit: float, work: float | None = None) -> float:
    """The optimum of the linear relaxation (HiGHS through MathOpt): a valid lower bound;
    -inf if it does not finish in time (or ``work``)."""
    ans = run_highs(mathopt_model(mx, integer=False), time_limit, work=work)
    if ans.reason == "optimal":
        return ans.objective - 1e-6 * abs(ans.objective)
    return -INF


def _cheapest(mx: Matrix, candidates: Sequence[list[float] | None]) -> list[float] | None:
    """The feasible candidate plan (column values) of least cost."""
    best, best_cost = None, INF
    for vals in candidates:
        if vals is not None and mx.feasible(vals) and mx.cost_of(vals) < best_cost:
            best, best_cost = vals, mx.cost_of(vals)
    return best


def _u_cost(b: Builder) -> float:
    return sum(b.mx.cost[j] * b.mx.ub[j] for j in b.u.values())
