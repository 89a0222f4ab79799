"""Reading tables: the network's CSV files, and the one table reader the project uses.

This is the only module of :mod:`network` that touches files. :func:`read_text` decodes a text
file (the encoding rules are in its docstring), :func:`read_table` reads CSV, XLSX and JSON
into rows of strings with the row number a spreadsheet shows, and :class:`RowReader` gives
typed access to the rows. Every problem of a file is collected and reported at once, one line
each, naming file, row, column, value and what was expected. :mod:`routing.io` reads the
planning batch with the same reader.

The rules, for every file read this way:

* CSV is one record per line: LF or CRLF line endings, columns separated by ``,``. A quoted
  cell may hold commas and doubled quotes (``""``) but no line break: a quote that does not
  close on its line is an error naming the row where it opened. A file whose lines end in CR
  only, a lone CR elsewhere and a ``;`` or tab separated file are refused with a hint.
* Row 1 is the header: every column name once; a value under an empty header (or beyond the
  last header cell) is an error naming the column's letter and number.
* A cell holds at most :data:`MAX_CELL_CHARS` characters and no control character (U+0000 to
  U+001F except tab, U+007F to U+009F) or lone surrogate.
* Numbers are plain decimals with a dot (``12.5``, ``1e3``; no thousands separator, no decimal
  comma, no ``nan``/``inf``) within the column's range in :data:`NUMBER_RANGES`. Dates are
  exactly ``YYYY-MM-DD`` (or date cells of a workbook) from :data:`FIRST_DATE` to
  :data:`LAST_DATE`.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from network.model import WEEKDAYS, Link, Node, Service

T = TypeVar("T")

#: the longest cell a table may hold, in characters (the network's longest source is ~600)
MAX_CELL_CHARS = 2_000
#: the date window: dates outside it are refused (dates far out overflow when days are added)
FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)


class NumberRange(NamedTuple):
    """The values a number column accepts: ``low <= x <= high`` (``low < x`` when
    ``low_open``), whole numbers only when ``integer``."""

    low: float
    high: float
    integer: bool
    low_open: bool = False


#: every number column of every input file (batch and network) and its accepted range
NUMBER_RANGES: dict[str, NumberRange] = {
    # shipments
    "containers": NumberRange(1, 100_000, True),  # per shipment (OR-Library demands reach 12,912)
    "gross_t": NumberRange(0, 100, False, low_open=True),  # per container
    "late_penalty_per_teu_day": NumberRange(0, 1e7, False),
    # departures
    "border_offset_days": NumberRange(0, 365, True),
    "transit_days": NumberRange(0, 365, True),  # also services.csv
    # up to 100,000: a real train takes ~100 TEU, but literature instances (OR-Library capacities
    # up to 15,000 and more) are read through the same files
    "capacity_teu": NumberRange(1, 100_000, True),  # also services.csv
    "max_gross_t": NumberRange(0, 100_000, False, low_open=True),  # per train, also services
    "fixed_cost": NumberRange(0, 1e9, False),
    "rate_per_teu": NumberRange(0, 1e7, False),  # also rates.csv
    "min_load_teu": NumberRange(0, 100_000, True),  # also services.csv
    "reefer_plugs": NumberRange(0, 1_000, True),  # also services.csv
    # border_quota.csv (and nodes.csv)
    "trains_per_day": NumberRange(0, 1_000, True),
    # trucking.csv (and links.csv)
    "cost_per_teu": NumberRange(0, 1e7, False),
    "days": NumberRange(0, 365, True),
    # nodes.csv
    "lat": NumberRange(-90, 90, False),
    "lon": NumberRange(-180, 180, False),
    "gauge_mm": NumberRange(500, 2_000, True),  # also links.csv
    "dwell_hours": NumberRange(0, 8_760, False),
    "national_trains_per_day": NumberRange(0, 1_000, True),
    # links.csv
    "distance_km": NumberRange(0, 40_000, False, low_open=True),
    "speed_kmh": NumberRange(0, 500, False, low_open=True),
    # services.csv
    "every_weeks": NumberRange(1, 52, True),
    "fixed_cost_usd": NumberRange(0, 1e9, False),
    "rate_per_teu_usd": NumberRange(0, 1e7, False),
}

NODE_COLUMNS = (
    "id",
    "name_en",
    "name_zh",
    "aliases",
    "kind",
    "country",
    "lat",
    "lon",
    "gauge_mm",
    "gauge_change",
    "dwell_hours",
    "trains_per_day",
    "national_trains_per_day",
    "source",
)
LINK_COLUMNS = (
    "from",
    "to",
    "mode",
    "gauge_mm",
    "distance_km",
    "speed_kmh",
    "cost_per_teu",
    "source",
)
SERVICE_COLUMNS = (
    "service_id",
    "name",
    "scope",
    "corridor",
    "origin",
    "destination",
    "border_port",
    "via",
    "weekdays",
    "every_weeks",
    "capacity_teu",
    "max_gross_t",
    "fixed_cost_usd",
    "rate_per_teu_usd",
    "min_load_teu",
    "reefer_plugs",
    "dg_allowed",
    "transit_days",
    "source",
)


class TableError(ValueError):
    """A file that cannot be read; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class NetworkError(TableError):
    """Invalid network data; ``problems`` holds one line per problem."""


