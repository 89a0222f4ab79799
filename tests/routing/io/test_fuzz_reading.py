"""Fuzz the batch readers: mutated shipments, departures, rates, border-quota and trucking
files (CSV, JSON, XLSX; cell values, encodings, line endings, random byte damage) are either
read into records or refused with :class:`InputError` whose every line names the file (and
the row wherever a cell is concerned). No other exception may escape.

The normal run is bounded (``max_examples`` per test, about a minute in all); set
``RAILPLAN_FUZZ_EXAMPLES`` for a longer run (``make fuzz``)."""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import network
from network.io import FIRST_DATE, LAST_DATE, NUMBER_RANGES
from routing.io import (
    InputError,
    read_border_quota,
    read_departures,
    read_rates,
    read_shipments,
    read_trucking,
)

_ENV = os.environ.get("RAILPLAN_FUZZ_EXAMPLES")
EXAMPLES = int(_ENV) if _ENV else 600
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=_ENV is None,  # the normal run is the same every time
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

BASE: dict[str, tuple[list[str], list[list[str]]]] = {
    "shipments": (
        [
            "shipment_id",
            "origin",
            "destination",
            "containers",
            "container_type",
            "gross_t",
            "ready_date",
            "due_date",
            "late_penalty_per_teu_day",
            "split",
            "avoid_countries",
            "dg_class",
            "customer",
        ],
        [
            [
                "S1",
                "zhongding",
                "moscow",
                "2",
                "40HC",
                "20",
                "2026-12-01",
                "2026-12-30",
                "100",
                "true",
                "",
                "",
                "Acme",
            ],
            [
                "S2",
                "太原",
                "莫斯科",
                "1",
                "20GP",
                "12.5",
                "2026-12-03",
                "",
                "",
                "false",
                "UA;BY",
                "",
                "晋中",
            ],
        ],
    ),
    "departures": (
        [
            "departure_id",
            "origin",
            "destination",
            "border_port",
            "depart_date",
            "border_offset_days",
            "transit_days",
            "capacity_teu",
            "max_gross_t",
            "fixed_cost",
            "rate_per_teu",
            "min_load_teu",
            "reefer_plugs",
            "dg_allowed",
        ],
        [
            [
                "D1",
                "zhongding",
                "moscow",
                "erenhot",
                "2026-12-02",
                "",
                "16",
                "100",
                "2000",
                "1000",
                "100",
                "0",
                "0",
                "false",
            ],
            [
                "D2",
                "taiyuan",
                "moscow",
                "",
                "2026-12-05",
                "3",
                "18",
                "110",
                "",
                "5000",
                "1500",
                "10",
                "4",
                "true",
            ],
        ],
    ),
    "rates": (
        ["shipment_id", "departure_id", "rate_per_teu"],
        [["S1", "D1", "1200"], ["S2", "D1", "900.5"]],
    ),
    "quota": (
        ["border_port", "trains_per_day", "date"],
        [["erenhot", "2", ""], ["manzhouli", "3", "2026-12-05"]],
    ),
    "trucking": (
        ["from", "to", "cost_per_teu", "days"],
        [["taiyuan", "zhongding", "150", "1"], ["datong", "zhongding", "400", "2"]],
    ),
}

HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "-0",
    "1e308",
    "-1e308",
    "1e-320",
    str(10**30),
    "9" * 400,
    "nan",
    "NaN",
    "inf",
    "-Infinity",
    "1,200",
    "1.234,5",
    "1 200",
    "1_000",
    "１２",
    "0x1F",
    "=1+1",
    "'=1+1",
    "@SUM(A1)",
    "+1",
    "-2+3",
    '=HYPERLINK("http://x")',
    "\t=1",
    "9999-12-31",
    "0001-01-01",
    "2026-12-08garbage",
    "2026-12-08T10:00",
    "2026-W50-1",
    "2026-02-30",
    "2026/12/08",
    '"',
    '""',
    '"unclosed',
    'a"b',
    ",",
    ";",
    "\t",
    "\r",
    "\n",
    "\r\n",
    "\x00",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\ud800",
    "\ufeff",
    "\u202e",
    "\ufffd",
    "x" * 3000,
    "太原",
    "Zürich",
    "true",
    "是",
    "RU;XX",
]

