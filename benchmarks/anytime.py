"""Anytime curves: the plan's objective against wall time, railplan and standalone HiGHS.

For each time limit ``L`` of the list, both solvers run on the case in a child process of
their own (as in :mod:`benchmarks.harness`); a point is ``(wall seconds, objective)`` where
the wall time runs from reading the input files to the solver's answer (railplan: reading,
options, model building and search; HiGHS: reading, building its MIP and solving it). The
longest run of each also gives its trace of improving plans (railplan's progress lines,
HiGHS's improving-solution callback), drawn as a step line on the same axes. ``railplan bench
INSTANCE --anytime 5,10,30,60`` writes the points to ``out/bench/anytime-INSTANCE-seedS.csv``
and the plot to ``docs/anytime_INSTANCE.png``.
"""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

SOLVERS = ("railplan", "highs")
LABEL = {"railplan": "railplan", "highs": "standalone HiGHS"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Point:
    """One measurement: ``solver`` with ``time_limit`` s reached ``objective`` after
    ``wall_s`` s; ``trace`` points (``time_limit`` nan) are improving plans of one run."""

    solver: str
    time_limit: float
    wall_s: float
    objective: float
    status: str
    trace: bool = False


def measure(kind: str, name: str, seed: int, limit: float) -> dict[str, Any]:
    """What one child process measures: the wall time from reading to the answer, the
    objective and status, and the run's trace of improving plans ``(wall s, objective)``."""
    from benchmarks.harness import _problem  # deferred: the child's own imports
    from benchmarks.reference import solve_reference
    from routing.api import solve_problem
    from routing.domain.check import check

    with tempfile.TemporaryDirectory() as tmp:
        problem, read_s = _problem(name, seed, Path(tmp))
        t0 = time.perf_counter()
        if kind == "highs":
            r = solve_reference(problem, time_limit=limit)
            wall = read_s + time.perf_counter() - t0
            pre = wall - r.seconds  # reading and building the MIP
            trace = [(pre + t, obj) for t, obj in r.trace]
            return {"wall_s": wall, "objective": r.objective, "status": r.status, "trace": trace}
        seen: list[tuple[float, float]] = []
        plan = solve_problem(
            problem,
            time_limit=limit,
            seed=seed,
            progress=lambda t, best, *_: seen.append((read_s + time.perf_counter() - t0, best)),
        )
        wall = read_s + time.perf_counter() - t0
        errs = check(plan)
        status = plan.status if not errs else f"INVALID ({len(errs)} violations)"
        return {"wall_s": wall, "objective": plan.objective, "status": status, "trace": seen}


def _child(kind: str, name: str, seed: int, limit: float) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.anytime", kind, name, str(seed), str(limit)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=20 * limit + 900, check=False)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not lines:
        return {"status": f"failed: {out.stderr.strip()[-200:]}", "objective": math.nan}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def run(
    name: str,
    seed: int,
    limits: Sequence[float],
    *,
    echo: Callable[[str], None] = print,
    child: Callable[[str, str, int, float], dict[str, Any]] = _child,
) -> list[Point]:
    """Both solvers at every limit (ascending), and the traces of their longest runs."""
    points: list[Point] = []
    ordered = sorted(limits)
    for limit in ordered:
        for kind in SOLVERS:
            r = child(kind, name, seed, limit)
            obj = float(r.get("objective", math.nan))
            wall = float(r.get("wall_s", math.nan))
            points.append(
                Point(solver=kind, time_limit=limit, wall_s=wall, objective=obj, status=r["status"])
            )
            echo(
                f"{name} seed {seed} {LABEL[kind]:>16s} limit {limit:g} s: {r['status']} "
                f"objective {obj:,.2f} after {wall:.1f} s"
            )
            if limit == ordered[-1]:
                points += [
                    Point(
                        solver=kind,
                        time_limit=math.nan,
                        wall_s=t,
                        objective=o,
                        status="",
                        trace=True,
                    )
                    for t, o in r.get("trace", [])
                    if o == o and math.isfinite(o)
                ]
    return points


def write_csv(points: Sequence[Point], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=[fl.name for fl in fields(Point)])
        w.writeheader()
        w.writerows(asdict(p) for p in points)


def read_csv(path: Path) -> list[Point]:
    """Points written by :func:`write_csv` (to draw them again)."""
    with path.open() as f:
        return [
            Point(
                solver=r["solver"],
                time_limit=float(r["time_limit"]),
                wall_s=float(r["wall_s"]),
                objective=float(r["objective"]),
                status=r["status"],
                trace=r["trace"] == "True",
            )
            for r in csv.DictReader(f)
        ]


def plot(points: Sequence[Point], path: Path, title: str, *, lp_bound: float | None = None) -> None:
    """Objective against wall time: each solver's points at its limits (markers) and its
    longest run's improving plans (a step line); the LP bound dashed when known."""
    import matplotlib  # deferred: only the plot needs it

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4.2), dpi=110)
    for kind, colour in zip(SOLVERS, ("tab:blue", "tab:orange"), strict=True):
        tr = sorted((p.wall_s, p.objective) for p in points if p.solver == kind and p.trace)
        if tr:
            ax.step(
                [t for t, _ in tr],
                [o for _, o in tr],
                where="post",
                color=colour,
                alpha=0.4,
                label=f"{LABEL[kind]}: improving plans of the longest run",
            )
        pts = [p for p in points if p.solver == kind and not p.trace and p.objective == p.objective]
        ax.plot(
            [p.wall_s for p in pts],
            [p.objective for p in pts],
            "o-",
            color=colour,
            label=f"{LABEL[kind]} (one run per time limit)",
        )
    if lp_bound is not None and lp_bound == lp_bound:
        ax.axhline(lp_bound, color="grey", linestyle="--", label="LP bound")
    objs = [p.objective for p in points if p.objective == p.objective and p.objective > 0]
    if objs and max(objs) > 20 * min(objs):  # plans with penalties beside good plans
        ax.set_yscale("log")
    ax.set_xlabel("wall seconds (reading to answer)")
    ax.set_ylabel("objective (USD)")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


if __name__ == "__main__":  # child process: one case, one solver, one limit; JSON on stdout
    kind, name, seed, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    print(json.dumps(measure(kind, name, seed, limit), default=str))
