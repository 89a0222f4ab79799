"""The bench families of issue 16: dense choice and the over-subscribed quarter.

* ``dense-100x1000-r3`` / ``-r5`` / ``-r10``: 100 trains x 1,000 shipments, every shipment may
  ride every train (:mod:`routing.generate_dense`, Cornuejols, Sridharan and Thizy 1991) at
  capacity ratios 3, 5 and 10; the group ``dense-100x1000`` is all three. 60 s.
* ``dense-200x2000-r5`` (group ``dense-200x2000``): 200 trains x 2,000 shipments. 120 s.
* ``national-quarter-over``: twelve weeks of the national timetable with demand twice its TEU
  capacity (``--demand-factor 2``), border quotas binding. 120 s.

Each case's LP bound (:mod:`benchmarks.lp_bound`) is computed once and cached under
:func:`cache_folder` as ``lp-bounds/NAME-seedS.json``, keyed by instance and seed with a digest
of what the instance is drawn from (its parameters, the generators' source and the network
data), so the table shows the gap to it without solving the LP again.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import network
import routing.generate
import routing.generate_dense
from benchmarks.lp_bound import LPBound, cached, fingerprint, lp_bound
from network.resources import data_path
from routing.api import read_problem
from routing.generate import generate
from routing.generate_dense import RATE_COLUMNS, DenseSpec, generate_dense, rate_rows
from routing.io import write_batch
from routing.io.table import write_csv


@dataclass(frozen=True, slots=True, kw_only=True)
class Family:
    """One bench case: a dense draw (``trains`` x ``shipments`` at ``capacity_ratio``) or a
    generated ``scale`` at ``demand_factor``; ``time_limit`` in seconds."""

    time_limit: float
    shipments: int = 0
    trains: int = 0
    capacity_ratio: float = 0.0
    scale: str = ""
    demand_factor: float | None = None

    def spec(self, seed: int) -> DenseSpec:
        return DenseSpec(
            shipments=self.shipments,
            trains=self.trains,
            capacity_ratio=self.capacity_ratio,
            seed=seed,
        )


def _dense(trains: int, shipments: int, ratio: float, limit: float) -> Family:
    return Family(time_limit=limit, shipments=shipments, trains=trains, capacity_ratio=ratio)


FAMILY: dict[str, Family] = {
    **{f"dense-100x1000-r{r}": _dense(100, 1000, float(r), 60.0) for r in (3, 5, 10)},
    "dense-200x2000-r5": _dense(200, 2000, 5.0, 120.0),
    "national-quarter-over": Family(time_limit=120.0, scale="national-quarter", demand_factor=2.0),
}
#: names that stand for several cases
GROUPS: dict[str, tuple[str, ...]] = {
    "dense-100x1000": tuple(n for n in FAMILY if n.startswith("dense-100x1000-")),
    "dense-200x2000": ("dense-200x2000-r5",),
}


def cache_folder() -> Path:
    """``$RAILPLAN_BENCH_CACHE``, else ``railplan-bench`` in the system's temporary folder."""
    env = os.environ.get("RAILPLAN_BENCH_CACHE")
    return Path(env) if env else Path(tempfile.gettempdir()) / "railplan-bench"


def write_instance(name: str, seed: int, folder: Path) -> dict[str, Path]:
    """Write case ``name`` at ``seed`` as railplan input files; file stem -> path."""
    fam = FAMILY[name]
    net = network.load()
    if fam.scale:
        batch = generate(net, fam.scale, seed, special=True, demand_factor=fam.demand_factor)
        files = write_batch(folder, batch.shipments, batch.departures, batch.quota)
    else:
        dense = generate_dense(net, fam.spec(seed))
        files = write_batch(folder, dense.shipments, dense.departures, dense.quota)
        files.append(folder / "rates.csv")
        write_csv(files[-1], RATE_COLUMNS, rate_rows(dense))
    return {f.stem: f for f in files}


def read_instance(files: dict[str, Path]) -> Any:
    """The problem of written files, read as ``railplan plan`` reads them."""
    return read_problem(
        str(files["shipments"]),
        network.load(),
        departures=str(files["departures"]),
        rates=str(files["rates"]) if "rates" in files else None,
        border_quota=str(files["border_quota"]),
    )


def digest(name: str, seed: int) -> str:
    """What case ``name`` at ``seed`` is drawn from: its parameters, the generators' source
    and the network data files."""
    sources = [Path(m.__file__ or "") for m in (routing.generate, routing.generate_dense)]
    net_files = sorted(p for p in data_path("network").iterdir() if p.is_file())
    return fingerprint(repr((name, seed, FAMILY[name])), *sources, *net_files)


def bound(
    name: str, seed: int, *, folder: Path | None = None, solve: Callable[[Any], LPBound] = lp_bound
) -> tuple[LPBound, bool]:
    """Case ``name``'s LP bound at ``seed`` from the cache, else computed (and cached); and
    whether it came from the cache."""

    def compute() -> LPBound:
        with tempfile.TemporaryDirectory() as tmp:
            return solve(read_instance(write_instance(name, seed, Path(tmp))))

    where = (folder or cache_folder()) / "lp-bounds"
    return cached(where, f"{name}-seed{seed}", digest(name, seed), compute)


def lp_time_limit() -> float:
    """Seconds the LP may take: ``$RAILPLAN_LP_TIME_LIMIT``, else an hour (0: no LP)."""
    return float(os.environ.get("RAILPLAN_LP_TIME_LIMIT", "3600"))


def lp_columns(row: dict[str, Any], name: str, seed: int) -> dict[str, Any]:
    """:func:`gap_columns` of case ``name``'s cached (or computed) LP bound; a bound that
    could not be had (no time for it, a failure) is left empty and said so in ``lp_status``."""
    limit = lp_time_limit()
    if limit <= 0:
        return {"lp_status": "not computed (RAILPLAN_LP_TIME_LIMIT=0)"}
    try:
        lp, _hit = bound(name, seed, solve=lambda p: lp_bound(p, time_limit=limit))
    except (MemoryError, OSError, ValueError) as e:
        return {"lp_status": f"failed: {type(e).__name__}: {e}"}
    return {**gap_columns(row, lp), "lp_status": lp.status}


def gap_columns(row: dict[str, Any], lp: LPBound) -> dict[str, Any]:
    """The LP bound and both solvers' gaps above it, ``100 (objective - LP) / LP`` %."""

    def gap(obj: Any) -> float:
        ok = isinstance(obj, float) and obj == obj and lp.bound == lp.bound and lp.bound
        return 100 * (obj - lp.bound) / abs(lp.bound) if ok else float("nan")

    return {
        "lp_bound": lp.bound,
        "lp_s": lp.seconds,
        "gap_to_lp_pct": gap(row.get("objective")),
        "highs_gap_to_lp_pct": gap(row.get("highs_objective")),
    }
