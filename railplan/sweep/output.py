"""The sweep folder: ``scenarios.csv``, ``scenarios.xlsx``, ``sweep.html`` and, with
``--keep-plans``, ``plans/SCENARIO/`` (a plan folder each). The folder is new, empty or an
earlier sweep's (only those names), never the working directory or one of its parents, and
never the folder of the scenario file; ``force`` writes beside other files. A re-run
replaces the earlier sweep's files (its ``plans/`` too)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

from railplan.sweep.cluster import SweepRun
from railplan.sweep.report import sweep_html
from railplan.sweep.results import atomic_write, best, columns, rows, write_table
from railplan.sweep.scenarios import Loaded
from routing.io import InputError

SWEEP_FILES = frozenset({"scenarios.csv", "scenarios.xlsx", "sweep.html", "plans"})


def check_folder(out: str, *, inputs: tuple[str, ...] = (), force: bool = False) -> Path:
    """``out`` resolved, or :class:`InputError` (one line per reason); nothing is made."""
    res = Path(out).resolve()
    cwd = Path.cwd().resolve()
    problems = []
    if not out.strip():
        problems.append("--out '': expected the name of a folder for the sweep")
    elif res == cwd or res in cwd.parents:
        problems.append(
            f"--out {out!r}: is the working directory or one of its parents; expected a folder of its own, e.g. out/sweep"
        )
    for f in inputs:
        if res == Path(f).resolve().parent:
            problems.append(
                f"--out {out!r}: holds the input file {f}; a sweep never writes beside its inputs"
            )
    if res.exists() and not res.is_dir():
        problems.append(f"--out {out!r}: is a file; expected a folder")
    elif res.is_dir() and not force:
        foreign = sorted(e.name for e in res.iterdir() if e.name not in SWEEP_FILES)
        if foreign:
            problems.append(
                f"--out {out!r}: the folder holds files railplan sweep did not write ({', '.join(foreign[:5])}); "
                "expected a new or empty folder or an earlier sweep folder (--force writes beside them)"
            )
    if problems:
        raise InputError(problems)
    return res


def prepare(folder: Path, *, keep_plans: bool) -> Path | None:
    """Make the folder; remove an earlier sweep's ``plans/``; the new one's path if kept."""
    folder.mkdir(parents=True, exist_ok=True)
    plans = folder / "plans"
    if plans.is_dir():
        shutil.rmtree(plans)
    if keep_plans:
        plans.mkdir()
        return plans
    return None


def about(loaded: Loaded, run: SweepRun, rank_by: str) -> dict[str, Any]:
    sw = loaded.sweep
    return {
        "sweep": sw.name,
        "source": sw.source,
        "base": sw.base.describe(),
        "scenarios": len(sw.scenarios),
        "failed": sum(o.result["status"] == "failed" for o in run.outcomes),
        "where": run.where,
        "slots": run.slots,
        "wall_seconds": round(run.wall_seconds, 2),
        "rank_by": rank_by,
        "made": dt.datetime.now(dt.UTC).replace(microsecond=0),
    }


def write_outputs(
    folder: Path,
    loaded: Loaded,
    run: SweepRun,
    *,
    rank_by: str = "objective",
    map_scenario: str | None = None,
    offline: bool = False,
) -> list[dict[str, Any]]:
    """Write the table and the report; returns the table's rows."""
    sw = loaded.sweep
    table = rows(sw, run.outcomes, rank_by)
    info = about(loaded, run, rank_by)
    write_table(folder, columns(sw), table, info)
    base_id = sw.scenarios[0].scenario_id
    chosen_id = map_scenario or best(run.outcomes, rank_by, besides=base_id)
    chosen = (chosen_id, run.plans.get(chosen_id)) if chosen_id and chosen_id != base_id else None
    html = sweep_html(
        name=sw.name,
        about=info,
        parameters=sw.parameters,
        table=table,
        net=loaded.net,
        base_plan=run.plans.get(base_id),
        chosen=chosen,
        offline=offline,
    )

    def write(p: Path) -> None:
        p.write_text(html, encoding="utf-8")

    atomic_write(folder / "sweep.html", write)
    return table
