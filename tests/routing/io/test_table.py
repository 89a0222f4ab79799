"""The table reader itself (network.io, used by routing.io): decoding, CSV structure, cells,
numbers, dates, XLSX and JSON; and the network's files read with it."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

import network
from network import io as nio
from network.io import NUMBER_RANGES, RowReader, TableError, decode, read_table
from routing.io import InputError, read_border_quota, read_rates, read_shipments, read_trucking
from routing.io.batch import (
    DEPARTURE_COLUMNS,
    QUOTA_COLUMNS,
    RATE_COLUMNS,
    SHIPMENT_COLUMNS,
    TRUCKING_COLUMNS,
)

TEXT_COLUMNS = {
    "shipment_id",
    "origin",
    "destination",
    "container_type",
    "ready_date",
    "due_date",
    "split",
    "avoid_countries",
    "dg_class",
    "customer",
    "booked_on",
    "pinned",
    "departure_id",
    "border_port",
    "depart_date",
    "dg_allowed",
    "date",
    "from",
    "to",
}


def _csv(tmp: Path, text: str, name: str = "t.csv") -> Path:
    p = tmp / name
    p.write_text(text, encoding="utf-8", newline="")
    return p


# -- decoding ---------------------------------------------------------------------------------
def test_utf8_with_and_without_bom() -> None:
    assert decode("a,b\n太原\n".encode(), "f") == "a,b\n太原\n"
    assert decode("\ufeffa,b\n".encode(), "f") == "a,b\n"


@pytest.mark.parametrize("enc", ["utf-16", "utf-32"])
def test_utf16_and_utf32_with_bom_are_decoded(enc: str) -> None:
    assert decode("a,b\n莫斯科\n".encode(enc), "f") == "a,b\n莫斯科\n"


def test_gb18030_only_where_it_is_chinese() -> None:
    text = "shipment_id,origin\nS1,太原，“中鼎”\n"
    assert decode(text.encode("gb18030"), "f") == text
    with pytest.raises(TableError) as e:
        decode("id,customer\nS1,Zürich Müller\n".encode("latin-1"), "f.csv")
    assert e.value.problems == [
        "f.csv: row 2 (byte 16): not valid UTF-8 (bytes fc) nor Chinese GB18030 text; "
        "save the file as UTF-8 (in Excel: 'CSV UTF-8')"
    ]
    with pytest.raises(TableError, match="row 3 "):  # no ideograph at all: not Chinese
        decode(b"a\nb\n\xa1\xa1\n", "f.csv")


def test_utf16_without_bom_is_named() -> None:
    with pytest.raises(TableError, match="looks like UTF-16 without a byte-order mark"):
        decode("id,origin\nS1,taiyuan\n".encode("utf-16-be"), "f.csv")


def test_json_decoding_errors_name_the_line(tmp_path: Path) -> None:
    p = tmp_path / "s.json"
    p.write_bytes(b'[\n{"a": "x"},\n{"a": "\xff"}]')
    with pytest.raises(TableError) as e:
        read_table(p)
    assert e.value.problems[0].startswith("s.json: line 3 (byte 21): not valid UTF-8")


# -- CSV structure ----------------------------------------------------------------------------
def test_rows_keep_spreadsheet_numbers_and_skip_blank_lines(tmp_path: Path) -> None:
    t = read_table(_csv(tmp_path, "a,b\r\n1,2\r\n\r\n,\r\n 3 , 4 \r\n"))
    assert t == nio.Table(["a", "b"], [(2, {"a": "1", "b": "2"}), (5, {"a": "3", "b": "4"})], [])


def test_quoted_cells(tmp_path: Path) -> None:
    t = read_table(_csv(tmp_path, 'a,b,c\n"x, y","say ""hi""",""\n'))
    assert t.rows == [(2, {"a": "x, y", "b": 'say "hi"', "c": ""})]


def test_unclosed_quote_names_its_row_and_the_later_rows_still_count(tmp_path: Path) -> None:
    t = read_table(_csv(tmp_path, 'a,b\n1,"x\n2,y"\n3,z\n'))
    assert t.rows == [(4, {"a": "3", "b": "z"})]
    assert t.problems == [
        "t.csv: row 2, column b: a quote '\"' opens a cell that does not close on its line "
        "(it runs on to row 3); expected one line per row (close the quote; line breaks inside "
        "a cell are not supported)"
    ]


def test_unclosed_quote_in_the_header(tmp_path: Path) -> None:
    t = read_table(_csv(tmp_path, 'a,"b\n1,2\n'))
    assert t.header == [] and len(t.problems) == 1 and "row 1, column 2 (B)" in t.problems[0]


