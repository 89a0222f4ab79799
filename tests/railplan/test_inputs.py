"""Golden tests for bad input: one line per problem naming file, row, column, value and
what was expected; exit code 2; no traceback. And the encodings and formats that are read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from railplan.cli import main

HEADER = "shipment_id,origin,destination,containers,container_type,gross_t,ready_date,due_date,split,avoid_countries\n"
GOOD = "S1,zhongding,moscow,2,40HC,20,2026-12-01,2026-12-30,true,\n"


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.stdout, res.stderr


def write(tmp: Path, name: str, text: str, encoding: str = "utf-8") -> str:
    p = tmp / name
    p.write_bytes(text.encode(encoding))
    return str(p)


GOLDEN = [
    (
        "unknown place with suggestion",
        "S1,zhongdin,moscow,2,40HC,20,2026-12-01,,true,\n",
        "shipments.csv: row 2, column origin: unknown place 'zhongdin'; did you mean 'zhongding' or 'zhongwei' or 'chongqing'?",
    ),
    (
        "non-numeric count",
        "S1,zhongding,moscow,two,40HC,20,2026-12-01,,true,\n",
        "shipments.csv: row 2, column containers: 'two': expected an integer",
    ),
    (
        "non-positive count",
        "S1,zhongding,moscow,0,40HC,20,2026-12-01,,true,\n",
        "shipments.csv: row 2, column containers: '0': expected an integer from 1 to 100,000",
    ),
    (
        "unknown container type",
        "S1,zhongding,moscow,2,40XX,20,2026-12-01,,true,\n",
        "shipments.csv: row 2, column container_type: '40XX': expected one of 20GP, 20RF, 40GP, 40HC, 40RF, 45HC",
    ),
    (
        "bad date",
        "S1,zhongding,moscow,2,40HC,20,2026-13-01,,true,\n",
        "shipments.csv: row 2, column ready_date: '2026-13-01': expected a date YYYY-MM-DD",
    ),
    (
        "due before ready",
        "S1,zhongding,moscow,2,40HC,20,2026-12-10,2026-12-01,true,\n",
        "shipments.csv: row 2, column due_date: '2026-12-01': expected a date on or after ready_date 2026-12-10",
    ),
    (
        "weight over the type's limit",
        "S1,zhongding,moscow,2,20GP,31,2026-12-01,,true,\n",
        "shipments.csv: row 2, column gross_t: '31': expected at most 24 t per 20GP container",
    ),
    (
        "unknown country code",
        "S1,zhongding,moscow,2,40HC,20,2026-12-01,,true,RU;XX\n",
        "shipments.csv: row 2, column avoid_countries: 'RU;XX': expected ISO 3166 alpha-2 codes like RU;BY (unknown: XX)",
    ),
    (
        "bad boolean",
        "S1,zhongding,moscow,2,40HC,20,2026-12-01,,maybe,\n",
        "shipments.csv: row 2, column split: 'maybe': expected true or false",
    ),
    (
        "duplicate id",
        GOOD + GOOD,
        "shipments.csv: row 3, column shipment_id: 'S1': expected a unique id (also on row 2)",
    ),
    (
        "origin neither park nor drayage",
        "S1,moscow,zhongding,2,40HC,20,2026-12-01,,true,\n",
        "shipments.csv: row 2, column origin: 'moscow': expected a park, or a place with a drayage (truck) link to a park",
    ),
]


@pytest.mark.parametrize(("case", "row", "expected"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_bad_shipment_row(tmp_path: Path, case: str, row: str, expected: str) -> None:
    code, out, err = run(
        "plan", write(tmp_path, "shipments.csv", HEADER + row), "--out", str(tmp_path / "p")
    )
    assert code == 2, (case, out, err)
    assert err.splitlines() == [f"error: {expected}"]
    assert "Traceback" not in out + err
    assert not (tmp_path / "p").exists()


def test_all_problems_of_a_file_at_once(tmp_path: Path) -> None:
    rows = (
        "S1,nowhere,moscow,2,40HC,20,2026-12-01,,true,\nS2,zhongding,moscow,-1,40HC,20,bad,,true,\n"
    )
    code, _, err = run("plan", write(tmp_path, "shipments.csv", HEADER + rows))
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 3
    assert "row 2, column origin" in lines[0]
    assert "row 3, column containers" in lines[1] and "row 3, column ready_date" in lines[2]


def test_missing_file(tmp_path: Path) -> None:
    code, _, err = run("plan", str(tmp_path / "nope.csv"))
    assert code == 2 and err.strip() == f"error: nope.csv: file not found ({tmp_path / 'nope.csv'})"


def test_empty_file(tmp_path: Path) -> None:
    code, _, err = run("plan", write(tmp_path, "shipments.csv", ""))
    assert code == 2 and err.strip() == "error: shipments.csv: empty file, expected a header row"


def test_header_only_file(tmp_path: Path) -> None:
    code, _, err = run("plan", write(tmp_path, "shipments.csv", HEADER))
    assert code == 2 and err.strip() == "error: shipments.csv: no data rows"


def test_missing_and_unknown_columns(tmp_path: Path) -> None:
    code, _, err = run(
        "plan",
        write(tmp_path, "shipments.csv", "shipment_id,origin,destination,colour\nS1,a,b,red\n"),
    )
    assert code == 2
    assert err.splitlines() == [
        "error: shipments.csv: row 1: missing column 'containers'",
        "error: shipments.csv: row 1: missing column 'ready_date'",
        "error: shipments.csv: row 1, column 'colour': unknown column; expected one of shipment_id, origin, "
        "destination, containers, container_type, gross_t, ready_date, due_date, late_penalty_per_teu_day, "
        "split, avoid_countries, dg_class, customer, booked_on, pinned, move_penalty_per_container",
    ]


DEP_HEADER = (
    "departure_id,origin,destination,border_port,depart_date,transit_days,capacity_teu,fixed_cost,"
    "rate_per_teu,min_load_teu\n"
)


def test_inconsistent_departures(tmp_path: Path) -> None:
    deps = DEP_HEADER + (
        "D1,zhongding,moscow,erenhot,2026-12-02,16,50,1000,100,60\n"
        "D2,zhongding,moscow,erenhot,2026-12-03,16,110,-5,100,0\n"
        "D2,zhongding,moscow,taiyuan,2026-12-03,16,110,5,100,0\n"
    )
    code, _, err = run(
        "plan",
        write(tmp_path, "shipments.csv", HEADER + GOOD),
        "--departures",
        write(tmp_path, "departures.csv", deps),
    )
    assert code == 2
    assert err.splitlines() == [
        "error: departures.csv: row 2, column min_load_teu: '60': expected at most capacity_teu (50)",
        "error: departures.csv: row 3, column fixed_cost: '-5': expected a number from 0 to 1,000,000,000",
        "error: departures.csv: row 4, column departure_id: 'D2': expected a unique id (also on row 3)",
        "error: departures.csv: row 4, column border_port: 'taiyuan': expected a border node",
    ]


def test_problems_of_several_files_together(tmp_path: Path) -> None:
    code, _, err = run(
        "plan",
        write(
            tmp_path, "shipments.csv", HEADER + "S1,zhongding,moscow,0,40HC,20,2026-12-01,,true,\n"
        ),
        "--border-quota",
        write(tmp_path, "border_quota.csv", "border_port,trains_per_day\nerenhot,-1\n"),
    )
    assert code == 2
    assert len(err.splitlines()) == 2


def test_gb18030_and_bom_and_chinese_names(tmp_path: Path, net: object) -> None:
    rows = HEADER + "S1,太原,莫斯科,45,40HC,20,2026-12-01,,true,\n"
    for enc, name in (("gb18030", "gbk.csv"), ("utf-8-sig", "bom.csv")):
        out = tmp_path / enc
        code, _stdout, err = run(
            "plan", write(tmp_path, name, rows, enc), "--no-maps", "--quiet", "--out", str(out)
        )
        assert code == 0, err
        rows_out = (out / "assignments.csv").read_text(encoding="utf-8").splitlines()
        assert rows_out[1].startswith("S1,") and ",taiyuan,moscow," in rows_out[1]


def test_xlsx_and_json_inputs(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["shipment_id", "origin", "destination", "containers", "ready_date"])
    ws.append(["X1", "Zhongding", "Moscow", 3, "2026-12-01"])
    wb.save(tmp_path / "s.xlsx")
    code, _, err = run(
        "plan", str(tmp_path / "s.xlsx"), "--no-maps", "--quiet", "--out", str(tmp_path / "x")
    )
    assert code == 0, err
    (tmp_path / "s.json").write_text(
        json.dumps(
            [
                {
                    "shipment_id": "J1",
                    "origin": "houma",
                    "destination": "almaty",
                    "containers": 2,
                    "ready_date": "2026-12-01",
                }
            ]
        )
    )
    code, _, err = run(
        "plan",
        str(tmp_path / "s.json"),
        "--no-maps",
        "--quiet",
        "--json",
        "--out",
        str(tmp_path / "j"),
    )
    assert code == 0, err
    summary = json.loads((tmp_path / "j" / "summary.json").read_text())
    assert summary["containers_assigned"] + summary["containers_unassigned"] == 2


# -- hostile input: every case exits 2 with one line naming file, row and column -----------
SHIP = HEADER.rstrip("\n") + ",late_penalty_per_teu_day,customer\n"
ROW = "S1,zhongding,moscow,2,40HC,20,2026-12-01,2026-12-30,true,,100,Acme\n"
DEPS = (
    "departure_id,origin,destination,border_port,depart_date,transit_days,capacity_teu,"
    "fixed_cost,rate_per_teu,max_gross_t\n"
)
DEP = "D1,zhongding,moscow,erenhot,2026-12-02,16,100,1000,100,2000\n"


def _ship(row: str = ROW, header: str = SHIP) -> bytes:
    return (header + row).encode()


def _xlsx_bytes() -> bytes:
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["shipment_id", "origin", "destination", "containers", "ready_date"])
    ws.append(["X1", "zhongding", "moscow", 3, "2026-12-01"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _zip_without_workbook() -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    return buf.getvalue()


def _json(**cells: object) -> bytes:
    row = {
        "shipment_id": "J1",
        "origin": "zhongding",
        "destination": "moscow",
        "containers": 2,
        "ready_date": "2026-12-01",
    }
    row.update(cells)
    return json.dumps([row]).encode()


_CTRL = "expected text without control characters (found U+{:04X}, {}, at character 3)"
_NUM_HINT = "(use a dot as decimal separator and no thousands separator)"
_SAVE = "save the file as UTF-8 (in Excel: 'CSV UTF-8')"

# (case, file name, content, expected stderr lines without 'error: ')
SHIPMENT_CASES: list[tuple[str, str, bytes, list[str]]] = [
    (
        "stray CR in a cell",
        "s.csv",
        _ship(ROW.replace("Acme", "Ac\rme")),
        [
            "s.csv: row 2, column customer: 'Ac\\rme': "
            + _CTRL.format(13, "a carriage return (CR; lines must end in LF or CRLF)")
        ],
    ),
    (
        "CR-only line endings",
        "s.csv",
        _ship().replace(b"\n", b"\r"),
        [
            f"s.csv: row 1: the lines end with CR only (old Mac line endings); expected LF or CRLF line endings; {_SAVE}"
        ],
    ),
    (
        "cell over the field limit",
        "s.csv",
        _ship(ROW.replace("Acme", "x" * 200_000)),
        [
            "s.csv: row 2, column customer: a cell of 200,000 characters: expected at most 2,000 characters"
        ],
    ),
    (
        "unbalanced quote swallowing the next rows",
        "s.csv",
        _ship(ROW.replace("Acme", '"Jiexiu') + ROW.replace("S1", "S2") + ROW.replace("S1", "S3")),
        [
            "s.csv: row 2, column customer: a quote '\"' opens a cell that does not close on its "
            "line (it never closes); expected one line per row (close the quote; line breaks "
            "inside a cell are not supported)"
        ],
    ),
    (
        "quoted cell with a line break",
        "s.csv",
        _ship(ROW.replace("Acme", '"Ac\nme"') + ROW.replace("S1", "S2")),
        [
            "s.csv: row 2, column customer: a quote '\"' opens a cell that does not close on its "
            "line (it runs on to row 3); expected one line per row (close the quote; line breaks "
            "inside a cell are not supported)"
        ],
    ),
    (
        "containers 1e308",
        "s.csv",
        _ship(ROW.replace(",2,40HC", ",1e308,40HC")),
        ["s.csv: row 2, column containers: '1e308': expected an integer from 1 to 100,000"],
    ),
    (
        "containers 10**30",
        "s.csv",
        _ship(ROW.replace(",2,40HC", f",{10**30},40HC")),
        [f"s.csv: row 2, column containers: '{10**30}': expected an integer from 1 to 100,000"],
    ),
    (
        "late penalty 1e20",
        "s.csv",
        _ship(ROW.replace(",100,", ",1e20,")),
        [
            "s.csv: row 2, column late_penalty_per_teu_day: '1e20': expected a number from 0 to 10,000,000"
        ],
    ),
    (
        "late penalty 1e308",
        "s.csv",
        _ship(ROW.replace(",100,", ",1e308,")),
        [
            "s.csv: row 2, column late_penalty_per_teu_day: '1e308': expected a number from 0 to 10,000,000"
        ],
    ),
    (
        "gross_t nan",
        "s.csv",
        _ship(ROW.replace(",20,", ",nan,")),
        ["s.csv: row 2, column gross_t: 'nan': expected a number"],
    ),
    (
        "due date 9999-12-31",
        "s.csv",
        _ship(ROW.replace("2026-12-30", "9999-12-31")),
        [
            "s.csv: row 2, column due_date: '9999-12-31': expected a date from 2000-01-01 to 2100-12-31"
        ],
    ),
    (
        "date with trailing garbage",
        "s.csv",
        _ship(ROW.replace("2026-12-30", "2026-12-08garbage")),
        ["s.csv: row 2, column due_date: '2026-12-08garbage': expected a date YYYY-MM-DD"],
    ),
    (
        "date with a time",
        "s.csv",
        _ship(ROW.replace("2026-12-30", "2026-12-08T10:00")),
        ["s.csv: row 2, column due_date: '2026-12-08T10:00': expected a date YYYY-MM-DD"],
    ),
    (
        "ISO week date",
        "s.csv",
        _ship(ROW.replace("2026-12-01", "2026-W50-1")),
        ["s.csv: row 2, column ready_date: '2026-W50-1': expected a date YYYY-MM-DD"],
    ),
    (
        "NUL in a text cell",
        "s.csv",
        _ship(ROW.replace("Acme", "Ac\x00me")),
        ["s.csv: row 2, column customer: 'Ac\\x00me': " + _CTRL.format(0, "a NUL character")],
    ),
    (
        "control character in a text cell",
        "s.csv",
        _ship(ROW.replace("Acme", "Ac\x07me")),
        ["s.csv: row 2, column customer: 'Ac\\x07me': " + _CTRL.format(7, "a control character")],
    ),
    (
        "duplicated column",
        "s.csv",
        _ship(header=SHIP.replace("customer", "containers")),
        [
            "s.csv: row 1, column 'containers': appears twice (columns 4 (D) and 12 (L)); expected each column once"
        ],
    ),
    (
        "values under an empty header",
        "s.csv",
        _ship(header=SHIP.replace(",customer", ",")),
        [
            "s.csv: row 2, column 12 (L): 'Acme': a value under an empty header; expected a column name in row 1"
        ],
    ),
    (
        "values beyond the last header",
        "s.csv",
        _ship(ROW.replace("Acme", "Acme,extra")),
        [
            "s.csv: row 2, column 13 (M): 'extra': a value under no header; expected a column name in row 1"
        ],
    ),
    (
        "decimal comma",
        "s.csv",
        _ship(ROW.replace(",20,", ',"1.234,5",')),
        [f"s.csv: row 2, column gross_t: '1.234,5': expected a number {_NUM_HINT}"],
    ),
    (
        "decimal comma 12.200,0",
        "s.csv",
        _ship(ROW.replace(",20,", ',"12.200,0",')),
        [f"s.csv: row 2, column gross_t: '12.200,0': expected a number {_NUM_HINT}"],
    ),
    (
        "thousands separator with a dot",
        "s.csv",
        _ship(ROW.replace(",2,40HC", ',"1,200.0",40HC')),
        [f"s.csv: row 2, column containers: '1,200.0': expected an integer {_NUM_HINT}"],
    ),
    (
        "thousands separator",
        "s.csv",
        _ship(ROW.replace(",2,40HC", ',"1,200",40HC')),
        [f"s.csv: row 2, column containers: '1,200': expected an integer {_NUM_HINT}"],
    ),
    (
        "Latin-1 text",
        "s.csv",
        (SHIP + ROW.replace("Acme", "Zürich Müller")).encode("latin-1"),
        [
            f"s.csv: row 2 (byte {len(SHIP) + ROW.index('Acme') + 1}): not valid UTF-8 (bytes fc) nor Chinese GB18030 text; {_SAVE}"
        ],
    ),
    (
        "invalid UTF-8 in an id",
        "s.csv",
        _ship().replace(b"S1,", b"S\xff1,"),
        [
            f"s.csv: row 2 (byte {len(SHIP) + 1}): not valid UTF-8 (bytes ff) nor Chinese GB18030 text; {_SAVE}"
        ],
    ),
    (
        "UTF-16 without BOM",
        "s.csv",
        (SHIP + ROW).encode("utf-16-le"),
        [f"s.csv: the file looks like UTF-16 without a byte-order mark; {_SAVE}"],
    ),
    (
        "semicolon separated",
        "s.csv",
        _ship().replace(b",", b";"),
        [
            "s.csv: row 1: the columns are separated by ';'; expected ',' (in Excel: save as 'CSV UTF-8 (comma delimited)')"
        ],
    ),
    (
        "tab separated",
        "s.csv",
        _ship().replace(b",", b"\t"),
        [
            "s.csv: row 1: the columns are separated by tabs; expected ',' (in Excel: save as 'CSV UTF-8 (comma delimited)')"
        ],
    ),
    (
        "CSV renamed .xlsx",
        "s.xlsx",
        _ship(),
        [
            "s.xlsx: cannot read the file as an Excel workbook (.xlsx): BadZipFile: File is not a zip file"
        ],
    ),
    (
        "truncated .xlsx",
        "s.xlsx",
        _xlsx_bytes()[:3000],
        [
            "s.xlsx: cannot read the file as an Excel workbook (.xlsx): BadZipFile: File is not a zip file"
        ],
    ),
    (
        "zip that is no workbook",
        "s.xlsx",
        _zip_without_workbook(),
        [
            "s.xlsx: cannot read the file as an Excel workbook (.xlsx): KeyError: \"There is no item named '[Content_Types].xml' in the archive\""
        ],
    ),
    (
        "old .xls workbook",
        "s.xls",
        b"\xd0\xcf\x11\xe0",
        ["s.xls: a .xls workbook is not read; save it as .xlsx or as 'CSV UTF-8'"],
    ),
    (
        "deeply nested JSON",
        "s.json",
        b"[" * 100_000 + b"]" * 100_000,
        ["s.json: the JSON is nested too deeply; expected a list of objects"],
    ),
    (
        "truncated JSON",
        "s.json",
        _json()[:-5],
        ["s.json: line 1, column 103: not valid JSON: Unterminated string starting at"],
    ),
    (
        "lone surrogate in JSON",
        "s.json",
        _json(customer="Ac\ud800me"),
        [
            "s.json: row 1, column customer: 'Ac\\ud800me': expected text without control characters (found U+D800, a lone surrogate, at character 3)"
        ],
    ),
    (
        "JSON NaN",
        "s.json",
        _json().replace(b'"containers": 2', b'"containers": NaN'),
        ["s.json: not valid JSON: NaN is not a JSON number"],
    ),
    (
        "JSON top level not a list",
        "s.json",
        b'"shipments"',
        [
            "s.json: a JSON string; expected a JSON list of objects (one per row), or an object holding one such list"
        ],
    ),
    (
        "JSON row not an object",
        "s.json",
        b"[[1, 2]]",
        ["s.json: row 1: a JSON array: expected an object of column: value"],
    ),
    (
        "JSON list as a cell",
        "s.json",
        _json(origin=["zhongding"]),
        ["s.json: row 1, column origin: an array: expected a text, a number, true, false or null"],
    ),
    (
        "JSON object as a cell",
        "s.json",
        _json(containers={"n": 2}),
        [
            "s.json: row 1, column containers: an object: expected a text, a number, true, false or null"
        ],
    ),
    (
        "JSON duplicate key",
        "s.json",
        _json().replace(b'"containers": 2', b'"containers": 2, "containers": 3'),
        ["s.json: row 1, column containers: appears twice in the object"],
    ),
]


@pytest.mark.parametrize(
    ("case", "name", "content", "expected"), SHIPMENT_CASES, ids=[c[0] for c in SHIPMENT_CASES]
)
def test_hostile_shipments_file(
    tmp_path: Path, case: str, name: str, content: bytes, expected: list[str]
) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    code, out, err = run("plan", str(p), "--no-maps", "--quiet", "--out", str(tmp_path / "p"))
    assert (code, err.splitlines()) == (2, [f"error: {e}" for e in expected]), case
    assert "Traceback" not in out + err and not (tmp_path / "p").exists()


OPTION_CASES: list[tuple[str, str, str, str, str]] = [
    (
        "departure capacity huge",
        "--departures",
        DEPS + DEP.replace(",100,1000,", ",100001,1000,"),
        "departures.csv: row 2, column capacity_teu: '100001': expected an integer from 1 to 100,000",
    ),
    (
        "departure fixed cost 1e308",
        "--departures",
        DEPS + DEP.replace(",1000,100,", ",1e308,100,"),
        "departures.csv: row 2, column fixed_cost: '1e308': expected a number from 0 to 1,000,000,000",
    ),
    (
        "departure rate 1e308",
        "--departures",
        DEPS + DEP.replace(",1000,100,", ",1000,1e308,"),
        "departures.csv: row 2, column rate_per_teu: '1e308': expected a number from 0 to 10,000,000",
    ),
    (
        "departure transit days 10**7",
        "--departures",
        DEPS + DEP.replace(",16,", ",10000000,"),
        "departures.csv: row 2, column transit_days: '10000000': expected an integer from 0 to 365",
    ),
    (
        "departure train weight 1e6",
        "--departures",
        DEPS + DEP.replace(",2000\n", ",1e6\n"),
        "departures.csv: row 2, column max_gross_t: '1e6': expected a number > 0 and at most 100,000",
    ),
    (
        "depart date 9999-12-31",
        "--departures",
        DEPS + DEP.replace("2026-12-02", "9999-12-31"),
        "departures.csv: row 2, column depart_date: '9999-12-31': expected a date from 2000-01-01 to 2100-12-31",
    ),
    (
        "quota trains per day huge",
        "--border-quota",
        "border_port,trains_per_day\nerenhot,1e9\n",
        "border_quota.csv: row 2, column trains_per_day: '1e9': expected an integer from 0 to 1,000",
    ),
    (
        "trucking cost 1e308",
        "--trucking",
        "from,to,cost_per_teu,days\ntaiyuan,zhongding,1e308,1\n",
        "trucking.csv: row 2, column cost_per_teu: '1e308': expected a number from 0 to 10,000,000",
    ),
    (
        "trucking days 10**7",
        "--trucking",
        "from,to,cost_per_teu,days\ntaiyuan,zhongding,100,10000000\n",
        "trucking.csv: row 2, column days: '10000000': expected an integer from 0 to 365",
    ),
    (
        "rate 1e308",
        "--rates",
        "shipment_id,departure_id,rate_per_teu\nS1,D1,1e308\n",
        "rates.csv: row 2, column rate_per_teu: '1e308': expected a number from 0 to 10,000,000",
    ),
]
_FILES = {
    "--departures": "departures.csv",
    "--border-quota": "border_quota.csv",
    "--trucking": "trucking.csv",
    "--rates": "rates.csv",
}


@pytest.mark.parametrize(
    ("case", "option", "text", "expected"),
    [c[:2] + c[2:] for c in OPTION_CASES],
    ids=[c[0] for c in OPTION_CASES],
)
def test_hostile_option_file(
    tmp_path: Path, case: str, option: str, text: str, expected: str
) -> None:
    args = ["plan", write(tmp_path, "shipments.csv", HEADER + GOOD)]
    if option == "--rates":
        args += ["--departures", write(tmp_path, "departures.csv", DEPS + DEP)]
    args += [option, write(tmp_path, _FILES[option], text), "--no-maps", "--quiet"]
    code, _, err = run(*args, "--out", str(tmp_path / "p"))
    assert (code, err.splitlines()) == (2, [f"error: {expected}"]), case


@pytest.mark.parametrize("option", ["SHIPMENTS", *_FILES])
def test_missing_file_of_any_kind(tmp_path: Path, option: str) -> None:
    missing = tmp_path / "nope.csv"
    args = [
        "plan",
        str(missing) if option == "SHIPMENTS" else write(tmp_path, "s.csv", HEADER + GOOD),
    ]
    if option != "SHIPMENTS":
        args += [option, str(missing)]
    code, _, err = run(*args, "--no-maps", "--quiet", "--out", str(tmp_path / "p"))
    assert (code, err.strip()) == (2, f"error: nope.csv: file not found ({missing})")


def test_folder_given_as_a_file(tmp_path: Path) -> None:
    (tmp_path / "s.csv").mkdir()
    code, _, err = run("plan", str(tmp_path / "s.csv"))
    assert (code, err.strip()) == (
        2,
        f"error: s.csv: is a folder, expected a file ({tmp_path / 's.csv'})",
    )


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = Path(write(tmp_path, "s.csv", HEADER + GOOD))

    read_bytes = Path.read_bytes

    def denied(self: Path) -> bytes:
        if self == p:
            raise PermissionError(13, "Permission denied", str(self))
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    code, _, err = run("plan", str(p))
    assert (code, err.strip()) == (
        2,
        f"error: s.csv: cannot read the file ({p}): Permission denied",
    )


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    code, _, err = run(
        "plan",
        write(tmp_path, "s.csv", HEADER + GOOD, "utf-16"),
        "--no-maps",
        "--quiet",
        "--out",
        str(tmp_path / "p"),
    )
    assert code == 0, err


def test_quoted_cells_with_commas_and_quotes_are_read(tmp_path: Path, net: object) -> None:
    from routing.io import read_shipments

    row = ROW.replace("Acme", '"Acme, ""Taiyuan"" branch"')
    ships = read_shipments(write(tmp_path, "s.csv", SHIP + row), net)  # type: ignore[arg-type]
    assert ships[0].customer == 'Acme, "Taiyuan" branch'


def test_unknown_columns_are_named_among_known_ones(tmp_path: Path) -> None:
    code, _, err = run("plan", write(tmp_path, "s.csv", SHIP.replace(",customer", ",colour") + ROW))
    assert code == 2
    assert err.splitlines() == [
        "error: s.csv: row 1, column 'colour': unknown column; expected one of shipment_id, origin, "
        "destination, containers, container_type, gross_t, ready_date, due_date, late_penalty_per_teu_day, "
        "split, avoid_countries, dg_class, customer, booked_on, pinned, move_penalty_per_container",
    ]
