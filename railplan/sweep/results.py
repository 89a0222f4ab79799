"""The sweep's table: one row per scenario (its parameters and results), ranked, written as
``scenarios.csv`` and ``scenarios.xlsx``."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from railplan.sweep.spec import Sweep
from railplan.sweep.task import RESULT_COLUMNS, Outcome
from routing.io import neutralise, write_csv


def cost_per_teu(row: dict[str, Any]) -> float | str:
    """Total cost per TEU carried ('' when nothing is carried or the scenario failed)."""
    teu = row.get("teu_carried")
    return round(row["total_cost"] / teu, 2) if isinstance(teu, int) and teu > 0 else ""


#: ranking keys: smaller is better (``teu_carried``: more is better)
RANKS: dict[str, Callable[[dict[str, Any]], float]] = {
    "objective": lambda r: float(r["objective"]),
    "total_cost": lambda r: float(r["total_cost"]),
    "cost_per_teu": lambda r: float(c) if (c := cost_per_teu(r)) != "" else float("inf"),
    "co2e": lambda r: float(r["co2e_wtw_t"]),
    "teu_carried": lambda r: -float(r["teu_carried"]),
}


def ranked(outcomes: Sequence[Outcome], by: str = "objective") -> list[str]:
    """The planned scenarios' ids, best first (ties: the file's order); failed ones left out."""
    key = RANKS[by]
    ok = [
        (key(o.result), i, o.scenario_id)
        for i, o in enumerate(outcomes)
        if o.result["status"] != "failed"
    ]
    return [sid for _, _, sid in sorted(ok)]


def best(outcomes: Sequence[Outcome], by: str = "objective", *, besides: str = "") -> str | None:
    """The best-ranked planned scenario other than ``besides`` (the base, already mapped)."""
    order = [sid for sid in ranked(outcomes, by) if sid != besides]
    return order[0] if order else None


def columns(sweep: Sweep) -> tuple[str, ...]:
    """``rank``, ``scenario``, the parameters any scenario sets, ``cost_per_teu``, then the
    results (:data:`railplan.sweep.task.RESULT_COLUMNS`)."""
    return (
        "rank",
        "scenario",
        *sweep.parameters,
        *RESULT_COLUMNS[:4],
        "cost_per_teu",
        *RESULT_COLUMNS[4:],
    )


def rows(sweep: Sweep, outcomes: Sequence[Outcome], by: str = "objective") -> list[dict[str, Any]]:
    """One row per scenario in the file's order."""
    rank = {sid: i for i, sid in enumerate(ranked(outcomes, by), start=1)}
    out = []
    for sc, o in zip(sweep.scenarios, outcomes, strict=True):
        row: dict[str, Any] = {"rank": rank.get(sc.scenario_id, ""), "scenario": sc.scenario_id}
        row.update(dict.fromkeys(sweep.parameters, ""))
        row.update(dict(sc.labels))
        row.update(o.result)
        row["cost_per_teu"] = cost_per_teu(o.result) if o.result["status"] != "failed" else ""
        out.append(row)
    return out


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write through a temporary sibling, then replace: never a half-written file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_table(
    folder: Path, cols: Sequence[str], table: list[dict[str, Any]], about: dict[str, Any]
) -> None:
    """``scenarios.csv`` and ``scenarios.xlsx`` (a ``scenarios`` sheet for people: frozen
    header, filter, widths, number formats; a ``sweep`` sheet with ``about``)."""
    atomic_write(folder / "scenarios.csv", lambda p: write_csv(p, cols, table))
    atomic_write(folder / "scenarios.xlsx", lambda p: _xlsx(p, cols, table, about))


#: number formats of the workbook's columns
FORMATS = {
    "objective": "#,##0",
    "total_cost": "#,##0",
    "total_cost_with_carbon": "#,##0",
    "bound": "#,##0",
    "cost_per_teu": "#,##0.00",
    "gap": "0.000%",
    "on_time_share": "0.0%",
    "co2e_wtw_t": "#,##0.0",
    "co2e_ttw_t": "#,##0.0",
}


def _xlsx(
    path: Path, cols: Sequence[str], table: Iterable[dict[str, Any]], about: dict[str, Any]
) -> None:
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "scenarios"
    ws.append(list(cols))
    for c in ws[1]:
        c.font = Font(bold=True)
    n = 1
    for row in table:
        ws.append([neutralise(row.get(c, "")) for c in cols])
        n += 1
    for j, c in enumerate(cols, start=1):
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = min(40, max(9, len(c) + 2))
        if c in FORMATS:
            for (cell,) in ws.iter_rows(min_row=2, max_row=n, min_col=j, max_col=j):
                cell.number_format = FORMATS[c]
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{n}"
    info = wb.create_sheet("sweep")
    for k, v in about.items():
        info.append([k, neutralise(v.isoformat() if isinstance(v, dt.datetime) else v)])
    info.column_dimensions["A"].width = 22
    info.column_dimensions["B"].width = 60
    wb.save(path)