cell_values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(str),
)


@st.composite
def tables(draw: st.DrawFn, kind: str) -> tuple[list[str], list[list[Any]]]:
    header, rows = BASE[kind]
    header, rows = list(header), [list(r) for r in rows]
    for _ in range(draw(st.integers(0, 4))):
        op = draw(
            st.sampled_from(
                ["cell", "cell", "cell", "dup_row", "drop_col", "dup_col", "rename", "add_col"]
            )
        )
        if op == "cell" and rows:
            r = draw(st.integers(0, len(rows) - 1))
            c = draw(st.integers(0, len(header) - 1))
            rows[r][c] = draw(cell_values)
        elif op == "dup_row" and rows:
            rows.append(list(draw(st.sampled_from(rows))))
        elif op == "drop_col" and len(header) > 1:
            c = draw(st.integers(0, len(header) - 1))
            del header[c]
            for row in rows:
                del row[c]
        elif op == "dup_col":
            c = draw(st.integers(0, len(header) - 1))
            header.append(header[c])
            for row in rows:
                row.append(row[c])
        elif op == "rename":
            header[draw(st.integers(0, len(header) - 1))] = draw(cell_values)
        elif op == "add_col":
            header.append(draw(st.sampled_from(["", "notes", "colour"])))
            for row in rows:
                row.append(draw(cell_values))
    return header, rows


def _csv_text(header: list[str], rows: list[list[Any]], delim: str, quote_all: bool) -> str:
    def cell(v: Any) -> str:
        s = str(v)
        if quote_all or any(ch in s for ch in f'"{delim}\r\n'):
            return '"' + s.replace('"', '""') + '"'
        return s

    return "\n".join(delim.join(cell(v) for v in row) for row in [header, *rows]) + "\n"


def _json_bytes(header: list[str], rows: list[list[Any]], typed: bool) -> bytes:
    def value(v: str) -> Any:
        if typed:
            try:
                return json.loads(v)
            except ValueError:
                return v
        return v

    objs = [{h: value(v) for h, v in zip(header, row, strict=False)} for row in rows]
    return json.dumps(objs, ensure_ascii=True).encode()


def _xlsx_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    return _xlsx_cached(tuple(header), tuple(tuple(r) for r in rows))


