"""A scenario that kills every worker that plans it: Dask moves it to a new worker, it kills
that one too, and it is reported failed with the reason while the others are planned (each
worker holds only the scenario it plans, so no other is taken down with it)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from railplan.sweep import ClusterSpec, read_sweep, run_sweep
from railplan.sweep.spec import Changes, Scenario

WEEK = """\
base: {generate: {scale: shanxi-week, seed: 2}}
solve: {work_limit: 20, threads: 1}
scenarios:
  - {id: dear, carbon_price: 500}
grid:
  carbon_price: [100, 200, 300, 400, 600, 700]
"""


class Poison(tuple[Any, ...]):
    """Events whose reading ends the process that reads them (as a segfault in a solver
    would): the worker dies without a word."""

    def __iter__(self) -> Iterator[Any]:
        os._exit(13)


def test_a_scenario_that_kills_its_workers_fails_alone(write_yaml: Callable[[str], Path]) -> None:
    loaded = read_sweep(write_yaml(WEEK))
    poison = Scenario(
        scenario_id="poison",
        labels=(),
        changes=Changes(events=Poison((None,))),
        solve=loaded.sweep.scenarios[0].solve,
    )
    sweep = dataclasses.replace(loaded.sweep, scenarios=(*loaded.sweep.scenarios, poison))
    run = run_sweep(
        dataclasses.replace(loaded, sweep=sweep),
        ClusterSpec(workers=2, allowed_failures=1),
        map_scenario="dear",
    )
    by_id = {o.scenario_id: o.result for o in run.outcomes}
    ids = ["base", "dear", *(f"g{i:03d}" for i in range(1, 7)), "poison"]
    assert [o.scenario_id for o in run.outcomes] == ids
    assert all(by_id[sid]["status"] == "optimal" for sid in ids[:-1]), by_id
    assert by_id["poison"]["status"] == "failed"
    assert by_id["poison"]["error"].startswith("workers died while planning it, each time (Dask: ")
    assert set(run.plans) == {"base", "dear"}
