"""CO2e on the command line: the columns and emissions.csv of ``railplan demo``, ``railplan
check`` on them, ``--emission-factors`` replacing the table, a malformed table (exit 2 naming
file, row and column) and ``--carbon-price``."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from railplan.cli import main
from routing.domain.plan import EMISSION_COLUMNS
from tests.factories import ROOT, SAMPLE

FACTORS = ROOT / "data" / "co2" / "factors.csv"


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.stdout, res.stderr


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("co2") / "demo"
    code, _, err = run("demo", "--out", str(out), "--offline", "--quiet", "--time-limit", "30")
    assert code == 0, err
    return out


def test_demo_writes_co2e_columns_and_emissions(demo: Path) -> None:
    assigned = rows(demo / "assignments.csv")
    assert {"co2e_wtw_kg", "co2e_ttw_kg"} <= set(assigned[0])
    assert all(float(a["co2e_wtw_kg"]) > float(a["co2e_ttw_kg"]) >= 0 for a in assigned)
    em = rows(demo / "emissions.csv")
    assert tuple(em[0]) == EMISSION_COLUMNS
    assert {e["element"] for e in em} >= {"rail", "transshipment"}
    # every assignment's CO2e is the sum of its elements
    by: dict[tuple[str, str], float] = {}
    for e in em:
        key = (e["shipment_id"], e["departure_id"])
        by[key] = by.get(key, 0.0) + float(e["wtw_kg"])
    for a in assigned:
        assert float(a["co2e_wtw_kg"]) == pytest.approx(
            by[(a["shipment_id"], a["departure_id"])], abs=0.02
        )
    summary = json.loads((demo / "summary.json").read_text(encoding="utf-8"))
    total = sum(float(a["co2e_wtw_kg"]) for a in assigned)
    assert summary["co2e_wtw_kg"] == pytest.approx(total, abs=0.01 * len(assigned))
    assert sum(c["wtw_kg"] for c in summary["co2e_by_corridor"].values()) == pytest.approx(
        summary["co2e_wtw_kg"], abs=0.1
    )
    assert summary["carbon_price_per_t"] == 0.0 and summary["cost"]["carbon"] == 0.0
    assert summary["total_cost_with_carbon"] == summary["total_cost"]


def test_check_passes_on_a_plan_with_co2e_and_catches_a_tampered_one(
    demo: Path, tmp_path: Path
) -> None:
    code, out, err = run("check", str(demo), str(SAMPLE))
    assert code == 0, err
    assert "OK" in out
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in ("assignments.csv", "trains.csv", "unassigned.csv", "summary.json"):
        (bad / name).write_bytes((demo / name).read_bytes())
    assigned = rows(bad / "assignments.csv")
    assigned[0]["co2e_ttw_kg"] = "0.5"
    with (bad / "assignments.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(assigned[0]))
        w.writeheader()
        w.writerows(assigned)
    code, _, err = run("check", str(bad), str(SAMPLE))
    assert code == 1
    assert "co2e_ttw_kg is 0.5, recomputed" in err


def test_emission_factors_replace_the_table(demo: Path, tmp_path: Path) -> None:
    table = rows(FACTORS)
    for r in table:
        if r["key"] == "rail_electric_CN":
            r["wtw"] = str(2 * float(r["wtw"]))
    mine = tmp_path / "my_factors.csv"
    with mine.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(table[0]))
        w.writeheader()
        w.writerows(table)
    out = tmp_path / "plan"
    code, _, err = run(
        "plan", str(SAMPLE), "--no-maps", "--quiet", "--out", str(out),
        "--emission-factors", str(mine),
    )  # fmt: skip
    assert code == 0, err
    before = json.loads((demo / "summary.json").read_text(encoding="utf-8"))
    after = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert after["co2e_factors"] == "my_factors.csv"
    assert after["objective"] == before["objective"]  # no carbon price: the same plan
    cn = sum(
        float(e["wtw_kg"])
        for e in rows(demo / "emissions.csv")
        if e["factor_key"] == "rail_electric_CN"
    )
    assert after["co2e_wtw_kg"] == pytest.approx(before["co2e_wtw_kg"] + cn, abs=1.0)
    assert after["co2e_ttw_kg"] == pytest.approx(before["co2e_ttw_kg"], abs=0.1)
    # the check needs the same table
    assert run("check", str(out), str(SAMPLE), "--emission-factors", str(mine))[0] == 0
    assert run("check", str(out), str(SAMPLE))[0] == 1


def test_malformed_factor_table_exits_2_naming_row_and_column(tmp_path: Path) -> None:
    text = FACTORS.read_text(encoding="utf-8").splitlines()
    i = next(n for n, ln in enumerate(text) if ln.startswith("road_truck_artic,"))
    text[i] = text[i].replace(",95.02,77.03,", ",lots,77.03,")
    bad = tmp_path / "bad_factors.csv"
    bad.write_text("\n".join(text) + "\n", encoding="utf-8")
    code, _, err = run(
        "plan", str(SAMPLE), "--no-maps", "--quiet", "--out", str(tmp_path / "p"),
        "--emission-factors", str(bad),
    )  # fmt: skip
    assert code == 2
    assert f"bad_factors.csv: row {i + 1}, column wtw: 'lots'" in err
    assert not (tmp_path / "p").exists()
    code, _, err = run(
        "plan", str(SAMPLE), "--no-maps", "--quiet", "--out", str(tmp_path / "p"),
        "--emission-factors", str(tmp_path / "missing.csv"),
    )  # fmt: skip
    assert code == 2
    assert "missing.csv: emission factor table not found" in err


def test_carbon_price_adds_the_carbon_cost_and_checks(tmp_path: Path) -> None:
    out = tmp_path / "priced"
    code, _, err = run(
        "plan", str(SAMPLE), "--no-maps", "--quiet", "--out", str(out), "--carbon-price", "80",
    )  # fmt: skip
    assert code == 0, err
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["carbon_price_per_t"] == 80.0
    assert s["cost"]["carbon"] > 0
    assert s["total_cost_with_carbon"] == pytest.approx(
        s["total_cost"] + s["cost"]["carbon"], abs=0.02
    )
    assert s["objective"] == pytest.approx(
        s["total_cost"] + s["cost"]["carbon"] + s["cost"]["unassigned_penalty"], abs=0.05
    )
    code, _, err = run("check", str(out), str(SAMPLE))
    assert code == 0, err
    code, _, err = run("plan", str(SAMPLE), "--out", str(tmp_path / "x"), "--carbon-price", "-1")
    assert code == 2
    assert "--carbon-price" in err
