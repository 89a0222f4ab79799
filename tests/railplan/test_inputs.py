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
        "shipments.csv: row 2, column containers: '0': expected an integer from 1 to 10,000",
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
        "split, avoid_countries, dg_class, customer",
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