# -- decoding ---------------------------------------------------------------------------------
_SAVE_AS = "save the file as UTF-8 (in Excel: 'CSV UTF-8')"


def _is_ideograph(ch: str) -> bool:
    o = ord(ch)
    return 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF


def _chinese_gb18030(raw: bytes) -> str | None:
    """``raw`` decoded as GB18030 if it plausibly is Chinese text, else None.

    Plausible: it decodes, holds at least one CJK ideograph, and every other non-ASCII
    character is a two-byte character of the GB2312 area (both bytes 0xA1..0xFE, not private
    use) or a two-byte ideograph whose second byte is not ASCII. Latin-1 text, where an
    accented letter is mostly followed by an ASCII one (``ü`` + ``r`` = ``黵``), fails."""
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        return None
    ideographs = False
    for ch in set(text):
        if ord(ch) < 0x80:
            continue
        b = ch.encode("gb18030")
        if len(b) != 2 or 0xE000 <= ord(ch) <= 0xF8FF:
            return None
        if _is_ideograph(ch) and b[1] >= 0x80:
            ideographs = True
        elif not (b[0] >= 0xA1 and b[1] >= 0xA1):
            return None
    return text if ideographs else None


def _utf16_without_bom(raw: bytes) -> bool:
    head = raw[:200]
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return even.count(0) > 0.8 * len(even) or odd.count(0) > 0.8 * len(odd)


