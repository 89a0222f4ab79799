"""The ``cp-sat`` back end (and the ``auto`` back end's quick attempt on small parts). CP-SAT
writes nothing unless ``log_search_progress`` is set."""

from __future__ import annotations

import math

from ortools.sat.python import cp_model

from routing.optimise.matrix import Matrix
from routing.optimise.params import INF
from routing.optimise.status import BackendResult, Progress, Status


def solve(
    mx: Matrix,
    hint: list[float] | None,
    time_limit: float,
    *,
    seed: int = 0,
    workers: int = 1,
    progress: Progress | None = None,
    deterministic: bool = False,
    wall_cap: bool = True,
) -> BackendResult:
    """CP-SAT on the matrix (costs scaled to integers); ``deterministic``: ``time_limit`` in
    deterministic seconds, so that the same input and seed give the same answer (unless the
    safety cap of five times as many wall-clock seconds ends it first: ``wall_cap=False``
    drops it, for ``--work-limit``)."""
    scale = 1
    for sc in (1, 100, 10_000):
        scale = sc
        if all(abs(c * sc - round(c * sc)) < 1e-6 for c in mx.cost):
            break
    # the model proto is written directly, whole arrays at a time: building it through
    # CP-SAT's Python expressions took 0.1 s of the 0.8 s cap113 needs (BENCHMARKS.md)
    m = cp_model.CpModel()
    pm = m.proto
    for lb, ub in zip(mx.lb, mx.ub, strict=True):
        pm.variables.add().domain.extend((int(lb), int(ub)))
    for lb, ub, idx, coef in mx.rows:
        lin = pm.constraints.add().linear
        lin.vars.extend(idx)
        lin.coeffs.extend(int(a) for a in coef)
        lin.domain.extend(
            (
                cp_model.INT_MIN if lb == -INF else math.ceil(lb),
                cp_model.INT_MAX if ub == INF else math.floor(ub),
            )
        )
    nz = [j for j, c in enumerate(mx.cost) if c]
    pm.objective.vars.extend(nz)
    pm.objective.coeffs.extend(round(mx.cost[j] * scale) for j in nz)
    if hint is not None:
        pm.solution_hint.vars.extend(range(len(hint)))
        pm.solution_hint.values.extend(round(h) for h in hint)
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = workers
    prm.random_seed = seed
    prm.linearization_level = 2
    # no probing in presolve: on OR-Library the 37 proofs took 7.5-8.6 s in all instead of
    # 9.7-11.0 s, with the same answers (BENCHMARKS.md)
    prm.cp_model_probing_level = 0
    if deterministic:  # the same input and seed give the same answer, however busy the machine
        prm.max_deterministic_time = time_limit
        if wall_cap:
            prm.max_time_in_seconds = 5 * time_limit
    else:
        prm.max_time_in_seconds = time_limit

    class _Cb(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            if progress is not None:
                progress(
                    self.wall_time,
                    self.objective_value / scale + mx.constant,
                    self.best_objective_bound / scale + mx.constant,
                )

    status = solver.solve(m, _Cb())
    bound = solver.best_objective_bound / scale
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        vals = [float(v) for v in solver.response_proto.solution]
        return BackendResult(
            Status.OPTIMAL if status == cp_model.OPTIMAL else Status.FEASIBLE, vals, bound
        )
    return BackendResult(
        Status.UNKNOWN if status == cp_model.UNKNOWN else Status.ERROR, None, bound
    )
