"""The scaling study behind ``railplan bench --scaling``: time per phase against the batch's
size (shipments) and against its density (options per shipment), over the generated scales,
the over-subscribed quarter and dense-choice batches of growing width.

Each case runs once in a child process of its own (as in :mod:`benchmarks.harness`), through
the same path as ``railplan plan``: its files written, read (timed), planned with
:func:`routing.api.solve_problem` at one short time limit and the plan folder written (timed).
The phases are the summary's own: reading, option generation, the greedy start, model
building and search (which the time limit caps); then the rest of the solve call (building the
plan record: costs, checks) and writing the folder, timed here. ``options per shipment`` is the
summary's ``options`` over the batch's shipments.

Cases (:data:`CASES`):

* the generated scales (``shanxi-week`` ... ``national-month``, :mod:`routing.generate`) and
  the over-subscribed quarters of :mod:`benchmarks.families`;
* ``dense-TxS``: ``T`` trains by ``S`` shipments of the Cornuejols-Sridharan-Thizy family
  (:mod:`routing.generate_dense`, capacity ratio 5): at ``S = 1,000`` and ``T`` from 10 to 200
  every shipment has ``T`` options, the axis of the second panel.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

#: the phases, as (summary or row key, label)
PHASES = (
    ("read_s", "reading"),
    ("options_s", "option generation"),
    ("greedy_s", "greedy start"),
    ("build_s", "model building"),
    ("search_s", "search"),
    ("plan_s", "plan building"),
    ("write_s", "writing"),
)
#: dense widths at 1,000 shipments (options per shipment = trains) and dense sizes at 100 trains
DENSE = tuple(f"dense-{t}x1000" for t in (10, 25, 50, 100, 200)) + tuple(
    f"dense-100x{s}" for s in (250, 500, 2000)
)
GENERATED = ("shanxi-week", "shanxi-month", "national-week", "shanxi-year", "national-month")
COLUMNS: tuple[str, ...] = (
    *("case", "seed", "time_limit", "shipments", "departures", "options", "options_per_shipment"),
    *(k for k, _ in PHASES),
    *("total_s", "peak_mb", "status"),
)
_DENSE = re.compile(r"dense-(\d+)x(\d+)$")


def cases() -> tuple[str, ...]:
    """Every case of the study: the generated scales, the quarters, the dense widths."""
    from benchmarks import families

    quarters = tuple(n for n, f in families.FAMILY.items() if f.scale)
    return (*GENERATED, *quarters, *DENSE)


def write_case(name: str, seed: int, folder: Path) -> dict[str, Path]:
    """Case ``name``'s input files in ``folder`` (file stem -> path)."""
    import network
    from benchmarks import families
    from routing.generate import generate
    from routing.generate_dense import RATE_COLUMNS, DenseSpec, generate_dense, rate_rows
    from routing.io import write_batch
    from routing.io.table import write_csv

    m = _DENSE.match(name)
    if m:
        spec = DenseSpec(trains=int(m[1]), shipments=int(m[2]), capacity_ratio=5.0, seed=seed)
        dense = generate_dense(network.load(), spec)
        files = write_batch(folder, dense.shipments, dense.departures, dense.quota)
        files.append(folder / "rates.csv")
        write_csv(files[-1], RATE_COLUMNS, rate_rows(dense))
        return {f.stem: f for f in files}
    if name in families.FAMILY:
        return families.write_instance(name, seed, folder)
    if name in GENERATED:
        batch = generate(network.load(), name, seed, special=True)
        return {
            f.stem: f for f in write_batch(folder, batch.shipments, batch.departures, batch.quota)
        }
    raise ValueError(f"unknown scaling case {name!r}: expected one of {', '.join(cases())}")


def measure(name: str, seed: int, limit: float) -> dict[str, Any]:
    """One case in this process: its phases' seconds, sizes and peak memory."""
    import resource

    import routing.optimise  # noqa: F401 (imported before the clock: imports are not a phase)
    from benchmarks import families
    from routing.api import solve_problem
    from routing.io import write_plan

    with tempfile.TemporaryDirectory() as tmp:
        files = write_case(name, seed, Path(tmp))
        t0 = time.perf_counter()
        problem = families.read_instance(files)
        read_s = time.perf_counter() - t0
        plan = solve_problem(problem, time_limit=limit, seed=seed)
        t1 = time.perf_counter()
        s = plan.summary
        inner = (s["options_seconds"], s["greedy_seconds"], s["build_seconds"], s["solve_seconds"])
        write_plan(plan, Path(tmp) / "plan")
        write_s = time.perf_counter() - t1
        n = len(problem.shipments)
        return {
            "case": name,
            "seed": seed,
            "time_limit": limit,
            "shipments": n,
            "departures": len(problem.departures),
            "options": s["options"],
            "options_per_shipment": s["options"] / max(1, n),
            "read_s": read_s,
            "options_s": s["options_seconds"],
            "greedy_s": s["greedy_seconds"],
            "build_s": s["build_seconds"],
            "search_s": s["solve_seconds"],
            "plan_s": max(0.0, t1 - t0 - read_s - sum(inner)),
            "write_s": write_s,
            "total_s": time.perf_counter() - t0,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "status": plan.status,
        }