def decode(raw: bytes, name: str, unit: str = "row") -> str:
    """Decode the bytes of file ``name``; see :func:`read_text`. ``unit`` names a line in
    messages (``row`` for CSV, where a line is a row)."""
    for bom, enc in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return raw.decode(enc)
            except UnicodeDecodeError as e:
                line = raw[: e.start].decode(enc, errors="replace").count("\n") + 1
                raise TableError(
                    [f"{name}: {unit} {line} (byte {e.start}): not valid {enc.upper()}; {_SAVE_AS}"]
                ) from None
    if _utf16_without_bom(raw):
        raise TableError(
            [f"{name}: the file looks like UTF-16 without a byte-order mark; {_SAVE_AS}"]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        gb = _chinese_gb18030(raw)
        if gb is not None:
            return gb
        line = raw[: e.start].count(b"\n") + 1
        bad = raw[e.start : min(e.end, e.start + 4)].hex(" ")
        raise TableError(
            [
                f"{name}: {unit} {line} (byte {e.start}): not valid UTF-8 (bytes {bad}) nor "
                f"Chinese GB18030 text; {_SAVE_AS}"
            ]
        ) from None
    return text.removeprefix("\ufeff")


def read_text(path: Path, unit: str = "row") -> str:
    """Read a text file. Accepted: UTF-8 (with or without BOM); UTF-16 and UTF-32 with a
    byte-order mark; GB18030 (Chinese Excel) where the text is plausibly Chinese (see
    :func:`_chinese_gb18030`). Anything else raises :class:`TableError` naming the line and
    byte of the first undecodable bytes: nothing is replaced silently."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise TableError([f"{path.name}: {file_problem(path, e)}"]) from None
    return decode(raw, path.name, unit)


def file_problem(path: Path, e: OSError | None = None) -> str:
    if path.is_dir():
        return f"is a folder, expected a file ({path})"
    if e is None and not path.exists():
        return f"file not found ({path})"
    if isinstance(e, FileNotFoundError):
        return f"file not found ({path})"
    return f"cannot read the file ({path}): {getattr(e, 'strerror', None) or e}"


# -- tables -----------------------------------------------------------------------------------
def column_label(i: int) -> str:
    """``4`` -> ``'5 (E)'``: the 1-based number and spreadsheet letter of column ``i``."""
    n, letters = i + 1, ""
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(65 + r) + letters
    return f"{i + 1} ({letters})"


def show(v: str) -> str:
    """A value for a message: quoted and escaped, long values cut."""
    if len(v) > 60:
        return f"{v[:40]!r}... ({len(v):,} characters)"
    return repr(v)


_BAD_CHAR = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")
_CHAR_NAMES = {
    "\r": "a carriage return (CR; lines must end in LF or CRLF)",
    "\n": "a line feed (LF)",
    "\x00": "a NUL character",
}


def cell_problem(v: str) -> str | None:
    """What is wrong with the text of a cell (too long, control character), or None."""
    if len(v) > MAX_CELL_CHARS:
        return f"a cell of {len(v):,} characters: expected at most {MAX_CELL_CHARS:,} characters"
    m = _BAD_CHAR.search(v)
    if m is None:
        return None
    ch = m.group()
    what = (
        "a lone surrogate"
        if "\ud800" <= ch <= "\udfff"
        else _CHAR_NAMES.get(ch, "a control character")
    )
    return (
        f"{show(v)}: expected text without control characters (found U+{ord(ch):04X}, "
        f"{what}, at character {m.start() + 1})"
    )


class Table(NamedTuple):
    """A file's header (the column names, each once), its rows of stripped strings with
    their row number, and the problems found reading it."""

    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    problems: list[str]


def _csv_cells(line: str, delim: str = ",") -> list[str] | int:
    """The cells of one CSV line, or the index of the cell whose quote does not close."""
    if '"' not in line:
        return line.split(delim)
    out: list[str] = []
    i, n = 0, len(line)
    while True:
        if i < n and line[i] == '"':
            j, parts = i + 1, []
            while True:
                k = line.find('"', j)
                if k < 0:
                    return len(out)
                parts.append(line[j:k])
                if line.startswith('""', k):
                    parts.append('"')
                    j = k + 2
                    continue
                i = k + 1
                break
            m = line.find(delim, i)
            out.append("".join(parts) + (line[i:] if m < 0 else line[i:m]))
        else:
            m = line.find(delim, i)
            out.append(line[i:] if m < 0 else line[i:m])
        if m < 0:
            return out
        i = m + 1


class _Builder:
    """Turns a header and raw rows into a :class:`Table`, checking every cell."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[str] = []
        self.names: list[str] = []
        self.index: dict[str, int] = {}
        self.rows: list[tuple[int, dict[str, str]]] = []
        self.reported: set[int] = set()  # columns whose values are not read (reported once)

    def header(self, cells: list[str]) -> None:
        for i, raw in enumerate(cells):
            bad = cell_problem(raw)
            h = raw.strip()
            if bad:
                self.problems.append(f"{self.name}: row 1, column {column_label(i)}: {bad}")
                self.reported.add(i)
                h = ""
            elif h in self.index:
                self.problems.append(
                    f"{self.name}: row 1, column {h!r}: appears twice (columns "
                    f"{column_label(self.index[h])} and {column_label(i)}); expected each "
                    "column once"
                )
                self.reported.add(i)
                h = ""
            elif h:
                self.index[h] = i
            self.names.append(h)

    def row(self, line: int, cells: list[str]) -> None:
        row: dict[str, str] = {}
        ok = True
        for i, raw in enumerate(cells):
            h = self.names[i] if i < len(self.names) else ""
            bad = cell_problem(raw)
            if bad:
                self.problems.append(
                    f"{self.name}: row {line}, column {h or column_label(i)}: {bad}"
                )
                ok = False
                continue
            v = raw.strip()
            if h:
                row[h] = v
            elif v and i not in self.reported:
                self.reported.add(i)
                where = "an empty header" if i < len(self.names) else "no header"
                self.problems.append(
                    f"{self.name}: row {line}, column {column_label(i)}: {show(v)}: a value "
                    f"under {where}; expected a column name in row 1"
                )
        if ok and any(row.values()):
            self.rows.append((line, row))

    def table(self) -> Table:
        return Table([h for h in self.names if h], self.rows, self.problems)


def _read_csv(name: str, text: str) -> Table:
    b = _Builder(name)
    if "\r" in text and "\n" not in text:
        return Table(
            [],
            [],
            [
                f"{name}: row 1: the lines end with CR only (old Mac line endings); expected LF or "
                f"CRLF line endings; {_SAVE_AS}"
            ],
        )
    lines = text.replace("\r\n", "\n").split("\n")
    first = lines[0]
    for delim, what in ((";", "';'"), ("\t", "tabs")):
        if "," not in first and delim in first:
            return Table(
                [],
                [],
                [
                    f"{name}: row 1: the columns are separated by {what}; expected ',' (in Excel: "
                    "save as 'CSV UTF-8 (comma delimited)')"
                ],
            )
    n, end = 0, len(lines)
    while n < end:
        line, n = lines[n], n + 1
        cells = _csv_cells(line)
        if isinstance(cells, int):
            # the quoted cell runs on until an odd number of quotes closes it: skip those lines
            start = n
            while n < end and lines[n].count('"') % 2 == 0:
                n += 1
            runs = f"it runs on to row {n + 1}" if n < end else "it never closes"
            n += 1
            col = b.names[cells] if cells < len(b.names) and start > 1 else ""
            b.problems.append(
                f"{name}: row {start}, column {col or column_label(cells)}: a quote '\"' opens "
                f"a cell that does not close on its line ({runs}); expected one line per row "
                "(close the quote; line breaks inside a cell are not supported)"
            )
            if start == 1:
                return b.table()
            continue
        if n == 1:
            b.header(cells)
        elif any(c.strip() for c in cells):
            b.row(n, cells)
    return b.table()


def _xlsx_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    return str(v)


def _read_xlsx(path: Path) -> Table:
    import openpyxl  # deferred: only XLSX files need it

    b = _Builder(path.name)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            it = wb.worksheets[0].iter_rows(values_only=True)
            b.header([_xlsx_cell(h) for h in next(it, ())])
            for i, vals in enumerate(it, start=2):
                cells = [_xlsx_cell(v) for v in vals]
                if any(c.strip() for c in cells):
                    b.row(i, cells)
        finally:
            wb.close()
    except Exception as e:  # openpyxl, zipfile and zlib raise many kinds on a bad file
        msg = str(e).splitlines()[0][:200] if str(e).strip() else ""
        kind = type(e).__name__
        if kind == "error":  # zlib.error, struct.error
            kind = f"{type(e).__module__}.error"
        return Table(
            [],
            [],
            [
                f"{path.name}: cannot read the file as an Excel workbook (.xlsx): "
                f"{kind}{': ' + msg if msg else ''}"
            ],
        )
    return b.table()


class _Object(dict[str, Any]):
    duplicates: list[str]


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object()
    obj.duplicates = []
    for k, v in pairs:
        if k in obj:
            obj.duplicates.append(k)
        obj[k] = v
    return obj


def _no_constant(s: str) -> Any:
    raise ValueError(f"{s} is not a JSON number")


def _json_cell(v: Any) -> str | None:
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        return str(int(v))
    if isinstance(v, int | float | str):
        return str(v)
    return None


def _json_type(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return "true/false/null"
    return {str: "string", int: "number", float: "number", list: "array"}.get(type(v), "object")


def _read_json(name: str, text: str) -> Table:
    try:
        data = json.loads(text, object_pairs_hook=_object, parse_constant=_no_constant)
    except RecursionError:
        return Table([], [], [f"{name}: the JSON is nested too deeply; expected a list of objects"])
    except json.JSONDecodeError as e:
        return Table(
            [], [], [f"{name}: line {e.lineno}, column {e.colno}: not valid JSON: {e.msg}"]
        )
    except ValueError as e:
        return Table([], [], [f"{name}: not valid JSON: {e}"])
    expected = "expected a JSON list of objects (one per row), or an object holding one such list"
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            return Table([], [], [f"{name}: an object with {len(lists)} lists; {expected}"])
        data = lists[0]
    if not isinstance(data, list):
        return Table([], [], [f"{name}: a JSON {_json_type(data)}; {expected}"])
    b = _Builder(name)
    keys: dict[str, None] = {}
    for obj in data:
        if isinstance(obj, dict):
            keys.update(dict.fromkeys(obj))
    b.header(list(keys))
    position = {k: i for i, k in enumerate(keys)}
    for n, obj in enumerate(data, start=1):
        if not isinstance(obj, dict):
            b.problems.append(
                f"{name}: row {n}: a JSON {_json_type(obj)}: expected an object of column: value"
            )
            continue
        for k in getattr(obj, "duplicates", []):
            b.problems.append(f"{name}: row {n}, column {k}: appears twice in the object")
        cells = [""] * len(b.names)
        ok = True
        for k, v in obj.items():
            c = _json_cell(v)
            if c is None:
                what = "an array" if isinstance(v, list) else "an object"
                b.problems.append(
                    f"{name}: row {n}, column {k}: {what}: expected a text, a number, "
                    "true, false or null"
                )
                ok = False
            else:
                cells[position[k]] = c
        if ok:
            b.row(n, cells)
    return b.table()


def read_table(path: Path) -> Table:
    """The rows of a CSV, XLSX (first sheet) or JSON file as stripped strings, each with its
    row number as a spreadsheet shows it (CSV/XLSX: header = row 1; JSON: the n-th object is
    row n), and every problem found (see the module's rules). Rows with a bad cell, and
    blank rows, are left out. Raises :class:`TableError` only for a file that cannot be read
    at all (missing, a folder, unreadable, undecodable)."""
    path = Path(path)
    if not path.is_file():
        raise TableError([f"{path.name}: {file_problem(path)}"])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".xls", ".ods", ".numbers"):
        raise TableError(
            [f"{path.name}: a {suffix} workbook is not read; save it as .xlsx or as 'CSV UTF-8'"]
        )
    if suffix == ".json":
        return _read_json(path.name, read_text(path, unit="line"))
    return _read_csv(path.name, read_text(path))


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_NUMBER_HINT = " (use a dot as decimal separator and no thousands separator)"


def _fmt(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"


def range_text(rng: NumberRange) -> str:
    """``NumberRange(1, 10_000, True)`` -> ``'an integer from 1 to 10,000'``."""
    what = "an integer" if rng.integer else "a number"
    if rng.low_open:
        return f"{what} > {_fmt(rng.low)} and at most {_fmt(rng.high)}"
    return f"{what} from {_fmt(rng.low)} to {_fmt(rng.high)}"


class RowReader:
    """Reads one table file and collects its problems; typed accessors return None (or the
    default) on a bad value and record one problem line naming file, row, column and value.

    ``columns`` maps each column to whether it is required. Unknown columns are problems
    (``unknown="error"``, the planning batch) or ignored (``unknown="ignore"``, the network's
    files, which carry a ``notes`` column)."""

    def __init__(
        self,
        path: Path,
        columns: Mapping[str, bool],
        *,
        allow_empty: bool = False,
        unknown: str = "error",
        problems: list[str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.problems: list[str] = [] if problems is None else problems
        self.header: list[str] = []
        self.rows: list[tuple[int, dict[str, str]]] = []
        if self.path.is_file() and self.path.stat().st_size == 0:
            self.problems.append(f"{self.name}: empty file, expected a header row")
            return
        try:
            table = read_table(self.path)
        except TableError as e:
            self.problems += e.problems
            return
        self.problems += table.problems
        self.header, self.rows = table.header, table.rows
        if not self.header and not table.problems:
            self.problems.append(f"{self.name}: empty file, expected a header row")
            return
        if not self.header:
            return
        missing = [c for c, req in columns.items() if req and c not in self.header]
        for c in missing:
            self.problems.append(f"{self.name}: row 1: missing column {c!r}")
        if unknown == "error":
            for c in self.header:
                if c not in columns:
                    self.problems.append(
                        f"{self.name}: row 1, column {c!r}: unknown column; expected one of "
                        f"{', '.join(columns)}"
                    )
        if not self.rows and not allow_empty and not missing and not table.problems:
            self.problems.append(f"{self.name}: no data rows")
        if missing:
            self.rows = []

    def bad(self, line: int, col: str, value: str, expected: str) -> None:
        self.problems.append(
            f"{self.name}: row {line}, column {col}: {show(value)}: expected {expected}"
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
        required: bool = True,
    ) -> float | None:
        """The number in ``col``, checked against ``NUMBER_RANGES[col]``; ``default`` (or
        None when not ``required``) for an empty cell."""
        rng = NUMBER_RANGES[col]
        v = row.get(col, "")
        if not v:
            if default is not None or not required:
                return default
            self.bad(line, col, v, "a value")
            return None
        if not _NUMBER.fullmatch(v):
            expected = "an integer" if rng.integer else "a number"
            if any(c in v for c in ", _'\u00a0\u202f") and any(c.isdigit() for c in v):
                expected += _NUMBER_HINT
            self.bad(line, col, v, expected)
            return None
        x = float(v)
        if (
            not (rng.low <= x <= rng.high)
            or (rng.low_open and x == rng.low)
            or (rng.integer and not x.is_integer())
        ):
            self.bad(line, col, v, range_text(rng))
            return None
        return x

    def integer(
        self,
        line: int,
        row: dict[str, str],
        col: str,
        *,
        default: int | None = None,
        required: bool = True,
    ) -> int | None:
        x = self.number(line, row, col, default=default, required=required)
        return None if x is None else int(x)

    def date(
        self, line: int, row: dict[str, str], col: str, required: bool = True
    ) -> dt.date | None:
        """A date ``YYYY-MM-DD`` from :data:`FIRST_DATE` to :data:`LAST_DATE`."""
        v = row.get(col, "")
        if not v:
            if required:
                self.bad(line, col, v, "a date YYYY-MM-DD")
            return None
        try:
            if not _DATE.fullmatch(v):
                raise ValueError(v)
            day = dt.date.fromisoformat(v)
        except ValueError:
            self.bad(line, col, v, "a date YYYY-MM-DD")
            return None
        if not FIRST_DATE <= day <= LAST_DATE:
            self.bad(line, col, v, f"a date from {FIRST_DATE} to {LAST_DATE}")
            return None
        return day

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

    def duplicate(self, line: int, col: str, v: str, seen: dict[str, int]) -> None:
        if v in seen:
            self.bad(line, col, v, f"a unique id (also on row {seen[v]})")
        else:
            seen[v] = line

    def make(self, line: int, cls: Callable[..., T], **kw: object) -> T | None:
        """``cls(**kw)``; a ValueError of the record's own checks becomes a problem."""
        try:
            return cls(**kw)
        except ValueError as e:
            self.problems.append(f"{self.name}: row {line}: {e}")
            return None


# -- the network's files ----------------------------------------------------------------------
def _items(text: str | None) -> tuple[str, ...]:
    return tuple(a.strip() for a in (text or "").split(";") if a.strip())


def read_nodes(path: Path, problems: list[str]) -> list[Node]:
    r = RowReader(path, dict.fromkeys(NODE_COLUMNS, True), unknown="ignore", allow_empty=True)
    nodes = []
    for line, row in r.rows:
        n_before = len(r.problems)
        if not r.text(line, row, "source"):
            continue
        kw: dict[str, Any] = {
            "id": r.text(line, row, "id"),
            "name_en": r.text(line, row, "name_en"),
            "name_zh": r.text(line, row, "name_zh", required=False),
            "aliases": _items(row.get("aliases")),
            "kind": r.text(line, row, "kind"),
            "country": r.text(line, row, "country"),
            "lat": r.number(line, row, "lat"),
            "lon": r.number(line, row, "lon"),
            "gauge_mm": r.integer(line, row, "gauge_mm", default=1435),
            "gauge_change": r.boolean(line, row, "gauge_change", False),
            "dwell_hours": r.number(line, row, "dwell_hours", default=0.0),
            "trains_per_day": r.integer(line, row, "trains_per_day", required=False),
            "national_trains_per_day": r.integer(
                line, row, "national_trains_per_day", required=False
            ),
            "source": r.text(line, row, "source"),
        }
        if len(r.problems) == n_before and (node := r.make(line, Node, **kw)) is not None:
            nodes.append(node)
    problems += r.problems
    return nodes


def read_links(path: Path, problems: list[str]) -> list[Link]:
    r = RowReader(path, dict.fromkeys(LINK_COLUMNS, True), unknown="ignore", allow_empty=True)
    links = []
    for line, row in r.rows:
        n_before = len(r.problems)
        if not r.text(line, row, "source"):
            continue
        kw: dict[str, Any] = {
            "a": r.text(line, row, "from"),
            "b": r.text(line, row, "to"),
            "mode": r.text(line, row, "mode"),
            "gauge_mm": r.integer(line, row, "gauge_mm", required=False),
            "distance_km": r.number(line, row, "distance_km"),
            "speed_kmh": r.number(line, row, "speed_kmh"),
            "cost_per_teu": r.number(line, row, "cost_per_teu", default=0.0),
            "source": r.text(line, row, "source"),
        }
        if len(r.problems) == n_before and (link := r.make(line, Link, **kw)) is not None:
            links.append(link)
    problems += r.problems
    return links


def _weekdays(r: RowReader, line: int, row: dict[str, str], col: str) -> tuple[int, ...]:
    out = []
    for part in (r.text(line, row, col) or "").replace(",", ";").split(";"):
        p = part.strip()[:3].title()
        if not p:
            continue
        if p not in WEEKDAYS:
            r.bad(line, col, row[col], "weekdays like Mon;Thu")
            return ()
        out.append(WEEKDAYS.index(p))
    return tuple(sorted(set(out)))


def read_services(path: Path, problems: list[str]) -> list[Service]:
    r = RowReader(path, dict.fromkeys(SERVICE_COLUMNS, True), unknown="ignore", allow_empty=True)
    services = []
    for line, row in r.rows:
        n_before = len(r.problems)
        if not r.text(line, row, "source"):
            continue
        kw: dict[str, Any] = {
            "service_id": r.text(line, row, "service_id"),
            "name": r.text(line, row, "name"),
            "scope": r.text(line, row, "scope"),
            "corridor": r.text(line, row, "corridor"),
            "origin": r.text(line, row, "origin"),
            "destination": r.text(line, row, "destination"),
            "border_port": r.text(line, row, "border_port", required=False),
            "via": _items(row.get("via")),
            "weekdays": _weekdays(r, line, row, "weekdays"),
            "every_weeks": r.integer(line, row, "every_weeks", default=1),
            "capacity_teu": r.integer(line, row, "capacity_teu"),
            "max_gross_t": r.number(line, row, "max_gross_t", required=False),
            "fixed_cost_usd": r.number(line, row, "fixed_cost_usd"),
            "rate_per_teu_usd": r.number(line, row, "rate_per_teu_usd"),
            "min_load_teu": r.integer(line, row, "min_load_teu", default=0),
            "reefer_plugs": r.integer(line, row, "reefer_plugs", default=0),
            "dg_allowed": r.boolean(line, row, "dg_allowed", False),
            "transit_days": r.integer(line, row, "transit_days", required=False),
            "source": r.text(line, row, "source"),
        }
        if len(r.problems) == n_before and (svc := r.make(line, Service, **kw)) is not None:
            services.append(svc)
    problems += r.problems
    return services
