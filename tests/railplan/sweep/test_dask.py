"""Sweeps on Dask: an embedded LocalCluster through the CLI, and the real multi-machine path,
a ``dask scheduler`` and two ``dask worker`` processes on loopback started here, one worker
killed (SIGKILL) while it plans a scenario. Each time every scenario ends in the table
exactly once, equal to a sequential run of the same file (the timing columns aside)."""

from __future__ import annotations

import csv
import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

import maps
from railplan.cli import main
from railplan.sweep import TIMING_COLUMNS, read_sweep, rows, run_sequential
from tests.factories import ROOT
from tests.railplan.sweep.conftest import SMALL

BIN = Path(sys.executable).parent
RAILPLAN = str(BIN / "railplan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def text_rows(table: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The table as ``scenarios.csv`` holds it (text), without the timing columns."""
    return [{k: str(v) for k, v in r.items() if k not in TIMING_COLUMNS} for r in table]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return [{k: v for k, v in r.items() if k not in TIMING_COLUMNS} for r in csv.DictReader(f)]


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small study (8 scenarios) as a file."""
    p = tmp_path_factory.mktemp("study") / "small.yaml"
    p.write_text(SMALL, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def sequential(study: Path) -> list[dict[str, str]]:
    """The study planned in this process, one scenario after another: the reference."""
    loaded = read_sweep(study)
    run = run_sequential(loaded, map_scenario="base")  # no map to plan again
    table = rows(loaded.sweep, run.outcomes)
    assert all(r["status"] == "optimal" for r in table), [r["error"] for r in table]
    return text_rows(table)


def test_a_sweep_on_a_local_cluster(
    study: Path, sequential: list[dict[str, str]], tmp_path: Path
) -> None:
    out = tmp_path / "sweep"
    args = ["sweep", str(study), "--out", str(out), "--workers", "2", "--keep-plans", "--offline"]
    res = CliRunner().invoke(main, [*args, "--map-scenario", "g004"])  # in this process
    assert res.exit_code == 0, res.output
    assert "8 scenarios in" in res.stdout and "8 planned, 0 failed" in res.stdout
    table = read_csv(out / "scenarios.csv")
    assert table == sequential
    with (out / "scenarios.csv").open(encoding="utf-8") as f:
        workers = {r["worker"] for r in csv.DictReader(f)}
    assert all(w.startswith("tcp://127.0.0.1:") for w in workers)
    wb = openpyxl.load_workbook(out / "scenarios.xlsx", read_only=True)
    ids = [r[1] for r in wb["scenarios"].iter_rows(min_row=2, values_only=True)]
    assert ids == [r["scenario"] for r in sequential]
    for r in sequential:  # each kept plan folder is the plan of its row
        summary = json.loads(
            (out / "plans" / r["scenario"] / "summary.json").read_text(encoding="utf-8")
        )
        assert f"{summary['objective']}" == r["objective"] and summary["status"] == r["status"]
    html = (out / "sweep.html").read_text(encoding="utf-8")
    assert maps.outside_urls(html) == []
    assert (
        html.count("<iframe") == 2
        and 'id="chart-tradeoff"' in html
        and 'id="chart-effects"' in html
    )
    best = min(sequential, key=lambda r: float(r["objective"]))
    assert best["rank"] == "1" and "scenario g004" in html


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[tuple[str, dict[str, subprocess.Popen[bytes]]]]:
    """A ``dask scheduler`` and two ``dask worker`` processes (no nanny: a killed worker stays
    dead) on loopback, each its own process; all stopped afterwards."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path / "logs"
    logs.mkdir()
    procs: list[subprocess.Popen[bytes]] = []
    workers: dict[str, subprocess.Popen[bytes]] = {}

    def start(args: list[str], name: str) -> subprocess.Popen[bytes]:
        with (logs / f"{name}.log").open("wb") as log:
            p = subprocess.Popen(
                [str(BIN / "dask"), *args], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        procs.append(p)
        return p

    try:
        start(
            ["scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"], "scheduler"
        )
        for i in range(2):
            wport = free_port()
            workers[f"tcp://127.0.0.1:{wport}"] = start(
                [
                    "worker",
                    address,
                    "--host",
                    "127.0.0.1",
                    "--worker-port",
                    str(wport),
                    "--nthreads",
                    "1",
                    "--no-nanny",
                    "--no-dashboard",
                    "--name",
                    f"w{i}",
                ],
                f"worker{i}",
            )
        from distributed import Client

        with Client(address, timeout=60) as c:
            c.wait_for_workers(2, timeout=60)
        yield address, workers
    finally:
        for p in reversed(procs):  # the workers first: they would wait for a lost scheduler
            if p.poll() is None:
                p.terminate()
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def test_a_remote_cluster_survives_a_killed_worker(
    study: Path,
    sequential: list[dict[str, str]],
    dask_cluster: tuple[str, dict[str, subprocess.Popen[bytes]]],
    tmp_path: Path,
) -> None:
    from distributed import Client

    address, workers = dask_cluster
    out = tmp_path / "remote"
    cmd = [RAILPLAN, "sweep", str(study), "--out", str(out), "--scheduler", address, "--offline"]
    sweep = subprocess.Popen(
        cmd, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    killed, in_flight = "", []
    assert sweep.stderr is not None
    with Client(address, timeout=30) as watcher:
        for line in sweep.stderr:
            if line.startswith("  2/8 done"):  # mid-sweep: kill a worker that is planning
                deadline = time.monotonic() + 30
                while not killed and time.monotonic() < deadline:
                    busy = {w: keys for w, keys in watcher.processing().items() if keys}
                    if busy:
                        killed = sorted(busy)[0]
                        in_flight = [str(k) for k in busy[killed]]
                        workers[killed].kill()
                    else:
                        time.sleep(0.05)
                break
        rest = sweep.stderr.read()
    stdout = sweep.stdout.read() if sweep.stdout else ""
    assert sweep.wait(timeout=240) == 0, rest
    assert killed and workers[killed].wait(timeout=10) == -9
    assert "8 scenarios in" in stdout and "8 planned, 0 failed" in stdout
    assert read_csv(out / "scenarios.csv") == sequential  # every scenario once, as planned alone
    with (out / "scenarios.csv").open(encoding="utf-8") as f:
        by_id = {r["scenario"]: r["worker"] for r in csv.DictReader(f)}
    survivor = next(w for w in workers if w != killed)
    ids = list(by_id)  # the file's order: a task's key is (name, index in the file)
    moved = [ids[int(k.rstrip(")").rsplit(",", 1)[1])] for k in in_flight if "sweep-scenario" in k]
    assert moved, in_flight
    # what the killed worker was planning was planned again by the other (a task that ended in
    # the instant between the look and the kill keeps the killed worker's name)
    assert any(by_id[sid] == survivor for sid in moved), (moved, by_id)
