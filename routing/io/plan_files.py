"""Plan folders: written atomically, read back exactly."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from routing.domain.model import Problem
from routing.domain.plan import (
    ASSIGNMENT_COLUMNS,
    TRAIN_COLUMNS,
    UNASSIGNED_COLUMNS,
    Assignment,
    Plan,
    TrainLoad,
    Unassigned,
)
from routing.io.batch import write_batch
from routing.io.errors import InputError
from routing.io.table import read_table, write_csv, write_xlsx


def atomic_dir(out: Path, write: Callable[[Path], None]) -> None:
    """Write into a temporary sibling folder, then swap it into place: a failed run leaves
    the previous plan (or nothing) and never a half-written one."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it private; a plan folder is not
    try:
        write(tmp)
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.replace(out, old)
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_plan(plan: Plan, out: str | Path, *, xlsx: bool = True) -> None:
    """Write ``assignments.csv``, ``trains.csv``, ``unassigned.csv``, ``summary.json`` and
    ``plan.xlsx`` into ``out``, atomically."""

    sheets = {
        "assignments": (ASSIGNMENT_COLUMNS, [a.row() for a in plan.assignments]),
        "trains": (TRAIN_COLUMNS, [t.row() for t in plan.trains]),
        "unassigned": (UNASSIGNED_COLUMNS, [u.row() for u in plan.unassigned]),
    }

    def write(tmp: Path) -> None:
        for name, (cols, rows) in sheets.items():
            write_csv(tmp / f"{name}.csv", cols, rows)
        (tmp / "summary.json").write_text(
            json.dumps(plan.summary, indent=2, ensure_ascii=False, default=str) + "\n",
            encoding="utf-8",
        )
        # the problem as solved, so that maps can be drawn again from the folder alone
        write_batch(
            tmp / "inputs", plan.problem.shipments, plan.problem.departures, plan.problem.quota
        )
        if xlsx:
            summary_rows = [
                {"key": k, "value": json.dumps(v, ensure_ascii=False) if isinstance(v, dict) else v}
                for k, v in plan.summary.items()
            ]
            write_xlsx(tmp / "plan.xlsx", {**sheets, "summary": (("key", "value"), summary_rows)})

    atomic_dir(Path(out), write)


def _unneutralise(v: str) -> str:
    return v[1:] if len(v) > 1 and v[0] == "'" and v[1] in "=+-@\t\r" else v


def read_plan(folder: str | Path, problem: Problem) -> Plan:
    """Read a written plan back (for ``railplan check`` and ``railplan map``)."""

    folder = Path(folder)
    problems: list[str] = []
    for name in ("assignments.csv", "trains.csv", "unassigned.csv", "summary.json"):
        if not (folder / name).is_file():
            problems.append(f"{folder / name}: file not found (not a plan folder?)")
    if problems:
        raise InputError(problems)

    def rows(name: str) -> list[dict[str, str]]:
        _, rs = read_table(folder / name)
        return [{k: _unneutralise(v) for k, v in r.items()} for _, r in rs]

    def date(v: str) -> dt.date:
        return dt.date.fromisoformat(v)

    try:
        assignments = tuple(
            Assignment(
                shipment_id=r["shipment_id"],
                departure_id=r["departure_id"],
                containers=int(r["containers"]),
                teu=int(r["teu"]),
                gross_t=float(r["gross_t"]),
                origin=r["origin"],
                destination=r["destination"],
                border_port=r["border_port"],
                depart_date=date(r["depart_date"]),
                arrival_date=date(r["arrival_date"]),
                late_days=int(r["late_days"]),
                freight_cost=float(r["freight_cost"]),
                truck_cost=float(r["truck_cost"]),
                late_cost=float(r["late_cost"]),
            )
            for r in rows("assignments.csv")
        )
        trains = tuple(
            TrainLoad(
                departure_id=r["departure_id"],
                origin=r["origin"],
                destination=r["destination"],
                border_port=r["border_port"],
                depart_date=date(r["depart_date"]),
                runs=r["runs"].lower() == "true",
                load_teu=int(r["load_teu"]),
                capacity_teu=int(r["capacity_teu"]),
                utilization=float(r["utilization"]),
                gross_t=float(r["gross_t"]),
                fixed_cost=float(r["fixed_cost"]),
            )
            for r in rows("trains.csv")
        )
        unassigned = tuple(
            Unassigned(
                shipment_id=r["shipment_id"],
                containers=int(r["containers"]),
                teu=int(r["teu"]),
                reason=r["reason"],
            )
            for r in rows("unassigned.csv")
        )
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (KeyError, ValueError) as e:
        raise InputError([f"{folder}: malformed plan file: {e}"]) from e
    return Plan(
        status=summary.get("status", "unknown"),
        objective=float(summary.get("objective", 0.0)),
        bound=float(summary.get("bound", 0.0)),
        gap=float(summary.get("gap", 0.0)),
        total_cost=float(summary.get("total_cost", 0.0)),
        assignments=assignments,
        trains=trains,
        unassigned=unassigned,
        summary=summary,
        problem=problem,
    )