def test_tab_is_allowed_in_a_cell_other_controls_are_not(tmp_path: Path) -> None:
    t = read_table(_csv(tmp_path, "a,b\nx\ty,1\nz\x1bw,2\n"))
    assert t.rows == [(2, {"a": "x\ty", "b": "1"})]
    assert t.problems == [
        "t.csv: row 3, column a: 'z\\x1bw': expected text without control characters "
        "(found U+001B, a control character, at character 2)"
    ]


def test_bad_header_cells(tmp_path: Path) -> None:
    t = read_table(_csv(tmp_path, "a,a\x01,b,b\n1,2,3,4\n"))
    assert t.header == ["a", "b"]
    assert t.problems == [
        "t.csv: row 1, column 2 (B): 'a\\x01': expected text without control characters "
        "(found U+0001, a control character, at character 2)",
        "t.csv: row 1, column 'b': appears twice (columns 3 (C) and 4 (D)); expected each "
        "column once",
    ]


def test_column_labels() -> None:
    assert [nio.column_label(i) for i in (0, 25, 26, 701, 702)] == [
        "1 (A)",
        "26 (Z)",
        "27 (AA)",
        "702 (ZZ)",
        "703 (AAA)",
    ]


def test_long_values_are_cut_in_messages() -> None:
    assert nio.show("x" * 100) == "'" + "x" * 40 + "'... (100 characters)"


# -- numbers and dates ------------------------------------------------------------------------
def _reader(tmp: Path, col: str, value: str) -> tuple[RowReader, dict[str, str]]:
    r = RowReader(_csv(tmp, f"{col}\n{value}\n"), {col: True})
    return r, dict(r.rows[0][1]) if r.rows else {col: value}


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12", 12.0), ("+12", 12.0), ("12.", 12.0), (".5", 0.5), ("1e3", 1000.0), ("-0", 0.0)],
)
def test_numbers_accepted(tmp_path: Path, value: str, expected: float) -> None:
    r, row = _reader(tmp_path, "fixed_cost", value)
    assert r.number(2, row, "fixed_cost") == expected and not r.problems


@pytest.mark.parametrize(
    "value", ["1_000", "１２", "0x10", "inf", "-inf", "nan", "1e", "1.2.3", "12 t", "=1+1", "'5"]
)
def test_numbers_refused(tmp_path: Path, value: str) -> None:
    r, row = _reader(tmp_path, "fixed_cost", value)
    assert r.number(2, row, "fixed_cost") is None
    assert len(r.problems) == 1 and ": expected a number" in r.problems[0]


def test_every_number_column_of_the_batch_has_a_range() -> None:
    for columns in (
        SHIPMENT_COLUMNS,
        DEPARTURE_COLUMNS,
        RATE_COLUMNS,
        QUOTA_COLUMNS,
        TRUCKING_COLUMNS,
    ):
        for c in columns:
            assert c in NUMBER_RANGES or c in TEXT_COLUMNS, c
    for rng in NUMBER_RANGES.values():
        assert rng.low < rng.high


@pytest.mark.parametrize(("col", "rng"), list(NUMBER_RANGES.items()))
def test_range_bounds(tmp_path: Path, col: str, rng: nio.NumberRange) -> None:
    inside = [rng.high] + ([] if rng.low_open else [rng.low])
    outside = [rng.high * 10 + 1, rng.low - 1, 1e308]
    if rng.low_open:
        outside.append(rng.low)
    if rng.integer:
        outside.append(rng.high - 0.5)
    for x in inside:
        r, row = _reader(tmp_path, col, repr(float(x)))
        assert r.number(2, row, col) == x, (col, x, r.problems)
    for x in outside:
        r, row = _reader(tmp_path, col, repr(float(x)))
        assert r.number(2, row, col) is None, (col, x)
        assert r.problems[-1].endswith(nio.range_text(rng))


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2026-12-08", True),
        ("2000-01-01", True),
        ("2100-12-31", True),
        ("1999-12-31", False),
        ("2101-01-01", False),
        ("2026/12/08", False),
        ("20261208", False),
        ("2026-12-8", False),
        ("2026-W50-1", False),
        ("2026-12-08T00:00", False),
        ("2026-02-30", False),
        ("２０２６-12-08", False),
    ],
)
def test_dates(tmp_path: Path, value: str, ok: bool) -> None:
    r, row = _reader(tmp_path, "d", value)
    day = r.date(2, row, "d")
    assert (day is not None) == ok and (not r.problems) == ok


