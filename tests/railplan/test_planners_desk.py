"""The planner's desk: Chinese column headers in CSV, XLSX and JSON (mixed headers refused,
bad values named by their Chinese header), and the input workbook of ``railplan template``
filled in as a planner would, planned and checked."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import network
from railplan.cli import main
from railplan.cli.app import default_lang
from routing.io import read_shipments
from routing.io.headers import HEADERS, SHEETS, chinese
from routing.io.template import place_lists

ZH = dict(HEADERS["shipments"])


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.stdout, res.stderr


ROW = {
    "shipment_id": "A1",
    "origin": "太原",
    "destination": "莫斯科",
    "containers": "4",
    "container_type": "40HC",
    "gross_t": "20",
    "ready_date": "2026-12-05",
    "due_date": "2026-12-30",
    "split": "是",
    "customer": "山西煤机",
}


def write(path: Path, rows: list[dict[str, str]], names: dict[str, str]) -> Path:
    cols = list(rows[0])
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow([names.get(c, c) for c in cols])
            for r in rows:
                w.writerow([r[c] for c in cols])
    elif path.suffix == ".json":
        path.write_text(
            json.dumps([{names.get(c, c): r[c] for c in cols} for r in rows], ensure_ascii=False),
            encoding="utf-8",
        )
    else:
        wb = openpyxl.Workbook()
        ws = wb.active
        assert ws is not None
        ws.append([names.get(c, c) for c in cols])
        for r in rows:
            ws.append([r[c] for c in cols])
        wb.save(path)
    return path


def test_every_file_kind_maps_each_column_to_one_distinct_chinese_header() -> None:
    from routing.io.batch import (
        DEPARTURE_COLUMNS,
        QUOTA_COLUMNS,
        RATE_COLUMNS,
        SHIPMENT_COLUMNS,
        TRUCKING_COLUMNS,
    )

    kinds = {
        "shipments": SHIPMENT_COLUMNS,
        "departures": DEPARTURE_COLUMNS,
        "rates": RATE_COLUMNS,
        "border_quota": QUOTA_COLUMNS,
        "trucking": TRUCKING_COLUMNS,
    }
    for kind, columns in kinds.items():
        pairs = HEADERS[kind]
        assert [en for en, _ in pairs] == list(columns), kind
        assert len(chinese(kind)) == len(columns), kind
    assert set(SHEETS) == set(kinds)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_chinese_headers_read_as_english_ones(suffix: str, tmp_path: Path) -> None:
    net = network.load()
    zh = read_shipments(write(tmp_path / f"zh{suffix}", [ROW], ZH), net)
    en = read_shipments(write(tmp_path / f"en{suffix}", [ROW], {}), net)
    assert zh == en
    assert zh[0].origin == "taiyuan" and zh[0].containers == 4 and zh[0].split


def test_full_width_brackets_are_the_same_header(tmp_path: Path) -> None:
    names = {**ZH, "gross_t": "毛重（吨）"}
    ships = read_shipments(write(tmp_path / "s.csv", [ROW], names), network.load())
    assert ships[0].gross_t == 20.0


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_mixed_headers_are_an_error_naming_the_column(suffix: str, tmp_path: Path) -> None:
    names = {**ZH, "destination": "destination"}
    path = write(tmp_path / f"m{suffix}", [ROW], names)
    code, _, err = run("plan", str(path), "--no-maps", "--quiet", "--out", str(tmp_path / "o"))
    assert code == 2
    assert "column 'destination': an English header among headers in the other language" in err
    assert "'目的地'" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_bad_values_name_row_chinese_column_and_value(suffix: str, tmp_path: Path) -> None:
    bad = {**ROW, "containers": "0", "origin": "太原X", "ready_date": "2026-13-01"}
    path = write(tmp_path / f"b{suffix}", [ROW, {**bad, "shipment_id": "A2"}], ZH)
    code, _, err = run("plan", str(path), "--no-maps", "--quiet", "--out", str(tmp_path / "o"))
    assert code == 2
    row = 3 if suffix != ".json" else 2
    name = path.name
    assert (
        f"error: {name}: row {row}, column 箱数: '0': expected an integer from 1 to 100,000" in err
    )
    assert f"error: {name}: row {row}, column 可发日期: '2026-13-01': expected a date" in err
    assert f"error: {name}: row {row}, column 始发地: unknown place '太原X'" in err
    assert "shipment_id" not in err and "containers" not in err


def test_a_missing_column_of_a_chinese_file_is_named_in_chinese(tmp_path: Path) -> None:
    row = {k: v for k, v in ROW.items() if k != "ready_date"}
    path = write(tmp_path / "s.csv", [row], ZH)
    code, _, err = run("plan", str(path), "--no-maps", "--quiet", "--out", str(tmp_path / "o"))
    assert code == 2
    assert "row 1: missing column '可发日期' (ready_date)" in err


def test_the_default_language_follows_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert default_lang() == "zh"
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert default_lang() == "en"
    monkeypatch.setenv("LC_ALL", "zh_TW.UTF-8")
    assert default_lang() == "zh"


# -- the template -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def zh_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "batch.xlsx"
    code, out, err = run("template", "--out", str(path), "--lang", "zh", "--start", "2026-12-07")
    assert code == 0, err
    assert "template written" in out
    return path


def test_the_template_has_its_sheets_validation_and_frozen_header(zh_template: Path) -> None:
    wb = openpyxl.load_workbook(zh_template)
    assert wb.sheetnames[0] == "发货"
    assert {"说明", "班列", "协议运价", "口岸配额", "汽运", "lists"} <= set(wb.sheetnames)
    assert wb["lists"].sheet_state == "hidden"
    ws = wb["发货"]
    assert [c.value for c in ws[1]][:4] == ["发货编号", "始发地", "目的地", "箱数"]
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width >= 20
    kinds = {(dv.type, str(dv.sqref).split(":")[0]) for dv in ws.data_validations.dataValidation}
    assert ("list", "B2") in kinds and ("list", "C2") in kinds  # places
    assert ("list", "E2") in kinds  # container types
    assert ("whole", "D2") in kinds  # containers
    assert ("date", "G2") in kinds  # ready_date
    assert ("list", "J2") in kinds  # split: 是/否
    lists = place_lists(network.load(), "zh")
    assert "太原皇后园站" in lists["origin"] and "莫斯科" in lists["destination"]
    hidden = [c.value for c in wb["lists"]["A"] if c.value][1:]
    assert hidden == lists["origin"]
    assert ws["B2"].value in lists["origin"]  # an example row, in Chinese
    assert ws["G2"].number_format == "yyyy-mm-dd"
    assert ws["J2"].value in ("是", "否")


def test_the_english_template_speaks_english(tmp_path: Path) -> None:
    path = tmp_path / "en.xlsx"
    code, _, err = run("template", "--out", str(path), "--lang", "en")
    assert code == 0, err
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:2] == ["shipments", "instructions"]
    assert [c.value for c in wb["shipments"][1]][:2] == ["shipment_id", "origin"]
    code, _, err = run("template", "--out", str(path))
    assert code == 2 and "--force" in err


def test_a_filled_in_template_plans_and_checks(zh_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "filled.xlsx"
    wb = openpyxl.load_workbook(zh_template)
    ws = wb["发货"]
    for r, (sid, origin, dest, n) in enumerate(
        [("SX-1", "太原皇后园站", "莫斯科", 30), ("SX-2", "太原", "莫斯科", 20)], start=2
    ):
        values = [sid, origin, dest, n, "40HC", 21.5, dt.date(2026, 12, 8), dt.date(2027, 1, 20)]
        for c, v in enumerate(values, start=1):
            ws.cell(r, c, v)
        ws.cell(r, 10, "是")
        ws.cell(r, 13, "山西煤机")
    wb.save(path)
    out = tmp_path / "plan"
    code, _, err = run("plan", str(path), "--no-maps", "--quiet", "--out", str(out))
    assert code == 0, err
    with (out / "assignments.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {r["shipment_id"] for r in rows} == {"SX-1", "SX-2"}
    assert sum(int(r["containers"]) for r in rows) == 50
    code, out_text, err = run("check", str(out), str(path))
    assert code == 0, err
    assert "OK" in out_text


def test_a_workbook_sheet_supplies_an_input_unless_its_flag_is_given(
    zh_template: Path, tmp_path: Path
) -> None:
    """A border-quota sheet of 0 trains a day at Erenhot and Manzhouli: nothing goes to Moscow
    through them; an empty sheet (the template's) is not read."""
    path = tmp_path / "quota.xlsx"
    wb = openpyxl.load_workbook(zh_template)
    ws = wb["口岸配额"]
    for port in ("二连浩特", "满洲里"):
        ws.append([port, 0, None])
    ws.cell(3, 2, "x")  # a bad value: named by sheet, row and Chinese header
    wb.save(path)
    code, _, err = run("plan", str(path), "--no-maps", "--quiet", "--out", str(tmp_path / "o"))
    assert code == 2
    assert "quota.xlsx, sheet 口岸配额: row 3, column 每日班列数: 'x': expected an integer" in err
    ws.cell(3, 2, 0)
    wb.save(path)
    out = tmp_path / "o2"
    code, _, err = run("plan", str(path), "--no-maps", "--quiet", "--out", str(out))
    assert code == 0, err
    with (out / "assignments.csv").open(encoding="utf-8") as f:
        ports = {r["border_port"] for r in csv.DictReader(f)}
    assert not ports & {"erenhot", "manzhouli"}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["inputs"]["files"] == "quota.xlsx"
    flag = tmp_path / "border_quota.csv"
    flag.write_text("border_port,trains_per_day\nerenhot,2\n", encoding="utf-8")
    out = tmp_path / "o3"
    code, _, err = run(
        "plan", str(path), "--border-quota", str(flag), "--no-maps", "--quiet", "--out", str(out)
    )
    assert code == 0, err
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["inputs"]["files"] == "quota.xlsx, border_quota.csv"


@pytest.mark.parametrize(
    ("lang", "label", "other"),
    [
        ("zh", "中通道（二连浩特）", "Mongolian via Erenhot"),
        ("en", "Mongolian via Erenhot", "中通道"),
    ],
)
def test_the_network_map_speaks_the_chosen_language(
    lang: str, label: str, other: str, tmp_path: Path
) -> None:
    out = tmp_path / "network.html"
    code, _, err = run("network", "--map", str(out), "--offline", "--lang", lang)
    assert code == 0, err
    page = out.read_text(encoding="utf-8")
    shown = [json.dumps(label)[1:-1], json.dumps(label, ensure_ascii=False)[1:-1]]  # JS escapes
    assert any(x in page for x in shown)
    assert not any(x in page for x in (json.dumps(other)[1:-1], other))
