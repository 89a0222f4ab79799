"""The ``highs`` back end: HiGHS's MIP search through OR-Tools MathOpt (which, unlike the
older wrapper, takes a MIP start)."""

from __future__ import annotations

from routing.optimise.mathopt import mathopt_model, run_highs
from routing.optimise.matrix import Matrix
from routing.optimise.status import BackendResult, Progress, Status


def solve(
    mx: Matrix,
    hint: list[float] | None,
    time_limit: float,
    *,
    seed: int = 0,
    workers: int = 1,
    progress: Progress | None = None,
    work: float | None = None,
) -> BackendResult:
    """HiGHS's search from ``hint`` (MathOpt's HiGHS runs on one thread: ``workers`` and
    ``progress`` are not used, and are there for the :class:`Backend` protocol)."""
    ans = run_highs(mathopt_model(mx, integer=True), time_limit, hint=hint, seed=seed, work=work)
    if ans.values is not None:
        if ans.reason == "optimal":
            return BackendResult(Status.OPTIMAL, ans.values, ans.objective)
        return BackendResult(Status.FEASIBLE, ans.values, ans.bound)
    status = Status.UNKNOWN if ans.reason == "no_solution" else Status.ERROR
    return BackendResult(status, None, ans.bound)
