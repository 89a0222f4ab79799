"""What-if scenario sweeps on Dask.distributed (``railplan sweep``): a scenario file (a base
batch and the changes of each scenario, listed or as grids) planned scenario by scenario as
Dask tasks, on an embedded ``LocalCluster`` or any cluster by address, into one table and a
comparison report. The only package that imports ``dask`` / ``distributed``.

>>> from railplan import sweep
>>> loaded = sweep.read_sweep("data/samples/sweep.yaml")          # doctest: +SKIP
>>> run = sweep.run_sweep(loaded, sweep.ClusterSpec(workers=2))   # doctest: +SKIP
>>> sweep.write_outputs(Path("out/sweep"), loaded, run)           # doctest: +SKIP
"""

from railplan.sweep.cluster import ClusterSpec, SweepRun, run_sequential, run_sweep
from railplan.sweep.output import check_folder, prepare, write_outputs
from railplan.sweep.results import columns, ranked, rows
from railplan.sweep.scenarios import Loaded, read_sweep
from railplan.sweep.spec import Changes, Scenario, SolveSettings, Sweep
from railplan.sweep.task import RESULT_COLUMNS, TIMING_COLUMNS, Outcome, run_scenario

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
