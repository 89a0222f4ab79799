"""Tables in and out: CSV, XLSX and JSON rows as strings, the typed row reader that collects
every problem of a file, and CSV/XLSX writers that neutralise formulas."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from network import Network, UnknownPlaceError
from network import io as _io
from network.io import TableError
from routing.io.errors import InputError
from routing.io.headers import chinese

# -- tables -----------------------------------------------------------------------------------
# The reader itself lives in network.io (the lowest layer; the network's files are read with
# it too); here it raises InputError and resolves place names.


def read_table(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Rows of a CSV (UTF-8 with/without BOM or GB18030), XLSX or JSON file as strings,
    each with its row number as a spreadsheet shows it (header = row 1); every problem of the
    file (see :mod:`network.io`) raises :class:`InputError`."""
    try:
        table = _io.read_table(Path(path))
    except TableError as e:
        raise InputError(e.problems) from None
    if table.problems:
        raise InputError(table.problems)
    return table.header, table.rows


class RowReader(_io.RowReader):
    """Collects the problems of one file; typed accessors return None on a bad value
    (:class:`network.io.RowReader`, plus place names and :class:`InputError`)."""

    def __init__(
        self,
        path: Path,
        columns: dict[str, bool],
        allow_empty: bool = False,
        *,
        kind: str | None = None,
        sheet: str | None = None,
    ) -> None:
        """``kind``: the file kind whose Chinese headers are accepted
        (:data:`routing.io.headers.HEADERS`); ``sheet``: the workbook sheet to read."""
        super().__init__(
            path,
            columns,
            allow_empty=allow_empty,
            headers=chinese(kind) if kind else None,
            sheet=sheet,
        )

    def place(
        self, net: Network, line: int, row: dict[str, str], col: str, required: bool = True
    ) -> str | None:
        v = self.text(line, row, col, required)
        if not v:
            return None
        try:
            return net.resolve(v)
        except UnknownPlaceError as e:
            self.problems.append(f"{self.name}: row {line}, column {self.col(col)}: {e}")
            return None

    def raise_if_problems(self) -> None:
        if self.problems:
            raise InputError(self.problems)


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


def cell_text(v: object) -> str:
    """A value as the CSV writers write it, before neutralisation: text, ``true``/``false``,
    and nothing for None."""
    return "" if v is None else str(_text(v))


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
