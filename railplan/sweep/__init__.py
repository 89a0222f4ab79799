"""What-if scenario sweeps on Dask.distributed (``railplan sweep``): a scenario file (a base
batch and the changes of each scenario, listed or as grids) planned scenario by scenario as
Dask tasks, on an embedded ``LocalCluster`` or any cluster by address, into one table and a
comparison report. The only package that imports ``dask`` / ``distributed``.

The names below load their module on first use, so that a Dask worker unpickling a task
imports the planning code only, not the report's maps and charts.

>>> from railplan import sweep
>>> loaded = sweep.read_sweep("data/samples/sweep.yaml")          # doctest: +SKIP
>>> run = sweep.run_sweep(loaded, sweep.ClusterSpec(workers=2))   # doctest: +SKIP
>>> sweep.write_outputs(Path("out/sweep"), loaded, run)           # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from railplan.sweep.cluster import ClusterSpec, SweepRun, run_sequential, run_sweep
    from railplan.sweep.output import check_folder, prepare, write_outputs
    from railplan.sweep.results import columns, ranked, rows
    from railplan.sweep.scenarios import Loaded, read_sweep
    from railplan.sweep.spec import Changes, Scenario, SolveSettings, Sweep
    from railplan.sweep.task import RESULT_COLUMNS, TIMING_COLUMNS, Outcome, run_scenario

#: public name -> the module that defines it
_WHERE = {
    "ClusterSpec": "cluster",
    "SweepRun": "cluster",
    "run_sequential": "cluster",
    "run_sweep": "cluster",
    "check_folder": "output",
    "prepare": "output",
    "write_outputs": "output",
    "columns": "results",
    "ranked": "results",
    "rows": "results",
    "Loaded": "scenarios",
    "read_sweep": "scenarios",
    "Changes": "spec",
    "Scenario": "spec",
    "SolveSettings": "spec",
    "Sweep": "spec",
    "RESULT_COLUMNS": "task",
    "TIMING_COLUMNS": "task",
    "Outcome": "task",
    "run_scenario": "task",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"railplan.sweep.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'railplan.sweep' has no attribute {name!r}")


__all__ = [
    "RESULT_COLUMNS",
    "TIMING_COLUMNS",
    "Changes",
    "ClusterSpec",
    "Loaded",
    "Outcome",
    "Scenario",
    "SolveSettings",
    "Sweep",
    "SweepRun",
    "check_folder",
    "columns",
    "prepare",
    "ranked",
    "read_sweep",
    "rows",
    "run_scenario",
    "run_sequential",
    "run_sweep",
    "write_outputs",
]
