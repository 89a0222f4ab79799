"""The benchmark harness behind ``railplan bench``.

Every instance runs in a child process of its own (so that its peak memory is its own), once
through the optimiser (the same path as ``railplan plan``: files written, read, planned) and
once through the plain reference MIP in standalone HiGHS (:mod:`benchmarks.reference`), with the
same time limit, side by side in one run. Results go to a CSV file and to a Markdown table
between markers in ``BENCHMARKS.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import network
from benchmarks import families
from benchmarks import replan as replan_family
from benchmarks.cflp import cflp_problem, optima, read_cflp, write_cflp_batch
from benchmarks.reference import solve_reference
from network.resources import data_path
from routing.api import read_problem, solve_problem
from routing.domain.check import check
from routing.domain.model import DEFAULT_UNASSIGNED_PENALTY_PER_TEU
from routing.generate import generate
from routing.io import write_batch, write_plan

ROOT = Path(__file__).resolve().parent.parent
CFLP_DIR = data_path("benchmarks", "orlib-cflp")
GENERATED = ("shanxi-week", "shanxi-month", "shanxi-year", "national-week", "national-month")
#: time limit per instance family when none is given (the targets of the issue)
DEFAULT_LIMITS = {
    "cap": 10.0,
    "shanxi-week": 5.0,
    "shanxi-month": 5.0,
    "shanxi-year": 30.0,
    "national-week": 60.0,
    "national-month": 120.0,
}
COLUMNS = (
    "instance",
    "seed",
    "shipments",
    "departures",
    "time_limit",
    "status",
    "objective",
    "bound",
    "gap_pct",
    "known_optimum",
    "gap_to_optimum_pct",
    "read_s",
    "options_s",
    "build_s",
    "search_s",
    "total_s",
    "time_to_0.5pct_s",
    "peak_mb",
    "greedy",
    "highs_time_limit",
    "highs_status",
    "highs_objective",
    "highs_bound",
    "highs_s",
    "highs_time_to_0.5pct_s",
    "highs_peak_mb",
    "lp_bound",
    "gap_to_lp_pct",
    "highs_gap_to_lp_pct",
)
START, END = "<!-- bench-table -->", "<!-- /bench-table -->"


def instances(names: Sequence[str]) -> list[str]:
    known = sorted(optima(CFLP_DIR), key=lambda n: int(n[3:]))
    out: list[str] = []
    for n in names:
        if n in ("orlib", "cflp"):
            out += known
        elif n == "replan":
            out += list(replan_family.FAMILY)
        elif n in families.GROUPS:
            out += list(families.GROUPS[n])
        elif n in known or n in GENERATED or n in replan_family.FAMILY or n in families.FAMILY:
            out.append(n)
        else:
            names = (*GENERATED, *replan_family.FAMILY, *families.GROUPS, *families.FAMILY)
            raise ValueError(
                f"unknown instance {n!r}: expected orlib, cap41..cap134, replan or one of {', '.join(names)}"
            )
    return list(dict.fromkeys(out))


def default_limit(name: str) -> float:
    if name in replan_family.FAMILY:
        return replan_family.FAMILY[name]
    if name in families.FAMILY:
        return families.FAMILY[name].time_limit
    return DEFAULT_LIMITS["cap"] if name.startswith("cap") else DEFAULT_LIMITS[name]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _write_instance(name: str, seed: int, folder: Path) -> dict[str, Path]:
    if name.startswith("cap"):
        return write_cflp_batch(read_cflp(CFLP_DIR / f"{name}.txt"), folder)
    if name in families.FAMILY:
        return families.write_instance(name, seed, folder)
    batch = generate(network.load(), name, seed, special=True)
    files = write_batch(folder, batch.shipments, batch.departures, batch.quota)
    return {f.stem: f for f in files}


def _problem(name: str, seed: int, folder: Path) -> tuple[Any, float]:
    if name in replan_family.FAMILY:
        replan_family.ledger(seed)  # the cached ledger made (or read) first, not timed
        t0 = time.perf_counter()
        return replan_family.problem(name, seed), time.perf_counter() - t0
    files = _write_instance(name, seed, folder)
    t0 = time.perf_counter()
    net = network.load()
    problem = read_problem(
        str(files["shipments"]),
        net,
        departures=str(files["departures"]),
        rates=str(files["rates"]) if "rates" in files else None,
        border_quota=str(files["border_quota"]) if "border_quota" in files else None,
        unassigned_penalty=_penalty(name),
    )
    return problem, time.perf_counter() - t0


def _penalty(name: str) -> float:
    if name.startswith("cap"):
        return cflp_problem(read_cflp(CFLP_DIR / f"{name}.txt")).unassigned_penalty_per_teu
    return DEFAULT_UNASSIGNED_PENALTY_PER_TEU


def run_child(kind: str, name: str, seed: int, time_limit: float) -> dict[str, Any]:
    """What one child process measures (``kind`` is ``railplan`` or ``highs``)."""
    with tempfile.TemporaryDirectory() as tmp:
        problem, read_s = _problem(name, seed, Path(tmp))
        if kind == "highs":
            r = solve_reference(problem, time_limit=time_limit)
            return {
                "highs_status": r.status,
                "highs_objective": r.objective,
                "highs_bound": r.bound,
                "highs_s": r.seconds,
                "highs_trace": r.trace,
                "highs_peak_mb": _peak_mb(),
            }
        trace: list[tuple[float, float, float]] = []
        t0 = time.perf_counter()
        plan = solve_problem(
            problem, time_limit=time_limit, seed=seed, progress=lambda *a: trace.append(a)
        )
        if name in replan_family.FAMILY:  # a re-plan's wall time includes writing its folder
            write_plan(plan, Path(tmp) / "plan")
        total = time.perf_counter() - t0
        errs = check(plan)
        s = plan.summary
        return {
            "shipments": len(problem.shipments),
            "departures": len(problem.departures),
            "status": plan.status if not errs else f"INVALID ({len(errs)} violations)",
            "objective": plan.objective,
            "bound": plan.bound,
            "read_s": read_s,
            "options_s": s["options_seconds"],
            "build_s": s["build_seconds"],
            "search_s": s["solve_seconds"],
            "total_s": total,
            "trace": trace,
            "peak_mb": _peak_mb(),
            "greedy": s["greedy_objective"],
        }


def _child(kind: str, name: str, seed: int, time_limit: float) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.harness", kind, name, str(seed), str(time_limit)]
    out = subprocess.run(
        cmd, capture_output=True, text=True, timeout=20 * time_limit + 600, check=False
    )
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        return {
            "status"
            if kind == "railplan"
            else "highs_status": f"failed: {out.stderr.strip()[-200:]}"
        }
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _time_to(trace: Sequence[Sequence[float]], target: float) -> float:
    for t, best, *_ in trace:
        if best == best and best <= target:
            return float(t)
    return math.nan


def run(
    names: Sequence[str],
    seeds: Sequence[int],
    time_limit: float | None,
    *,
    reference: bool = True,
    reference_time_limit: float | None = None,
    echo: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    """Each instance and seed through railplan and (``reference``) standalone HiGHS, the
    latter with ``reference_time_limit`` if given, else the same limit."""

    opt = optima(CFLP_DIR)
    rows = []
    for name in instances(names):
        for seed in seeds if not name.startswith("cap") else seeds[:1]:
            limit = time_limit if time_limit is not None else default_limit(name)
            row: dict[str, Any] = {"instance": name, "seed": seed, "time_limit": limit}
            row.update(_child("railplan", name, seed, limit))
            if reference:
                row["highs_time_limit"] = reference_time_limit or limit
                row.update(_child("highs", name, seed, row["highs_time_limit"]))
            best_bound = max(
                (
                    v
                    for v in (row.get("bound"), row.get("highs_bound"))
                    if isinstance(v, float) and v == v
                ),
                default=math.nan,
            )
            target = best_bound * 1.005
            row["time_to_0.5pct_s"] = _time_to(row.pop("trace", []), target)
            row["highs_time_to_0.5pct_s"] = _time_to(row.pop("highs_trace", []), target)
            obj = row.get("objective", math.nan)
            row["gap_pct"] = (
                100 * (obj - row.get("bound", math.nan)) / obj if obj == obj and obj else math.nan
            )
            known = opt.get(name)
            if name in replan_family.FAMILY:  # the optimum, proven by a longer run of its own
                proof = _child("railplan", name, seed, replan_family.PROOF_SECONDS)
                if proof.get("status") == "optimal":
                    known = proof["objective"]
            if known is not None:
                row["known_optimum"] = known
                row["gap_to_optimum_pct"] = 100 * (obj - known) / known
            if name in families.FAMILY:  # the case's LP bound, computed once and cached
                row.update(families.lp_columns(row, name, seed))
            rows.append(row)
            echo(_line(row))
    return rows


def _fmt(v: Any, digits: int = 2) -> str:
    if v is None or v == "" or (isinstance(v, float) and v != v):
        return "-"
    if isinstance(v, float):
        if abs(v) >= 1e5:
            return f"{v:,.0f}"
        return f"{v:.{digits}f}"
    return str(v)


def _line(r: dict[str, Any]) -> str:
    return (
        f"{r['instance']:>15s} seed {r['seed']}: {r.get('status', '-'):9s} obj {_fmt(r.get('objective'))} "
        f"gap {_fmt(r.get('gap_pct'), 3)} % in {_fmt(r.get('total_s'))} s, peak {_fmt(r.get('peak_mb'), 0)} MB; "
        f"greedy {_fmt(r.get('greedy'))}; HiGHS {r.get('highs_status', '-')} {_fmt(r.get('highs_objective'))} "
        f"in {_fmt(r.get('highs_s'))} s"
    )


def write_csv(rows: Sequence[dict[str, Any]], path: Path, columns: Sequence[str] = COLUMNS) -> None:
    """``rows`` as CSV with ``columns`` (keys not among them left out)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def markdown(
    rows: Sequence[dict[str, Any]],
    time_limit: float | None,
    reference_time_limit: float | None = None,
) -> str:
    head = (
        "| instance | seed | shipments | departures | limit s | status | objective | bound | gap % | optimum | "
        "gap to opt % | read s | options s | build s | search s | total s | to 0.5 % s | peak MB | greedy | "
        "HiGHS status | HiGHS objective | HiGHS bound | HiGHS s | HiGHS to 0.5 % s | HiGHS peak MB | "
        "LP bound | gap to LP % | HiGHS gap to LP % |"
    )
    sep = "|" + "|".join(["---"] * (head.count("|") - 1)) + "|"
    lines = [_meta(time_limit, reference_time_limit), "", head, sep]
    keys = [k for k in COLUMNS if k != "highs_time_limit"]  # in the header line instead
    for r in rows:
        digits = {
            "gap_pct": 4,
            "gap_to_optimum_pct": 4,
            "gap_to_lp_pct": 4,
            "highs_gap_to_lp_pct": 4,
        }
        lines.append("| " + " | ".join(_fmt(r.get(k), digits.get(k, 2)) for k in keys) + " |")
    return "\n".join(lines)


