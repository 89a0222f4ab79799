"""One scenario planned: the task a Dask worker runs (or the driver, in a sequential run).
It takes plain records (the base problem and network, the scenario) and gives back plain
data: the scenario's row of results, and its plan only when asked for (the report's maps)."""

from __future__ import annotations

import functools
import inspect
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from network import Network
from network.io import TableError
from railplan.sweep.apply import scenario_problem
from railplan.sweep.spec import Scenario
from routing.api import solve_problem
from routing.domain.model import Problem
from routing.domain.plan import Plan
from routing.io import write_plan

#: the result columns of ``scenarios.csv``, after the scenario id and its parameters
RESULT_COLUMNS = (
    "status",
    "objective",
    "total_cost",
    "total_cost_with_carbon",
    "bound",
    "gap",
    "shipments",
    "containers_assigned",
    "containers_unassigned",
    "teu_carried",
    "teu_unassigned",
    "on_time_share",
    "trains_run",
    "border_peak_trains",
    "border_peak",
    "co2e_wtw_t",
    "co2e_ttw_t",
    "time_limit",
    "work_limit",
    "seed",
    "threads",
    "solve_seconds",
    "run_seconds",
    "cpu_seconds",
    "worker",
    "error",
)
#: the columns that depend on the machine and the moment, not on the scenario
TIMING_COLUMNS = ("solve_seconds", "run_seconds", "cpu_seconds", "worker")


@dataclass(frozen=True, slots=True, kw_only=True)
class Base:
    """What every task shares: the base problem and its network (sent to the cluster once)."""

    problem: Problem
    net: Network


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """A scenario's results (:data:`RESULT_COLUMNS`) and, when asked for, its plan."""

    scenario_id: str
    result: dict[str, Any]
    plan: Plan | None = None


@functools.cache
def supports_work_limit() -> bool:
    """Whether :func:`routing.api.solve_problem` takes a deterministic ``work_limit``."""
    return "work_limit" in inspect.signature(solve_problem).parameters


def worker_name() -> str:
    """The Dask worker running this task (its address), else ``driver``."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return "driver"


def failed(scenario: Scenario, reason: str, worker: str = "") -> Outcome:
    """A scenario that could not be planned, with the reason."""
    row: dict[str, Any] = dict.fromkeys(RESULT_COLUMNS, "")
    row.update(status="failed", error=reason, worker=worker, **_limits(scenario))
    return Outcome(scenario_id=scenario.scenario_id, result=row)


def _limits(sc: Scenario) -> dict[str, Any]:
    s = sc.solve
    return {
        "time_limit": s.time_limit if s.work_limit is None else "",  # the work limit stops it
        "work_limit": "" if s.work_limit is None else s.work_limit,
        "seed": s.seed,
        "threads": s.threads,
    }


def run_scenario(
    base: Base, scenario: Scenario, *, plans_dir: str | None = None, want_plan: bool = False
) -> Outcome:
    """Plan ``scenario`` on ``base``; its plan folder written under ``plans_dir`` when given.
    Events that cannot apply are a failed outcome (no retry can help); any other exception
    propagates, so that Dask retries the task."""
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        problem = scenario_problem(base.problem, base.net, scenario.changes)
    except (TableError, ValueError) as e:
        problems = getattr(e, "problems", None) or [str(e)]
        return failed(scenario, "; ".join(problems), worker_name())
    kwargs: dict[str, Any] = {
        "time_limit": scenario.solve.time_limit,
        "seed": scenario.solve.seed,
        "workers": scenario.solve.threads,
    }
    if scenario.solve.work_limit is not None:
        kwargs["work_limit"] = scenario.solve.work_limit
    plan = solve_problem(problem, **kwargs)
    if plans_dir is not None:
        write_plan(plan, Path(plans_dir) / scenario.scenario_id, force=True)
    row = plan_row(plan)
    row.update(
        _limits(scenario),
        run_seconds=round(time.perf_counter() - t0, 3),
        cpu_seconds=round(time.process_time() - c0, 3),
        worker=worker_name(),
        error="",
    )
    return Outcome(scenario_id=scenario.scenario_id, result=row, plan=plan if want_plan else None)


def border_peak(plan: Plan) -> tuple[int, str]:
    """The busiest (border port, day) of the plan's running trains: its train count, and
    ``PORT DATE (N of QUOTA)``; (0, '') when no train crosses a border."""
    deps = {d.departure_id: d for d in plan.problem.departures}
    count: Counter[tuple[str, str]] = Counter()
    for tr in plan.trains:
        d = deps.get(tr.departure_id)
        if tr.runs and d is not None and d.border_port:
            count[(d.border_port, d.border_date.isoformat())] += 1
    if not count:
        return 0, ""
    (port, day), n = min(count.items(), key=lambda kv: (-kv[1], kv[0]))
    p = plan.problem
    quota = next(
        (q for (qp, qd), q in p.quota_by_date.items() if qp == port and qd.isoformat() == day),
        p.quota.get(port),
    )
    return n, f"{port} {day} ({n} of {quota if quota is not None else 'no quota'})"


def plan_row(plan: Plan) -> dict[str, Any]:
    """The plan's result columns (the summary's figures; CO2e in tonnes)."""
    s = plan.summary
    peak, where = border_peak(plan)
    return {
        "status": plan.status,
        "objective": round(plan.objective, 2),
        "total_cost": round(plan.total_cost, 2),
        "total_cost_with_carbon": s.get("total_cost_with_carbon", round(plan.total_cost, 2)),
        "bound": round(plan.bound, 2),
        "gap": round(plan.gap, 6),
        "shipments": s["shipments"],
        "containers_assigned": s["containers_assigned"],
        "containers_unassigned": s["containers_unassigned"],
        "teu_carried": s["teu_assigned"],
        "teu_unassigned": s["teu_unassigned"],
        "on_time_share": s["on_time_share"],
        "trains_run": s["trains_run"],
        "border_peak_trains": peak,
        "border_peak": where,
        "co2e_wtw_t": round(s.get("co2e_wtw_kg", 0.0) / 1000, 3),
        "co2e_ttw_t": round(s.get("co2e_ttw_kg", 0.0) / 1000, 3),
        "solve_seconds": s.get("solve_seconds", ""),
    }