@functools.lru_cache(maxsize=4096)  # the same bytes for the same table (the save time varies)
def _xlsx_cached(header: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> bytes:
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None

    def value(v: str) -> Any:
        v = ILLEGAL_CHARACTERS_RE.sub("", v).encode("utf-8", "replace").decode()
        try:
            f = float(v)
        except ValueError:
            return v
        return f if abs(f) < 1e300 else v

    ws.append([value(h) for h in header])
    for row in rows:
        ws.append([value(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@st.composite
def files(draw: st.DrawFn, kind: str) -> tuple[str, bytes]:
    header, rows = draw(tables(kind))
    fmt = draw(
        st.sampled_from(
            ["csv", "csv", "csv", "json", "xlsx"]
            if kind == "shipments"
            else ["csv", "csv", "json", "xlsx"]
        )
    )
    if fmt == "csv":
        text = _csv_text(
            header, rows, draw(st.sampled_from([",", ",", ",", ";", "\t"])), draw(st.booleans())
        )
        text = text.replace("\n", draw(st.sampled_from(["\n", "\r\n", "\r"])))
        enc = draw(
            st.sampled_from(
                [
                    "utf-8",
                    "utf-8",
                    "utf-8-sig",
                    "utf-16",
                    "utf-16-le",
                    "gb18030",
                    "latin-1",
                    "cp1252",
                ]
            )
        )
        data = text.encode(enc, errors="surrogatepass" if enc.startswith("utf-8") else "replace")
    elif fmt == "json":
        data = _json_bytes(header, rows, draw(st.booleans()))
    else:
        data = _xlsx_bytes(header, rows)
    if draw(st.integers(0, 3)) == 0 and data:  # byte damage: flip, insert, cut
        for _ in range(draw(st.integers(1, 4))):
            if not data:
                break
            i = draw(st.integers(0, len(data) - 1))
            op = draw(st.sampled_from(["flip", "insert", "cut", "truncate"]))
            b = bytes([draw(st.integers(0, 255))])
            if op == "flip":
                data = data[:i] + b + data[i + 1 :]
            elif op == "insert":
                data = data[:i] + b + data[i:]
            elif op == "cut":
                data = data[:i] + data[i + 1 :]
            else:
                data = data[:i]
    return f"{kind}.{fmt}", data


_ROW = re.compile(r"^[^:]+: (row \d+[,:( ]|line \d+, column \d+: not valid JSON)")


def _check_problems(name: str, e: InputError) -> None:
    assert e.problems
    for line in e.problems:
        assert line.startswith(f"{name}: "), line
        assert "\n" not in line and "\r" not in line, line
        line.encode("utf-8")  # printable on stderr: no lone surrogate
        if ", column " in line:
            assert _ROW.match(line), line


def _read(kind: str, path: Path, net: network.Network) -> object:
    if kind == "shipments":
        ships = read_shipments(path, net)
        for s in ships:
            assert 1 <= s.containers <= NUMBER_RANGES["containers"].high
            assert FIRST_DATE <= s.ready_date <= LAST_DATE
            assert s.due_date is None or FIRST_DATE <= s.due_date <= LAST_DATE
            assert 0 < s.gross_t <= NUMBER_RANGES["gross_t"].high
        return ships
    if kind == "departures":
        deps = read_departures(path, net)
        for d in deps:
            assert 1 <= d.capacity_teu <= 1000 and 0 <= d.transit_days <= 365
            assert FIRST_DATE <= d.depart_date <= LAST_DATE
        return deps
    if kind == "rates":
        rates = read_rates(path, {"S1", "S2"}, {"D1", "D2"})
        assert all(0 <= v <= NUMBER_RANGES["rate_per_teu"].high for v in rates.values())
        return rates
    if kind == "quota":
        return read_border_quota(path, net)
    return read_trucking(path, net)


def _fuzz(kind: str, tmp: Path, net: network.Network, name: str, data: bytes) -> None:
    path = tmp / name
    path.write_bytes(data)
    try:
        _read(kind, path, net)
    except InputError as e:
        _check_problems(name, e)


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.mark.parametrize("kind", list(BASE))
def test_mutated_files_are_read_or_refused(kind: str, tmp: Path, net: network.Network) -> None:
    @SETTINGS
    @given(f=files(kind))
    def run(f: tuple[str, bytes]) -> None:
        _fuzz(kind, tmp, net, *f)

    run()


@SETTINGS
@given(data=st.binary(max_size=2000), suffix=st.sampled_from(["csv", "json", "xlsx", "txt"]))
def test_random_bytes_are_read_or_refused(
    data: bytes, suffix: str, tmp: Path, net: network.Network
) -> None:
    _fuzz("shipments", tmp, net, f"shipments.{suffix}", data)


def test_the_base_files_are_valid(tmp: Path, net: network.Network) -> None:
    for kind, (header, rows) in BASE.items():
        for name, data in (
            (f"{kind}.csv", _csv_text(header, rows, ",", False).encode()),
            (f"{kind}.json", _json_bytes(header, rows, True)),
            (f"{kind}.xlsx", _xlsx_bytes(header, rows)),
        ):
            (tmp / name).write_bytes(data)
            assert _read(kind, tmp / name, net), name
