"""The railplan command end to end: plan the bundled sample, check it, determinism, outputs
that a spreadsheet cannot run, atomic writes, and the optional input files."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import network
import routing
from railplan.cli import main
from routing.io import plan_files
from tests.factories import ROOT

SAMPLE = ROOT / "data" / "samples" / "shipments.csv"


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture(scope="module")
def sample_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The make-demo plan of the bundled sample, written once for this module."""
    out = tmp_path_factory.mktemp("demo") / "plan"
    code, _, err = run(
        "plan", str(SAMPLE), "--no-maps", "--quiet", "--out", str(out), "--time-limit", "60"
    )
    assert code == 0, err
    return out


def test_sample_plan_is_complete_and_checks(sample_plan: Path) -> None:
    for f in ("assignments.csv", "trains.csv", "unassigned.csv", "summary.json", "plan.xlsx"):
        assert (sample_plan / f).is_file()
    summary = json.loads((sample_plan / "summary.json").read_text())
    assert summary["status"] == "optimal"
    with SAMPLE.open() as f:
        containers = sum(int(r["containers"]) for r in csv.DictReader(f))
    assert summary["containers_assigned"] + summary["containers_unassigned"] == containers
    code, out, err = run("check", str(sample_plan), str(SAMPLE))
    assert code == 0, err
    assert "OK" in out


def test_check_catches_a_tampered_plan(sample_plan: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(sample_plan, bad)
    rows = list(csv.DictReader((bad / "assignments.csv").open()))
    rows[0]["freight_cost"] = str(float(rows[0]["freight_cost"]) - 100)
    rows[1]["containers"] = str(int(rows[1]["containers"]) + 1)
    with (bad / "assignments.csv").open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    code, _, err = run("check", str(bad), str(SAMPLE))
    assert code == 1
    assert "freight_cost" in err and "assigned +" in err


def test_same_seed_same_plan(tmp_path: Path) -> None:
    outs = []
    for i in range(2):
        out = tmp_path / f"p{i}"
        code, _, err = run(
            "plan", str(SAMPLE), "--no-maps", "--quiet", "--seed", "7", "--out", str(out)
        )
        assert code == 0, err
        outs.append(out)
    for f in ("assignments.csv", "trains.csv", "unassigned.csv"):
        assert (outs[0] / f).read_text() == (outs[1] / f).read_text()


def test_formula_injection_is_neutralised(tmp_path: Path) -> None:
    rows = (
        "shipment_id,origin,destination,containers,ready_date,customer\n"
        '=HYPERLINK("http://x"),zhongding,moscow,45,2026-12-01,@SUM(A1)\n'
        "+1,zhongding,moscow,3,2026-12-01,-cmd\n"
    )
    src = tmp_path / "s.csv"
    src.write_text(rows)
    out = tmp_path / "p"
    code, _, err = run("plan", str(src), "--no-maps", "--quiet", "--out", str(out))
    assert code == 0, err
    text = (out / "assignments.csv").read_text() + (out / "unassigned.csv").read_text()
    for line in text.splitlines()[1:]:
        assert line[0] not in "=+-@", line
    import openpyxl

    wb = openpyxl.load_workbook(out / "plan.xlsx")
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for v in row:
                assert not (isinstance(v, str) and v[:1] in ("=", "+", "@")), v
    # and the plan reads back with the original ids
    net = network.load()
    problem = routing.make_problem(routing.read_shipments(src, net), net)
    plan = routing.read_plan(out, problem)
    assert {a.shipment_id for a in plan.assignments} | {u.shipment_id for u in plan.unassigned} == {
        '=HYPERLINK("http://x")',
        "+1",
    }


def test_failed_write_leaves_no_half_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "p"
    out.mkdir()
    (out / "assignments.csv").write_text("previous plan\n")

    def boom(*_a: object, **_k: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(plan_files, "write_plan_xlsx", boom)
    code, _, err = run("plan", str(SAMPLE), "--no-maps", "--quiet", "--out", str(out))
    assert code == 1 and "disk full" in err and "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["p"]
    assert (out / "assignments.csv").read_text() == "previous plan\n"
    assert not (out / "trains.csv").exists()


def test_contract_rates_and_trucking_sheet(tmp_path: Path) -> None:
    ships = tmp_path / "s.csv"
    ships.write_text(
        "shipment_id,origin,destination,containers,ready_date\nA,linfen,moscow,45,2026-12-01\n"
    )
    net = network.load()
    # the trucking sheet replaces the network's truck links; only a header: no trucking at all
    empty = tmp_path / "t.csv"
    empty.write_text("from,to,cost_per_teu,days\n")
    code, _, err = run("plan", str(ships), "--trucking", str(empty), "--quiet", "--no-maps")
    assert code == 2 and "drayage" in err
    sheet = tmp_path / "t2.csv"
    sheet.write_text("from,to,cost_per_teu,days\nlinfen,houma,80,1\nlinfen,zhongding,150,1\n")
    out = tmp_path / "p"
    code, _, err = run(
        "plan", str(ships), "--trucking", str(sheet), "--quiet", "--no-maps", "--out", str(out)
    )
    assert code == 0, err
    rows = list(csv.DictReader((out / "assignments.csv").open()))
    assert rows and all(float(r["truck_cost"]) / int(r["teu"]) in (80.0, 150.0) for r in rows)
    # a contract rate on one departure wins the shipment
    deps = net.departures(dt.date(2026, 12, 1), 60)
    target = next(d for d in deps if d.origin == "zhongding" and d.destination == "moscow")
    rates = tmp_path / "r.csv"
    rates.write_text(f"shipment_id,departure_id,rate_per_teu\nA,{target.departure_id},1\n")
    out2 = tmp_path / "p2"
    code, _, err = run(
        "plan",
        str(ships),
        "--trucking",
        str(sheet),
        "--rates",
        str(rates),
        "--quiet",
        "--no-maps",
        "--out",
        str(out2),
    )
    assert code == 0, err
    rows = list(csv.DictReader((out2 / "assignments.csv").open()))
    assert [r["departure_id"] for r in rows] == [target.departure_id]
    assert float(rows[0]["freight_cost"]) == 90.0


def test_timetable_and_network_commands(tmp_path: Path) -> None:
    code, out, _ = run("timetable", "--start", "2026-12-01", "--days", "14")
    assert code == 0 and out.strip().endswith("departures")
    code, out, _ = run("network", "--check")
    assert code == 0 and "network data: OK" in out
    f = tmp_path / "deps.csv"
    code, _, _ = run("timetable", "--start", "2026-12-01", "--days", "14", "--out", str(f))
    net = network.load()
    assert len(routing.read_departures(f, net)) == len(net.departures(dt.date(2026, 12, 1), 14))


def test_generate_writes_a_batch_that_plans(tmp_path: Path) -> None:
    code, _out, err = run(
        "generate", "--scale", "shanxi-week", "--seed", "1", "--out", str(tmp_path / "g")
    )
    assert code == 0, err
    g = tmp_path / "g"
    code, _, err = run(
        "plan",
        str(g / "shipments.csv"),
        "--departures",
        str(g / "departures.csv"),
        "--border-quota",
        str(g / "border_quota.csv"),
        "--quiet",
        "--no-maps",
        "--out",
        str(tmp_path / "p"),
    )
    assert code == 0, err
    code, _, err = run(
        "check",
        str(tmp_path / "p"),
        str(g / "shipments.csv"),
        "--departures",
        str(g / "departures.csv"),
        "--border-quota",
        str(g / "border_quota.csv"),
    )
    assert code == 0, err
