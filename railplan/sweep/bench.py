"""The sweep benchmark (BENCHMARKS.md, "Scenario sweeps"): a 200-scenario grid on a generated
Shanxi month, on a LocalCluster of 1 and of 2 workers.

``python -m railplan.sweep.bench [--workers 1,2] [--scenarios 200] [--out FILE.json]``

Figures, per run (``n`` scenarios, ``c`` worker processes of one thread each):

* ideal throughput ``c / mean(cpu_seconds)``: every core busy planning, nothing else;
* throughput ``n / sweep_seconds`` (from the cluster ready to the last outcome) and its share
  of the ideal (the issue asks for at least 80 %);
* Dask's overhead per scenario ``(c x sweep_seconds - sum(run_seconds)) / n``: the worker
  time spent outside the tasks (scheduling, moving the base and the results);
* scenarios per hour per core ``3600 n / (c x sweep_seconds)``; the cluster's start time apart;
* whether the table (timing columns aside) equals the first run's: the same scenarios give the
  same results on 1 worker and on 2.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from railplan.sweep.cluster import ClusterSpec, SweepRun, run_sweep
from railplan.sweep.scenarios import read_sweep
from railplan.sweep.task import TIMING_COLUMNS

#: 5 demand factors x 5 carbon prices x 2 avoidance shares x 4 penalties = 200 scenarios
GRID = """\
name: bench-200
base:
  generate: {scale: shanxi-month, seed: 0}
solve: {time_limit: 60, seed: 0, threads: 1}
grid:
  demand: [0.9, 0.95, 1.0, 1.05, 1.1]
  carbon_price: [0, 40, 80, 120, 160]
  avoid: [0, 0.1]
  unassigned_penalty: [10000, 20000, 30000, 40000]
"""


def figures(run: SweepRun, workers: int) -> dict[str, Any]:
    """The run's figures (see the module docstring)."""
    ok = [o.result for o in run.outcomes if o.result["status"] != "failed"]
    n = len(run.outcomes)
    cpu = statistics.mean(r["cpu_seconds"] for r in ok)
    task = statistics.mean(r["run_seconds"] for r in ok)
    ideal = workers / cpu
    got = n / run.sweep_seconds
    return {
        "workers": workers,
        "scenarios": n,
        "failed": n - len(ok),
        "optimal": sum(r["status"] == "optimal" for r in ok),
        "start_s": round(run.start_seconds, 2),
        "sweep_s": round(run.sweep_seconds, 2),
        "mean_cpu_s": round(cpu, 3),
        "mean_task_s": round(task, 3),
        "ideal_per_s": round(ideal, 3),
        "per_s": round(got, 3),
        "share_of_ideal": round(got / ideal, 3),
        "overhead_s": round(
            (workers * run.sweep_seconds - sum(r["run_seconds"] for r in ok)) / n, 3
        ),
        "per_hour_per_core": round(3600 * n / (workers * run.sweep_seconds)),
        "load_avg_1min": round(os.getloadavg()[0], 2),
    }


def _results(run: SweepRun) -> list[dict[str, Any]]:
    """The run's table without the timing columns (what must not depend on the workers)."""
    return [{k: v for k, v in o.result.items() if k not in TIMING_COLUMNS} for o in run.outcomes]


def grid(scenarios: int) -> str:
    """The grid, cut to about ``scenarios`` (for a quick look: fewer penalty values)."""
    if scenarios >= 200:
        return GRID
    return GRID.replace("[10000, 20000, 30000, 40000]", "[20000]")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--scenarios", type=int, default=200)
    ap.add_argument("--out", default="")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.yaml"
        path.write_text(grid(args.scenarios), encoding="utf-8")
        loaded = read_sweep(path)
        rows, tables = [], []
        for w in (int(x) for x in args.workers.split(",")):
            run = run_sweep(loaded, ClusterSpec(workers=w), map_scenario="base")
            rows.append(figures(run, w))
            tables.append(_results(run))
            rows[-1]["table_as_first_run"] = tables[-1] == tables[0]
            print(json.dumps(rows[-1]), flush=True)
    if args.out:
        Path(args.out).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