def _meta(time_limit: float | None, reference_time_limit: float | None = None) -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    cpu = platform.processor() or platform.machine()
    try:
        for ln in Path("/proc/cpuinfo").read_text().splitlines():
            if ln.startswith("model name"):
                cpu = ln.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    limit = (
        f"{time_limit:g} s for every instance"
        if time_limit
        else "per family (see DEFAULT_LIMITS in benchmarks/harness.py)"
    )
    return (
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, commit `{commit or 'uncommitted'}`, CPU {cpu}, "
        f"{os.cpu_count()} cores, time limit {limit}; HiGHS reference: standalone highspy, 2 threads"
        + (f", {reference_time_limit:g} s." if reference_time_limit else ".")
    )


def update_markdown(path: Path, table: str) -> None:
    text = path.read_text() if path.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in text:
        text += f"\n{START}\n{END}\n"
    a, rest = text.split(START, 1)
    _, b = rest.split(END, 1)
    path.write_text(f"{a}{START}\n{table}\n{END}{b}")


def scaling_plot(rows: Sequence[dict[str, Any]], path: Path) -> None:
    """Log-log plot of reading, option generation, model building and search time against
    the number of shipments."""
    import matplotlib  # deferred: pyplot is heavy and only the plot needs it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pts = sorted(
        (r for r in rows if r["instance"] in GENERATED and r.get("shipments")),
        key=lambda r: r["shipments"],
    )
    if len(pts) < 2:
        return
    fig, ax = plt.subplots(figsize=(6.5, 4.2), dpi=110)
    n = [r["shipments"] for r in pts]
    for key, label in (
        ("read_s", "reading"),
        ("options_s", "option generation"),
        ("build_s", "model building"),
        ("search_s", "search"),
    ):
        ax.loglog(n, [max(r.get(key, math.nan), 1e-3) for r in pts], marker="o", label=label)
    for r in pts:
        ax.annotate(
            r["instance"],
            (r["shipments"], max(r.get("search_s", 1e-3), 1e-3)),
            fontsize=7,
            xytext=(3, 3),
            textcoords="offset points",
        )
    ax.set_xlabel("shipments")
    ax.set_ylabel("seconds")
    ax.set_title("railplan: time per phase against batch size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


if __name__ == "__main__":  # child process: one instance, one solver, JSON on stdout
    kind, name, seed, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    print(json.dumps(run_child(kind, name, seed, limit), default=str))
