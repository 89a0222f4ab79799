"""Tables in and out: CSV, XLSX and JSON rows as strings, the typed row reader that collects
every problem of a file, and CSV/XLSX writers that neutralise formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from network import Network, UnknownPlaceError, read_text
from routing.io.errors import InputError


# -- tables -----------------------------------------------------------------------------------
def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def read_table(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Rows of a CSV (UTF-8 with/without BOM or GB18030), XLSX or JSON file as strings,
    each with its row number as a spreadsheet shows it (header = row 1)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl  # deferred: only XLSX files need it

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        header = [_cell(h) for h in next(it, ())]
        rows = []
        for i, vals in enumerate(it, start=2):
            cells = [_cell(v) for v in vals]
            if any(cells):
                rows.append((i, dict(zip(header, cells, strict=False))))
        wb.close()
        return [h for h in header if h], rows
    if suffix == ".json":
        data = json.loads(read_text(path))
        if isinstance(data, dict):
            data = next((v for v in data.values() if isinstance(v, list)), [])
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise InputError([f"{path.name}: expected a JSON list of objects"])
        header = list(dict.fromkeys(k for r in data for k in r))
        return header, [(i, {k: _cell(v) for k, v in r.items()}) for i, r in enumerate(data, 1)]
    text = read_text(path)
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    rows = []
    for i, vals in enumerate(reader, start=2):
        if any(v.strip() for v in vals):
            rows.append((i, {h: v.strip() for h, v in zip(header, vals, strict=False)}))
    return [h for h in header if h], rows


class RowReader:
    """Collects the problems of one file; typed accessors return None on a bad value."""

    def __init__(self, path: Path, columns: dict[str, bool], allow_empty: bool = False) -> None:
        self.path, self.name = path, path.name
        self.problems: list[str] = []
        self.header: list[str] = []
        self.rows: list[tuple[int, dict[str, str]]] = []
        if not path.is_file():
            self.problems.append(f"{self.name}: file not found ({path})")
            return
        if path.stat().st_size == 0:
            self.problems.append(f"{self.name}: empty file, expected a header row")
            return
        try:
            self.header, self.rows = read_table(path)
        except InputError as e:
            self.problems += e.problems
            return
        except (ValueError, OSError, KeyError) as e:
            self.problems.append(f"{self.name}: cannot read the file: {e}")
            return
        missing = [c for c, req in columns.items() if req and c not in self.header]
        unknown = [c for c in self.header if c not in columns]
        for c in missing:
            self.problems.append(f"{self.name}: row 1: missing column {c!r}")
        for c in unknown:
            self.problems.append(
                f"{self.name}: row 1, column {c!r}: unknown column; expected one of {', '.join(columns)}"
            )
        if not self.rows and not allow_empty and not missing:
            self.problems.append(f"{self.name}: no data rows")
        if missing:
            self.rows = []

    def bad(self, line: int, col: str, value: str, expected: str) -> None:
        self.problems.append(
            f"{self.name}: row {line}, column {col}: {value!r}: expected {expected}"
        )

    def text(self, line: int, row: dict[str, str], col: str, required: bool = True) -> str | None:
        v = row.get(col, "")
        if required and not v:
            self.bad(line, col, v, "a value")
            return None
        return v

    def number(
        self,
        line: int,
        row: dict[str, str],
        col: str,
        *,
        default: float | None = None,
        minimum: float | None = None,
        integer: bool = False,
        strict_min: bool = False,
        required: bool = True,
    ) -> float | None:
        v = row.get(col, "")
        if not v:
            if default is not None or not required:
                return default
            self.bad(line, col, v, "a value")
            return None
        what = "an integer" if integer else "a number"
        try:
            x = float(v.replace(",", "")) if v.count(",") and "." in v else float(v)
        except ValueError:
            self.bad(line, col, v, what)
            return None
        if not math.isfinite(x) or (integer and not x.is_integer()):
            self.bad(line, col, v, what)
            return None
        if minimum is not None and (x < minimum or (strict_min and x == minimum)):
            self.bad(line, col, v, f"{what} {'>' if strict_min else '>='} {minimum:g}")
            return None
        return x

    def date(
        self, line: int, row: dict[str, str], col: str, required: bool = True
    ) -> dt.date | None:
        v = row.get(col, "")
        if not v:
            if required:
                self.bad(line, col, v, "a date YYYY-MM-DD")
            return None
        s = v[:10].replace("/", "-").replace(".", "-")
        try:
            return dt.date.fromisoformat(s)
        except ValueError:
            pass
        try:
            return dt.datetime.strptime(s, "%Y-%m-%d").date()
        except ValueError:
            self.bad(line, col, v, "a date YYYY-MM-DD")
            return None

    def boolean(self, line: int, row: dict[str, str], col: str, default: bool) -> bool:
        v = row.get(col, "").strip().lower()
        if not v:
            return default
        if v in ("true", "yes", "y", "1", "t", "是"):
            return True
        if v in ("false", "no", "n", "0", "f", "否"):
            return False
        self.bad(line, col, v, "true or false")
        return default

    def place(
        self, net: Network, line: int, row: dict[str, str], col: str, required: bool = True
    ) -> str | None:
        v = self.text(line, row, col, required)
        if not v:
            return None
        try:
            return net.resolve(v)
        except UnknownPlaceError as e:
            self.problems.append(f"{self.name}: row {line}, column {col}: {e}")
            return None

    def duplicate(self, line: int, col: str, v: str, seen: dict[str, int]) -> None:
        if v in seen:
            self.bad(line, col, v, f"a unique id (also on row {seen[v]})")
        else:
            seen[v] = line

    def raise_if_problems(self) -> None:
        if self.problems:
            raise InputError(self.problems)


# -- readers ----------------------------------------------------------------------------------


# -- writing ----------------------------------------------------------------------------------
#: first characters that make a spreadsheet read a cell as a formula
FORMULA_START = "=+-@\t\r"


def neutralise(v: object) -> object:
    """Make text a spreadsheet will never run as a formula (CSV/XLSX formula injection): an
    apostrophe goes before a formula's first character, and before text that already starts
    with an apostrophe and such a character, so that :func:`unneutralise` gives back exactly
    what was written."""
    if isinstance(v, str) and v and (v[0] in FORMULA_START or _escaped(v)):
        return "'" + v
    return v


def _escaped(v: str) -> bool:
    return len(v) > 1 and v[0] == "'" and v[1] in FORMULA_START + "'"


def unneutralise(v: str) -> str:
    """The inverse of :func:`neutralise`: ``unneutralise(neutralise(v)) == v`` for all text."""
    return v[1:] if _escaped(v) else v


def _text(v: object) -> object:
    return str(v).lower() if isinstance(v, bool) else v


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for row in rows:
            w.writerow([_text(neutralise(row.get(c, ""))) for c in columns])


def write_xlsx(path: Path, sheets: dict[str, tuple[Sequence[str], list[dict[str, Any]]]]) -> None:
    import openpyxl  # deferred: only XLSX files need it

    wb = openpyxl.Workbook()
    for ws0 in list(wb.worksheets):
        wb.remove(ws0)
    for name, (columns, rows) in sheets.items():
        ws = wb.create_sheet(name)
        ws.append(list(columns))
        for row in rows:
            cells = []
            for c in columns:
                v = neutralise(row.get(c, ""))
                cells.append(v.isoformat() if isinstance(v, dt.date) else v)
            ws.append(cells)
    wb.save(path)