def _child(name: str, seed: int, limit: float) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.scaling", name, str(seed), str(limit)]
    out = subprocess.run(
        cmd, capture_output=True, text=True, timeout=30 * limit + 1800, check=False
    )
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"case": name, "seed": seed, "status": f"failed: {out.stderr.strip()[-200:]}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def run(
    names: Sequence[str],
    seed: int,
    limit: float,
    *,
    echo: Callable[[str], None] = print,
    child: Callable[[str, int, float], dict[str, Any]] = _child,
) -> list[dict[str, Any]]:
    """Every case in ``names`` (each once, in a child process) at time limit ``limit``."""
    rows = []
    for name in names:
        row = child(name, seed, limit)
        rows.append(row)
        phases = ", ".join(f"{label} {row.get(k, math.nan):.2f}" for k, label in PHASES)
        echo(
            f"{name}: {row.get('shipments', '-')} shipments, "
            f"{row.get('options_per_shipment', math.nan):.1f} options a shipment; {phases} s; "
            f"peak {row.get('peak_mb', math.nan):.0f} MB; {row['status']}"
        )
    return rows


def write_csv(rows: Sequence[dict[str, Any]], path: Path) -> None:
    """The study's rows as CSV (:data:`COLUMNS`)."""
    from benchmarks import harness

    harness.write_csv(rows, path, COLUMNS)


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    """The study as a Markdown table (seconds per phase)."""
    head = "| case | shipments | options a shipment | " + " | ".join(lb for _, lb in PHASES)
    lines = [head + " | total s | peak MB |", "|" + "---|" * (len(PHASES) + 5)]
    for r in rows:
        if "shipments" not in r:
            lines.append(f"| {r['case']} | {r['status']} |" + " |" * (len(PHASES) + 3))
            continue
        cells = " | ".join(f"{r[k]:.2f}" for k, _ in PHASES)
        lines.append(
            f"| {r['case']} | {r['shipments']:,} | {r['options_per_shipment']:.1f} | {cells} | "
            f"{r['total_s']:.1f} | {r['peak_mb']:,.0f} |"
        )
    return "\n".join(lines)


def plot(rows: Sequence[dict[str, Any]], path: Path) -> None:
    """Two log-log panels: each phase's seconds against shipments (every case) and against
    options per shipment (the dense cases of 1,000 shipments)."""
    import matplotlib  # deferred: only the plot needs it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    done = [r for r in rows if "shipments" in r]
    by_n = sorted(done, key=lambda r: r["shipments"])
    wide = sorted(
        (r for r in done if _DENSE.match(r["case"]) and r["shipments"] == 1000),
        key=lambda r: r["options_per_shipment"],
    )
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.4), dpi=110)
    for ax, pts, xkey, xlabel, title in (
        (axes[0], by_n, "shipments", "shipments", "against batch size (every case)"),
        (
            axes[1],
            wide,
            "options_per_shipment",
            "options per shipment",
            "against density (dense, 1,000 shipments)",
        ),
    ):
        x = [r[xkey] for r in pts]
        for key, label in PHASES:
            ax.loglog(x, [max(r[key], 1e-3) for r in pts], marker="o", label=label)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("seconds")
        ax.set_title(title, fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
    for r in by_n:
        axes[0].annotate(
            r["case"],
            (r["shipments"], max(r["options_s"], 1e-3)),
            fontsize=6,
            xytext=(2, 2),
            textcoords="offset points",
        )
    axes[0].legend(fontsize=7)
    fig.suptitle("railplan: time per phase (search capped by the time limit)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


if __name__ == "__main__":  # child process: one case; JSON on stdout
    case, seed_arg, limit_arg = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    print(json.dumps(measure(case, seed_arg, limit_arg), default=str))
