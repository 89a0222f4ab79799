"""``railplan sweep SCENARIOS.yaml --out DIR``: what-if scenarios planned in parallel on Dask
(an embedded LocalCluster, or ``--scheduler ADDRESS``), into ``scenarios.csv`` /
``scenarios.xlsx``, ``sweep.html`` and, with ``--keep-plans``, each scenario's plan folder."""

from __future__ import annotations

import json
import math
import shutil
import sys
import time
from typing import Any

import click

from railplan.cli.app import _err, handle_errors, main
from railplan.sweep import (
    ClusterSpec,
    Loaded,
    Outcome,
    check_folder,
    prepare,
    read_sweep,
    run_sequential,
    run_sweep,
    write_outputs,
)
from railplan.sweep.results import RANKS
from routing.io import InputError


class SweepProgress:
    """Scenarios done, failed and running, with the ETA: a ``rich`` bar on a terminal, one
    line per finished scenario when stderr is piped, nothing when quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar: Any = None
        self.n_done = self.failed = 0
        self.total = 0
        self.t0 = time.perf_counter()

    def start(self, total: int, slots: int) -> None:
        self.total, self.t0 = total, time.perf_counter()
        if self.quiet:
            return
        _err(f"planning {total} scenarios on {slots} worker thread(s)")
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("scenarios"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[status]}"),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
            )
            self.task = self.bar.add_task("sweep", total=total, status="")
            self.bar.start()

    def done_line(self, o: Outcome, running: int) -> str:
        r = o.result
        what = (
            f"failed: {r['error']}"
            if r["status"] == "failed"
            else f"{r['status']} {r['objective']:,.0f} USD"
        )
        elapsed = time.perf_counter() - self.t0
        eta = elapsed / self.n_done * (self.total - self.n_done) if self.n_done else 0.0
        return (
            f"  {self.n_done}/{self.total} done, {self.failed} failed, {running} running, ETA {eta:,.0f} s: "
            f"{o.scenario_id} {what}"
        )

    def done(self, outcome: Outcome, running: int) -> None:
        self.n_done += 1
        self.failed += outcome.result["status"] == "failed"
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.update(self.task, advance=1, status=f"{self.failed} failed, {running} running")
        else:
            _err(self.done_line(outcome, running))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _listing(loaded: Loaded) -> None:
    for sc in loaded.sweep.scenarios:
        params = ", ".join(f"{k}={v}" for k, v in sc.labels) or "(the base)"
        click.echo(f"{sc.scenario_id:12} {params}")
    click.echo(f"{len(loaded.sweep.scenarios)} scenarios")


@main.command("sweep")
@click.argument("scenarios_file", metavar="SCENARIOS.yaml", type=click.Path(dir_okay=False))
@click.option("--out", default="out/sweep", show_default=True, help="The sweep folder.")
@click.option(
    "--force", is_flag=True, help="Write the sweep's files into a folder that holds other files."
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="A Dask scheduler (tcp://HOST:8786); default: a LocalCluster.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=2,
    show_default=True,
    help="LocalCluster worker processes.",
)
@click.option(
    "--memory-limit",
    default="auto",
    show_default=True,
    help="LocalCluster memory limit per worker (e.g. 2GiB).",
)
@click.option(
    "--sequential", is_flag=True, help="Plan in this process, one scenario after another (no Dask)."
)
@click.option(
    "--keep-plans", is_flag=True, help="Write each scenario's plan folder under DIR/plans/."
)
@click.option(
    "--map-scenario",
    metavar="ID",
    help="The scenario mapped beside the base (default: the best-ranked).",
)
@click.option("--rank-by", type=click.Choice(sorted(RANKS)), default="objective", show_default=True)
@click.option("--offline", is_flag=True, help="sweep.html makes no outside request.")
@click.option(
    "--list", "list_only", is_flag=True, help="Print the scenarios and stop (nothing is planned)."
)
@click.option("--quiet", is_flag=True, help="No progress on stderr.")
@click.option("--json", "as_json", is_flag=True, help="Print the table as JSON.")
@handle_errors
def sweep_cmd(
    scenarios_file: str,
    out: str,
    force: bool,
    scheduler: str | None,
    workers: int,
    memory_limit: str,
    sequential: bool,
    keep_plans: bool,
    map_scenario: str | None,
    rank_by: str,
    offline: bool,
    list_only: bool,
    quiet: bool,
    as_json: bool,
) -> None:
    """Plan every scenario of SCENARIOS.yaml (a base and its changes, listed or as grids)
    on Dask and compare them: scenarios.csv, scenarios.xlsx, sweep.html."""
    loaded = read_sweep(scenarios_file)
    if list_only:
        _listing(loaded)
        return
    ids = {s.scenario_id for s in loaded.sweep.scenarios}
    if map_scenario is not None and map_scenario not in ids:
        raise InputError([f"--map-scenario {map_scenario!r}: no such scenario in {scenarios_file}"])
    if scheduler and sequential:
        raise InputError(["--scheduler and --sequential: expected one of them"])
    memory = _memory(memory_limit)
    folder = check_folder(out, inputs=(scenarios_file,), force=force)
    created = not folder.exists()
    plans = prepare(folder, keep_plans=keep_plans)
    watch = SweepProgress(quiet)
    try:
        if sequential:
            run = run_sequential(
                loaded,
                plans_dir=str(plans) if plans else None,
                map_scenario=map_scenario,
                rank_by=rank_by,
                watch=watch,
            )
        else:
            spec = ClusterSpec(scheduler=scheduler, workers=workers, memory_limit=memory)
            run = run_sweep(
                loaded,
                spec,
                plans_dir=str(plans) if plans else None,
                map_scenario=map_scenario,
                rank_by=rank_by,
                watch=watch,
            )
    except BaseException:
        if created:  # a sweep that did not run leaves no folder behind
            shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        watch.close()
    table = write_outputs(
        folder, loaded, run, rank_by=rank_by, map_scenario=map_scenario, offline=offline
    )
    _report(table, run.wall_seconds, out, as_json)


def _memory(text: str) -> str | float:
    """``--memory-limit``: ``auto``, a size (``2GiB``, ``1.5e9``) or a fraction of the
    machine's memory (``0.5``), as Dask reads it."""
    if text == "auto":
        return text
    from dask.utils import parse_bytes

    try:
        fraction = float(text)
        if 0 < fraction <= 1:
            return fraction
        ok = 1 < fraction < math.inf
        text = str(int(fraction)) if ok else text
    except ValueError:
        try:
            ok = parse_bytes(text) > 0
        except (ValueError, TypeError):
            ok = False
    if not ok:
        raise InputError(
            [f"--memory-limit {text!r}: expected auto, a size like 2GiB or a fraction like 0.5"]
        )
    return text


def _report(table: list[dict[str, Any]], wall: float, out: str, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(table, indent=2, ensure_ascii=False, default=str))
        return
    failed = [r for r in table if r["status"] == "failed"]
    top = sorted((r for r in table if r["rank"] != ""), key=lambda r: r["rank"])[:5]
    click.echo(
        f"{len(table)} scenarios in {wall:,.1f} s: {len(table) - len(failed)} planned, {len(failed)} failed"
    )
    for r in top:
        click.echo(
            f"  #{r['rank']:<3} {r['scenario']:14} objective {r['objective']:>14,.0f}  cost {r['total_cost']:>14,.0f}  "
            f"TEU {r['teu_carried']:>6}  left {r['teu_unassigned']:>5}  CO2e {r['co2e_wtw_t']:>9,.1f} t  gap {100 * r['gap']:.3f} %"
        )
    for r in failed:
        click.echo(f"  failed {r['scenario']}: {r['error']}")
    click.echo(f"sweep written to {out}/ (scenarios.csv, scenarios.xlsx, sweep.html)")
