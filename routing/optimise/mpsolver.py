"""The ``highs-lp`` and ``scip`` back ends: HiGHS and SCIP through OR-Tools' older ``pywraplp``
wrapper (no warm start for HiGHS: OR-Tools 9.15's HiGHS wrapper crashes on hints). Output is
off through the wrapper (``SuppressOutput``) and, for HiGHS, its own options."""

from __future__ import annotations

from ortools.linear_solver import pywraplp

from routing.optimise.matrix import Matrix
from routing.optimise.params import INF
from routing.optimise.status import BackendResult, Progress, Status

#: HiGHS's options as the wrapper takes them: its logging off before it writes anything
_HIGHS_QUIET = "output_flag=false\nlog_to_console=false\n"


def solve_highs_lp(
    mx: Matrix,
    hint: list[float] | None,
    time_limit: float,
    *,
    seed: int = 0,
    workers: int = 1,
    progress: Progress | None = None,
) -> BackendResult:
    """HiGHS through ``pywraplp`` (``progress`` is not reported)."""
    return _solve(mx, hint, "highs", time_limit, seed, workers)


def solve_scip(
    mx: Matrix,
    hint: list[float] | None,
    time_limit: float,
    *,
    seed: int = 0,
    workers: int = 1,
    progress: Progress | None = None,
) -> BackendResult:
    """SCIP through ``pywraplp`` (``progress`` is not reported)."""
    return _solve(mx, hint, "scip", time_limit, seed, workers)


def _solve(
    mx: Matrix, hint: list[float] | None, backend: str, time_limit: float, seed: int, workers: int
) -> BackendResult:
    solver = pywraplp.Solver.CreateSolver(backend.upper())
    if solver is None:  # pragma: no cover - every OR-Tools wheel bundles HiGHS and SCIP
        raise RuntimeError(f"OR-Tools back end {backend} is not available")
    solver.SuppressOutput()
    cols = [solver.IntVar(lb, ub, "") for lb, ub in zip(mx.lb, mx.ub, strict=True)]
    inf = solver.infinity()
    for lb, ub, idx, coef in mx.rows:
        ct = solver.Constraint(-inf if lb == -INF else lb, inf if ub == INF else ub)
        for j, a in zip(idx, coef, strict=True):
            ct.SetCoefficient(cols[j], a)
    obj = solver.Objective()
    for j, c in enumerate(mx.cost):
        if c:
            obj.SetCoefficient(cols[j], c)
    obj.SetMinimization()
    if hint is not None and backend != "highs":  # OR-Tools 9.15's HiGHS wrapper crashes on hints
        solver.SetHint(cols, hint)
    solver.SetTimeLimit(max(1, int(time_limit * 1000)))
    solver.SetNumThreads(workers)
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, 1e-7)
    if backend == "highs":
        solver.SetSolverSpecificParametersAsString(
            f"random_seed={seed}\nmip_rel_gap=1e-7\n{_HIGHS_QUIET}"
        )
    status = solver.Solve(params)
    if status in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        vals = [v.solution_value() for v in cols]
        if status == pywraplp.Solver.OPTIMAL:
            return BackendResult(Status.OPTIMAL, vals, obj.Value())
        return BackendResult(Status.FEASIBLE, vals, obj.BestBound())
    if status == pywraplp.Solver.NOT_SOLVED:
        return BackendResult(Status.UNKNOWN, None, -INF)
    return BackendResult(Status.ERROR, None, -INF)
