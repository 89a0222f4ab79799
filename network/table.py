"""Reading a table file: decoding its text, and CSV, XLSX and JSON into rows of strings.

:func:`read_text` decodes a text file (the encoding rules are in its docstring) and
:func:`read_table` reads CSV, XLSX and JSON into a :class:`Table`: rows of stripped strings
with the row number a spreadsheet shows, and every problem of the file, one line each, naming
file, row, column, value and what was expected. Typed access to the rows is
:class:`network.rows.RowReader`; :mod:`network.io` reads the network's files with it and
:mod:`routing.io` the planning batch.

The rules, for every file read this way:

* CSV is one record per line: LF or CRLF line endings, columns separated by ``,``. A quoted
  cell may hold commas and doubled quotes (``""``) but no line break: a quote that does not
  close on its line is an error naming the row where it opened. A file whose lines end in CR
  only, a lone CR elsewhere and a ``;`` or tab separated file are refused with a hint.
* Row 1 is the header: every column name once; a value under an empty header (or beyond the
  last header cell) is an error naming the column's letter and number.
* A cell holds at most :data:`MAX_CELL_CHARS` characters and no control character (U+0000 to
  U+001F except tab, U+007F to U+009F) or lone surrogate.

The rules for numbers and dates are in :mod:`network.rows`.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any, NamedTuple

#: the longest cell a table may hold, in characters (the network's longest source is ~600)
MAX_CELL_CHARS = 2_000


class TableError(ValueError):
    """A file that cannot be read; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


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


def sheet_label(path: Path, sheet: str | None) -> str:
    """How problems name a file, or one sheet of a workbook: ``batch.xlsx, sheet rates``."""
    return f"{path.name}, sheet {sheet}" if sheet else path.name


def sheet_names(path: Path) -> list[str]:
    """The names of a workbook's sheets that hold a row under their header (none for a file
    that is not a readable .xlsx)."""
    if Path(path).suffix.lower() not in (".xlsx", ".xlsm"):
        return []
    import openpyxl  # deferred: only XLSX files need it

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # reported when the file is read
        return []
    try:
        return [
            ws.title
            for ws in wb.worksheets
            if getattr(ws, "sheet_state", "visible") == "visible"
            and any(
                any(v is not None and str(v).strip() for v in vals)
                for vals in ws.iter_rows(min_row=2, values_only=True)
            )
        ]
    finally:
        wb.close()


def _read_xlsx(path: Path, sheet: str | None = None) -> Table:
    import openpyxl  # deferred: only XLSX files need it

    b = _Builder(sheet_label(path, sheet))
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb[sheet] if sheet else wb.worksheets[0]
            it = ws.iter_rows(values_only=True)
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
                f"{b.name}: cannot read the file as an Excel workbook (.xlsx): "
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


def read_table(path: Path, sheet: str | None = None) -> Table:
    """The rows of a CSV, XLSX (first sheet, or ``sheet``) or JSON file as stripped strings,
    each with its row number as a spreadsheet shows it (CSV/XLSX: header = row 1; JSON: the n-th object is
    row n), and every problem found (see the module's rules). Rows with a bad cell, and
    blank rows, are left out. Raises :class:`TableError` only for a file that cannot be read
    at all (missing, a folder, unreadable, undecodable)."""
    path = Path(path)
    if not path.is_file():
        raise TableError([f"{path.name}: {file_problem(path)}"])
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix in (".xls", ".ods", ".numbers"):
        raise TableError(
            [f"{path.name}: a {suffix} workbook is not read; save it as .xlsx or as 'CSV UTF-8'"]
        )
    if suffix == ".json":
        return _read_json(path.name, read_text(path, unit="line"))
    return _read_csv(path.name, read_text(path))