# -- XLSX and JSON ----------------------------------------------------------------------------
def test_xlsx_cells(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id", "day", "at", "n", "x", "flag", "", "c"])
    ws.append(["A", dt.date(2026, 12, 8), dt.datetime(2026, 12, 8, 10), 3.0, 0.5, True, None, "ok"])
    ws.append(["B", None, None, None, None, None, "stray", "z" * 3000])
    wb.save(tmp_path / "t.xlsx")
    t = read_table(tmp_path / "t.xlsx")
    assert t.rows == [
        (
            2,
            {
                "id": "A",
                "day": "2026-12-08",
                "at": "2026-12-08T10:00:00",
                "n": "3",
                "x": "0.5",
                "flag": "true",
                "c": "ok",
            },
        )
    ]
    assert t.problems == [
        "t.xlsx: row 3, column 7 (G): 'stray': a value under an empty header; expected a "
        "column name in row 1",
        "t.xlsx: row 3, column c: a cell of 3,000 characters: expected at most 2,000 characters",
    ]


def test_json_wrapped_list_and_scalars(tmp_path: Path) -> None:
    p = tmp_path / "t.json"
    p.write_text('{"version": 1, "rows": [{"a": 1.0, "b": true, "c": null, "d": 1e20}]}')
    assert read_table(p).rows == [(1, {"a": "1", "b": "true", "c": "", "d": "1e+20"})]
    p.write_text('{"x": [], "y": []}')
    assert read_table(p).problems == [
        "t.json: an object with 2 lists; expected a JSON list of objects (one per row), or an "
        "object holding one such list"
    ]


# -- the readers ------------------------------------------------------------------------------
def test_the_readers_raise_input_error(tmp_path: Path, net: network.Network) -> None:
    with pytest.raises(InputError, match=r"rates.csv: row 2, column rate_per_teu: '1,5'"):
        read_rates(
            _csv(tmp_path, 'shipment_id,departure_id,rate_per_teu\nS,D,"1,5"\n', "rates.csv"),
            {"S"},
            {"D"},
        )
    with pytest.raises(InputError, match="from 0 to 1,000"):
        read_border_quota(_csv(tmp_path, "border_port,trains_per_day\nerenhot,1001\n"), net)
    legs = read_trucking(_csv(tmp_path, "from,to,cost_per_teu,days\n"), net)
    assert legs == []
    with pytest.raises(InputError) as e:
        read_shipments(tmp_path / "missing.json", net)
    assert e.value.problems == [f"missing.json: file not found ({tmp_path / 'missing.json'})"]
    assert isinstance(e.value, TableError)


def _network_copy(tmp: Path) -> Path:
    dst = tmp / "net"
    shutil.copytree(network.data_dir(), dst)
    return dst


def test_network_files_use_the_same_reader(tmp_path: Path) -> None:
    d = _network_copy(tmp_path)
    lines = (d / "nodes.csv").read_text(encoding="utf-8").splitlines()
    i = next(i for i, line in enumerate(lines) if line.startswith("datong,"))
    parts = lines[i].split(",")
    lat = parts.index(next(p for p in parts if p.startswith("40.")))
    parts[lat] = "nan"
    lines[i] = ",".join(parts)
    (d / "nodes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    text = (d / "links.csv").read_bytes()
    (d / "links.csv").write_bytes(text.replace(b"\n", b"\r"))
    with pytest.raises(network.NetworkError) as e:
        network.load(d)
    probs = e.value.problems
    assert f"nodes.csv: row {i + 1}, column lat: 'nan': expected a number" in probs
    assert any(p.startswith("links.csv: row 1: the lines end with CR only") for p in probs)


def test_network_notes_column_is_ignored_and_numbers_checked(tmp_path: Path) -> None:
    d = _network_copy(tmp_path)
    text = (d / "services.csv").read_text(encoding="utf-8")
    (d / "services.csv").write_text(text.replace(",110,1300,", ",110,1e308,", 1), encoding="utf-8")
    with pytest.raises(network.NetworkError) as e:
        network.load(d)
    assert [p for p in e.value.problems if "max_gross_t" in p] == [
        "services.csv: row 2, column max_gross_t: '1e308': expected a number > 0 and at most "
        "100,000"
    ]


def test_bad_utf16_names_the_row() -> None:
    raw = "a,b\n1,2\n3,\ud800\n".encode("utf-16", "surrogatepass")
    with pytest.raises(TableError) as e:
        decode(raw, "f.csv")
    assert e.value.problems == [
        "f.csv: row 3 (byte 22): not valid UTF-16; save the file as UTF-8 (in Excel: 'CSV UTF-8')"
    ]


def test_rates_without_id_sets_report_only_their_own_problems(tmp_path: Path) -> None:
    p = _csv(tmp_path, "shipment_id,departure_id,rate_per_teu\nS,D,12\nS,E,-1\n", "rates.csv")
    with pytest.raises(InputError) as e:
        read_rates(p, None, None)
    assert e.value.problems == [
        "rates.csv: row 3, column rate_per_teu: '-1': expected a number from 0 to 10,000,000"
    ]
    p.write_text("shipment_id,departure_id,rate_per_teu\nS,D,12\n")
    assert read_rates(p, None, None) == {("S", "D"): 12.0}
