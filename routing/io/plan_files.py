"""Plan folders: written atomically, read back exactly, and never at the cost of a file
railplan did not write.

The rule for the output folder (``--out``): it may be new, empty, or a plan folder railplan
wrote before (it holds only the names in :data:`PLAN_FILES`), which the new plan replaces as a
whole. Anything else is refused, unless ``force``: then the plan's files are written beside the
others and only same-named entries are replaced. It is never the working directory, one of its
parents, or a folder that holds an input file. Everything (maps and report included) is written
into a temporary sibling first; the folder is swapped only when all of it is written, so a
failed run leaves the previous plan exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from network.files import umask
from routing.domain.model import Problem
from routing.domain.plan import (
    ASSIGNMENT_COLUMNS,
    EMISSION_COLUMNS,
    TRAIN_COLUMNS,
    UNASSIGNED_COLUMNS,
    Assignment,
    Plan,
    TrainLoad,
    Unassigned,
)
from routing.io.batch import batch_tables
from routing.io.errors import InputError
from routing.io.plan_xlsx import write_plan_xlsx
from routing.io.table import cell_text, read_table, unneutralise, write_csv

#: every name railplan writes into a plan folder
PLAN_FILES = frozenset(
    {
        "assignments.csv",
        "emissions.csv",
        "changes.csv",  # a re-plan's
        "explain.csv",  # railplan explain's
        "trains.csv",
        "unassigned.csv",
        "summary.json",
        "plan.xlsx",
        "map.html",
        "report.html",
        "inputs",
    }
)
#: the plan's own record of what it solved (JSON: exact, no spreadsheet ever runs it)
INPUT_FILES = ("shipments.json", "departures.json", "border_quota.json")


def check_out(out: str | Path, *, inputs: Iterable[str | Path] = (), force: bool = False) -> Path:
    """Refuse an output folder that would cost a file railplan did not write (see the module
    docstring); raise :class:`InputError` with one line per reason. Nothing is created."""
    text = str(out)
    if not text.strip():
        raise InputError(["--out '': expected the name of a folder for the plan"])
    res = Path(out).resolve()
    cwd = Path.cwd().resolve()
    problems: list[str] = []
    if res == cwd or res in cwd.parents:
        problems.append(
            f"--out {text!r}: is the working directory or one of its parents; "
            "expected a folder of its own, e.g. out/plan"
        )
    for f in inputs:
        fr = Path(f).resolve()
        if res == fr.parent or res in fr.parents:
            problems.append(
                f"--out {text!r}: holds the input file {f}; a plan never replaces its inputs"
            )
    if res.exists() and not res.is_dir():
        problems.append(f"--out {text!r}: is a file; expected a folder")
    elif res.is_dir() and not force:
        foreign = sorted(e.name for e in res.iterdir() if e.name not in PLAN_FILES)
        if foreign:
            shown = ", ".join(foreign[:5]) + (
                f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
            )
            problems.append(
                f"--out {text!r}: the folder holds files railplan did not write ({shown}); "
                "expected a new or empty folder or an earlier plan folder (--force writes the "
                "plan's files beside them)"
            )
    if not problems:
        problems += _writable(res, text)
    if problems:
        raise InputError(problems)
    return res


def _writable(res: Path, text: str) -> list[str]:
    """Probe the nearest existing ancestor of ``res`` with a temporary folder (removed)."""
    anc = res
    while not anc.exists():
        anc = anc.parent
    if not anc.is_dir():
        return [f"--out {text!r}: {anc} is a file, so no folder can be made under it"]
    try:
        Path(tempfile.mkdtemp(prefix=".railplan-probe.", dir=anc)).rmdir()
    except OSError as e:
        return [f"--out {text!r}: cannot write in {anc}: {e.strerror or e}"]
    return []


def atomic_dir(out: Path, write: Callable[[Path], None], *, force: bool = False) -> None:
    """Write into a temporary sibling folder, then put it in place: a failed run leaves the
    previous plan (or nothing) and never a half-written one. A previous plan folder is
    swapped whole; with ``force``, a folder of other files gets the plan's entries one by one."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    os.chmod(tmp, 0o777 & ~umask())  # mkdtemp makes it private; a plan folder is not
    try:
        write(tmp)
        if out.is_dir() and any(e.name not in PLAN_FILES for e in out.iterdir()):
            if not force:  # the folder changed since it was checked
                raise InputError([f"--out {str(out)!r}: the folder now holds other files"])
            _merge(tmp, out)
            tmp.rmdir()
        else:
            _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap(tmp: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:  # the previous plan: only names railplan wrote (checked)
        shutil.rmtree(old, ignore_errors=True)


def _merge(tmp: Path, out: Path) -> None:
    for entry in sorted(tmp.iterdir()):
        target = out / entry.name
        if entry.is_dir() and target.exists():
            _swap(entry, target)
        else:
            os.replace(entry, target)


def write_plan(
    plan: Plan,
    out: str | Path,
    *,
    xlsx: bool = True,
    extra: Callable[[Path], None] | None = None,
    force: bool = False,
    lang: str = "en",
    places: Mapping[str, str] | None = None,
) -> None:
    """Write ``assignments.csv``, ``trains.csv``, ``unassigned.csv``, ``summary.json``,
    ``plan.xlsx`` and ``inputs/`` into ``out``; ``extra(folder)`` writes more files (the map
    and report) into the same temporary folder before it is put in place. The folder rule of
    :func:`check_out` applies. ``plan.xlsx`` is for people, in ``lang``, places named by
    ``places`` (:func:`routing.io.plan_xlsx.write_plan_xlsx`); the CSV and JSON files keep
    their English names and codes."""
    check_out(out, force=force)
    sheets = {
        "assignments": (ASSIGNMENT_COLUMNS, [a.row() for a in plan.assignments]),
        "trains": (TRAIN_COLUMNS, [t.row() for t in plan.trains]),
        "unassigned": (UNASSIGNED_COLUMNS, [u.row() for u in plan.unassigned]),
    }

    def write(tmp: Path) -> None:
        for name, (cols, rows) in sheets.items():
            write_csv(tmp / f"{name}.csv", cols, rows)
        write_csv(tmp / "emissions.csv", EMISSION_COLUMNS, [e.row() for e in plan.emissions])
        (tmp / "summary.json").write_text(
            json.dumps(plan.summary, indent=2, ensure_ascii=False, default=str) + "\n",
            encoding="utf-8",
        )
        _write_inputs(tmp / "inputs", plan.problem)
        if xlsx:
            write_plan_xlsx(tmp / "plan.xlsx", plan, lang=lang, places=places)
        if extra is not None:
            extra(tmp)

    atomic_dir(Path(out), write, force=force)


def _write_inputs(folder: Path, problem: Problem) -> None:
    """The problem as solved, so that maps can be drawn again from the folder alone: the batch
    files as JSON lists of objects (the columns of the batch files, text exactly as read)."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = batch_tables(problem.shipments, problem.departures, problem.quota)
    for name, (columns, rows) in tables.items():
        text = [{c: cell_text(row.get(c, "")) for c in columns} for row in rows]
        (folder / f"{name}.json").write_text(
            json.dumps(text, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )


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
        return [{k: unneutralise(v) for k, v in r.items()} for _, r in rs]

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
                # plan folders written before CO2e have no such columns
                co2e_wtw_kg=float(r.get("co2e_wtw_kg") or 0.0),
                co2e_ttw_kg=float(r.get("co2e_ttw_kg") or 0.0),
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
