"""The scenario task: its row of results recomputed from its plan, failures as rows with the
reason (the sweep goes on), and the deterministic work limit passed through."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from railplan.sweep import TIMING_COLUMNS, read_sweep, run_sequential
from railplan.sweep.scenarios import Loaded
from railplan.sweep.spec import Changes, Scenario, SolveSettings
from railplan.sweep.task import Base, border_peak, run_scenario, supports_work_limit
from routing.domain.replan import CancelTrain

WEEK = """\
base: {generate: {scale: shanxi-week, seed: 2}}
solve: {time_limit: 60, threads: 1}
scenarios:
  - {id: dear, carbon_price: 500}
"""


@pytest.fixture
def week(write_yaml: Callable[[str], Path]) -> Loaded:
    """A generated Shanxi week (seed 2) with one listed scenario."""
    return read_sweep(write_yaml(WEEK))


def test_a_row_is_its_plan_s_figures(week: Loaded) -> None:
    base = Base(problem=week.problem, net=week.net)
    out = run_scenario(base, week.sweep.scenarios[1], want_plan=True)
    plan, row = out.plan, out.result
    assert plan is not None and row["status"] == plan.status == "optimal"
    assert row["objective"] == round(plan.objective, 2) and row["total_cost"] == round(
        plan.total_cost, 2
    )
    assert row["teu_carried"] == sum(a.teu for a in plan.assignments)
    assert row["teu_unassigned"] == sum(u.teu for u in plan.unassigned)
    assert row["trains_run"] == sum(t.runs for t in plan.trains)
    assert row["co2e_wtw_t"] == round(plan.summary["co2e_wtw_kg"] / 1000, 3)
    assert plan.problem.carbon_price_per_t == 500
    peak, where = border_peak(plan)
    assert row["border_peak_trains"] == peak >= 1 and where.split()[0] in week.net.nodes
    assert row["worker"] == "driver" and row["error"] == ""


def test_failures_are_rows_with_their_reason_and_the_sweep_goes_on(week: Loaded) -> None:
    settings = SolveSettings(time_limit=60)
    bad_event = Scenario(
        scenario_id="ghost-train",
        labels=(("cancel_train", "NOPE"),),
        changes=Changes(events=(CancelTrain("NOPE"),)),
        solve=settings,
    )
    broken = Scenario(
        scenario_id="broken", labels=(), changes=Changes(events=(object(),)), solve=settings
    )  # type: ignore[arg-type]
    sweep = dataclasses.replace(week.sweep, scenarios=(*week.sweep.scenarios, bad_event, broken))
    run = run_sequential(dataclasses.replace(week, sweep=sweep))
    by_id = {o.scenario_id: o.result for o in run.outcomes}
    assert [o.scenario_id for o in run.outcomes] == ["base", "dear", "ghost-train", "broken"]
    assert by_id["base"]["status"] == by_id["dear"]["status"] == "optimal"
    assert by_id["ghost-train"]["status"] == "failed"
    assert by_id["ghost-train"]["error"] == "--cancel-train NOPE: unknown departure"
    assert by_id["broken"]["status"] == "failed" and by_id["broken"]["error"].startswith(
        "AttributeError"
    )


def test_a_work_limit_gives_the_same_row_twice(week: Loaded) -> None:
    sc = dataclasses.replace(week.sweep.scenarios[0], solve=SolveSettings(work_limit=5.0))
    base = Base(problem=week.problem, net=week.net)
    if not supports_work_limit():
        with pytest.raises(TypeError):
            run_scenario(base, sc)
        return
    one, two = (run_scenario(base, sc, want_plan=True) for _ in range(2))
    assert one.plan is not None and one.plan.summary["work_limit"] == 5.0
    same = [k for k in one.result if k not in TIMING_COLUMNS]
    assert {k: one.result[k] for k in same} == {k: two.result[k] for k in same}
    assert one.result["work_limit"] == 5.0
