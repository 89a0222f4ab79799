"""Typed access to a table's rows: numbers, dates, booleans and ids, each checked.

:class:`RowReader` reads one file with :func:`network.table.read_table` and collects its
problems, one line each, naming file, row, column, value and what was expected.

The rules, for every file read this way (the file's own rules are in :mod:`network.table`):

* Numbers are plain decimals with a dot (``12.5``, ``1e3``; no thousands separator, no decimal
  comma, no ``nan``/``inf``) within the column's range in :data:`NUMBER_RANGES`. Dates are
  exactly ``YYYY-MM-DD`` (or date cells of a workbook) from :data:`FIRST_DATE` to
  :data:`LAST_DATE`.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple, TypeVar

from network.table import TableError, read_table, sheet_label, show

T = TypeVar("T")

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
    "move_penalty_per_container": NumberRange(0, 1e7, False),  # a booked lot (re-planning)
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


def parse_date(text: str) -> dt.date:
    """A date written exactly ``YYYY-MM-DD`` from :data:`FIRST_DATE` to :data:`LAST_DATE`;
    ``ValueError`` says what was expected (the one date rule of files and flags alike)."""
    try:
        if not _DATE.fullmatch(text):
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError("a date YYYY-MM-DD") from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValueError(f"a date from {FIRST_DATE} to {LAST_DATE}")
    return day


def header_key(h: str) -> str:
    """A header as looked up in a header mapping: NFKC (full-width brackets as ASCII), no
    spaces."""
    return unicodedata.normalize("NFKC", h).replace(" ", "")


class RowReader:
    """Reads one table file and collects its problems; typed accessors return None (or the
    default) on a bad value and record one problem line naming file, row, column and value.

    ``columns`` maps each column to whether it is required. Unknown columns are problems
    (``unknown="error"``, the planning batch) or ignored (``unknown="ignore"``, the network's
    files, which carry a ``notes`` column).

    ``headers`` maps other-language headers (Chinese, see :mod:`routing.io.headers`) to the
    columns: a file may use either language, not both (a column in the other language is a
    problem naming it); problems name a column by its header as written. ``sheet`` reads
    that sheet of a workbook instead of the first."""

    def __init__(
        self,
        path: Path,
        columns: Mapping[str, bool],
        *,
        allow_empty: bool = False,
        unknown: str = "error",
        problems: list[str] | None = None,
        headers: Mapping[str, str] | None = None,
        sheet: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.name = sheet_label(self.path, sheet)
        self.problems: list[str] = [] if problems is None else problems
        self.header: list[str] = []
        self.rows: list[tuple[int, dict[str, str]]] = []
        #: column -> its header as written, for a file in the other language
        self.label: dict[str, str] = {}
        #: column -> its header in the other language ("" when it has none)
        self.other: dict[str, str] = {}
        if self.path.is_file() and self.path.stat().st_size == 0:
            self.problems.append(f"{self.name}: empty file, expected a header row")
            return
        try:
            table = read_table(self.path, sheet)
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
        if self._translate(columns, headers or {}):  # mixed languages: nothing more to read
            self.rows = []
            return
        names = dict(self.other.items()) if self.label else dict.fromkeys(columns, "")
        missing = [c for c, req in columns.items() if req and c not in self.header]
        for c in missing:
            shown = f"{names[c]!r} ({c})" if self.label else repr(c)
            self.problems.append(f"{self.name}: row 1: missing column {shown}")
        if unknown == "error":
            for c in self.header:
                if c not in columns:
                    expected = ", ".join(names[k] or k for k in columns)
                    self.problems.append(
                        f"{self.name}: row 1, column {c!r}: unknown column; expected one of "
                        f"{expected}"
                    )
        if not self.rows and not allow_empty and not missing and not table.problems:
            self.problems.append(f"{self.name}: no data rows")
        if missing:
            self.rows = []

    def _translate(self, columns: Mapping[str, bool], headers: Mapping[str, str]) -> bool:
        """Headers in the other language become the columns they name (``self.label`` keeps
        them as written); a file that mixes the two languages is a problem per column of the
        minority language (the first column's language on a tie). True when mixed."""
        self.other = dict.fromkeys(columns, "")
        for h, c in headers.items():  # the first header naming a column is its name
            if c in self.other and not self.other[c]:
                self.other[c] = h
        if not headers:
            return False
        key = {h: header_key(h) for h in self.header}
        translated = [h for h in self.header if key[h] in headers]
        english = [h for h in self.header if h in columns]
        if not translated:
            return False
        mixed = bool(english)
        if mixed:
            first_translated = self.header[0] in translated
            use_translated = len(translated) > len(english) or (
                len(translated) == len(english) and first_translated
            )
            wrong = english if use_translated else translated
            for h in wrong:
                other = self.other[h] if use_translated else headers[key[h]]
                lang = "an English" if use_translated else "a Chinese"
                self.problems.append(
                    f"{self.name}: row 1, column {h!r}: {lang} header among headers in the "
                    f"other language; expected every header in one language ({other!r})"
                )
            if not use_translated:
                return True
        self.label = {headers[key[h]]: h for h in translated}
        rename = {h: headers[key[h]] for h in translated}
        self.header = [rename.get(h, h) for h in self.header]
        self.rows = [
            (line, {rename.get(k, k): v for k, v in row.items()}) for line, row in self.rows
        ]
        return mixed

    def col(self, col: str) -> str:
        """A column as its file names it (``shipment_id,departure_id`` part by part)."""
        return ",".join(self.label.get(c, c) for c in col.split(","))

    def bad(self, line: int, col: str, value: str, expected: str) -> None:
        self.problems.append(
            f"{self.name}: row {line}, column {self.col(col)}: {show(value)}: expected {expected}"
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
            return parse_date(v)
        except ValueError as e:
            self.bad(line, col, v, str(e))
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
