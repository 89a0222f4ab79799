"""Nothing a user owns is destroyed: the --out rule, a failed run leaves the previous plan
exactly as it was, every option is checked before solving, and formula neutralisation
round-trips (issue: hostile-input campaign, 'data destroyed or silently lost')."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import maps
from railplan.cli import main
from routing.io import read_plan, read_shipments, read_table
from routing.io.table import neutralise, unneutralise
from tests.factories import ROOT

SAMPLE = ROOT / "data" / "samples" / "shipments.csv"
URL_TILES = "https://tiles.example.com/{z}/{x}/{y}.png"


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.stdout, res.stderr


def plan(out: str | Path, *extra: str, shipments: Path = SAMPLE) -> tuple[int, str, str]:
    return run(
        "plan",
        str(shipments),
        "--no-maps",
        "--quiet",
        "--time-limit",
        "5",
        "--out",
        str(out),
        *extra,
    )


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the hash of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_folder_of_other_files_is_refused_and_kept(tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "important.txt").write_text("x\n")
    code, _, err = plan(d)
    assert code == 2
    assert err.strip().splitlines() == [
        f"error: --out {str(d)!r}: the folder holds files railplan did not write (important.txt); "
        "expected a new or empty folder or an earlier plan folder (--force writes the plan's "
        "files beside them)"
    ]
    assert snapshot(d) == {"important.txt": hashlib.sha256(b"x\n").hexdigest()}
    assert [p.name for p in tmp_path.iterdir()] == ["d"]  # no temporary folder left


def test_force_writes_beside_other_files_and_keeps_them(tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "important.txt").write_text("x\n")
    code, _, err = plan(d, "--force")
    assert code == 0, err
    assert (d / "important.txt").read_text() == "x\n"
    assert (d / "assignments.csv").is_file() and (d / "inputs" / "shipments.json").is_file()
    code, _, err = plan(d, "--force")  # and again: the plan's own files are replaced
    assert code == 0, err
    assert (d / "important.txt").read_text() == "x\n"


def test_the_folder_holding_an_input_is_refused_even_with_force(tmp_path: Path) -> None:
    ships = tmp_path / "s.csv"
    ships.write_bytes(SAMPLE.read_bytes())
    for extra in ((), ("--force",)):
        code, _, err = plan(tmp_path, *extra, shipments=ships)
        assert code == 2
        assert "holds the input file" in err
        assert ships.read_bytes() == SAMPLE.read_bytes()
    code, _, err = plan(tmp_path.parent, "--force", shipments=ships)  # a parent of an input
    assert code == 2 and "holds the input file" in err


@pytest.mark.parametrize("out", [".", "", "..", "./"])
def test_the_working_directory_and_its_parents_are_refused(
    out: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    code, _, err = plan(out, "--force")
    assert code == 2, err
    assert err.startswith("error: --out") and "Traceback" not in err
    assert list(work.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]


@pytest.mark.parametrize("kind", ["proc", "under-a-file", "a-file"])
def test_impossible_out_paths_are_refused_before_solving(kind: str, tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    out = {"proc": "/proc/x", "under-a-file": str(f / "sub"), "a-file": str(f)}[kind]
    code, _, err = plan(out)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: --out")
    assert f.read_text() == "x"


def test_an_earlier_plan_folder_is_replaced_whole(tmp_path: Path) -> None:
    out = tmp_path / "p"
    assert plan(out)[0] == 0
    (out / "map.html").write_text("old map")  # a name railplan writes: part of the plan
    code, _, err = plan(out)
    assert code == 0, err
    assert not (out / "map.html").exists()  # --no-maps this time: the old map went with it


def test_a_bad_tiles_option_fails_before_solving_and_keeps_the_previous_plan(
    tmp_path: Path,
) -> None:
    out = tmp_path / "p"
    assert plan(out)[0] == 0
    before = snapshot(out)
    code, stdout, err = run("plan", str(SAMPLE), "--quiet", "--out", str(out), "--tiles", URL_TILES)
    assert code == 2
    assert err.strip().splitlines() == [
        f"error: --tiles {URL_TILES!r}: expected a tile provider's name (e.g. OpenStreetMap, "
        "OpenTopoMap); a tile URL would need an attribution, which railplan does not take"
    ]
    assert stdout == ""  # nothing was solved
    assert snapshot(out) == before


def test_a_run_that_fails_while_drawing_leaves_the_previous_plan_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "p"
    assert plan(out)[0] == 0
    before = snapshot(out)

    def boom(*_a: object, **_k: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(maps, "write_report", boom)
    code, _, err = run(
        "plan", str(SAMPLE), "--quiet", "--offline", "--time-limit", "5", "--out", str(out)
    )
    assert code == 1 and "disk full" in err and "Traceback" not in err
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]


def test_maps_and_report_are_in_the_folder_when_it_is_swapped_in(tmp_path: Path) -> None:
    out = tmp_path / "p"
    code, _, err = run(
        "plan", str(SAMPLE), "--quiet", "--offline", "--time-limit", "5", "--out", str(out)
    )
    assert code == 0, err
    assert (out / "map.html").stat().st_size > 0 and (out / "report.html").stat().st_size > 0


@given(st.text(max_size=8))
def test_neutralise_round_trips_every_text(v: str) -> None:
    w = neutralise(v)
    assert unneutralise(str(w)) == v
    assert not str(w)[:1] or str(w)[0] not in "=+-@\t\r"


FORMULAS = ["'=1+1", "=1+1", "''=2", "+SUM(A1)", "-3", "@x", "'plain", "'"]


def test_formula_like_ids_and_customers_round_trip_through_plan_check_and_map(
    tmp_path: Path, net: object
) -> None:
    ships = tmp_path / "in" / "s.csv"
    ships.parent.mkdir()
    rows = [
        {
            "shipment_id": sid,
            "origin": "zhongding",
            "destination": "moscow",
            "containers": "2",
            "ready_date": "2026-12-08",
            "customer": sid,
        }
        for sid in FORMULAS
    ]
    with ships.open("w", newline="", encoding="utf-8") as f:  # the text as a user typed it
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    _, read_back = read_table(ships)
    assert [r["shipment_id"] for _, r in read_back] == FORMULAS
    out = tmp_path / "p"
    code, _, err = run(
        "plan", str(ships), "--quiet", "--offline", "--time-limit", "5", "--out", str(out)
    )
    assert code == 0, err
    code, stdout, err = run("check", str(out), str(ships))
    assert code == 0, err + stdout
    inputs = json.loads((out / "inputs" / "shipments.json").read_text(encoding="utf-8"))
    assert [(r["shipment_id"], r["customer"]) for r in inputs] == [(s, s) for s in FORMULAS]
    again = read_shipments(out / "inputs" / "shipments.json", net, origins_served=False)  # type: ignore[arg-type]
    assert [s.shipment_id for s in again] == FORMULAS
    code, _, err = run("map", str(out), "--offline")
    assert code == 0, err
    back = read_plan(out, _problem_of(out, net))  # type: ignore[arg-type]
    ids = {a.shipment_id for a in back.assignments} | {u.shipment_id for u in back.unassigned}
    assert ids == set(FORMULAS)


def _problem_of(out: Path, net: object) -> object:
    from routing.api import make_problem

    ships = read_shipments(out / "inputs" / "shipments.json", net, origins_served=False)  # type: ignore[arg-type]
    return make_problem(ships, net)  # type: ignore[arg-type]


FLAGS = [
    ("--time-limit", "-1"),
    ("--time-limit", "0"),
    ("--time-limit", "nan"),
    ("--time-limit", "-inf"),
    ("--time-limit", "inf"),
    ("--unassigned-penalty", "inf"),
    ("--unassigned-penalty", "nan"),
    ("--unassigned-penalty", "1e308"),
    ("--seed", "9223372036854775808"),
    ("--seed", "-1"),
    ("--start", "9999-12-01"),
    ("--start", "0001-01-01"),
    ("--start", "2026-W50-1"),
    ("--start", "2026-12-08T10:00"),
    ("--days", "100000"),
    ("--days", "0"),
]


@pytest.mark.parametrize(("flag", "value"), FLAGS)
def test_out_of_range_flags_are_one_line_and_exit_2(flag: str, value: str, tmp_path: Path) -> None:
    code, stdout, err = plan(tmp_path / "p", flag, value)
    assert code == 2, stdout
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: Invalid value for") and flag in lines[0]
    assert not (tmp_path / "p").exists()


def test_a_start_after_the_batch_and_a_horizon_over_three_years_are_refused(tmp_path: Path) -> None:
    code, _, err = plan(tmp_path / "p", "--start", "2030-12-31")
    assert code == 2 and "after the batch's last date" in err
    far = tmp_path / "far.csv"
    far.write_text(
        "shipment_id,origin,destination,containers,ready_date\n"
        "A,zhongding,moscow,1,2026-12-01\nB,zhongding,moscow,1,2031-12-01\n"
    )
    code, _, err = plan(tmp_path / "p", shipments=far)
    assert code == 2
    assert err.strip().splitlines() == [
        "error: timetable of 1841 days from 2026-12-01: expected at most 1096 days (about three "
        "years); split the batch by ready date, or give --days or --departures"
    ]


def test_rates_problems_are_reported_with_the_other_files(tmp_path: Path) -> None:
    ships = tmp_path / "s.csv"
    ships.write_text(
        "shipment_id,origin,destination,containers,ready_date\nA,zhongding,moscow,zero,2026-12-01\n"
    )
    rates = tmp_path / "r.csv"
    rates.write_text("shipment_id,departure_id,rate_per_teu\nA,X,cheap\n")
    code, _, err = plan(tmp_path / "p", "--rates", str(rates), shipments=ships)
    assert code == 2
    assert "s.csv: row 2, column containers" in err and "r.csv: row 2, column rate_per_teu" in err


def test_a_closed_pipe_ends_quietly() -> None:
    railplan = Path(sys.executable).with_name("railplan")
    cmd = f"'{railplan}' timetable --start 2026-12-01 --days 365 --scope all | head -1"
    res = subprocess.run(
        ["bash", "-o", "pipefail", "-c", cmd],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert res.stderr == ""
    assert res.returncode == 0
    assert len(res.stdout.splitlines()) == 1


def test_generate_keeps_batch_files_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "shipments.csv").write_text("mine\n")
    code, _, err = run("generate", "--scale", "shanxi-week", "--out", str(tmp_path))
    assert code == 2 and "already holds shipments.csv" in err
    assert (tmp_path / "shipments.csv").read_text() == "mine\n"
    code, _, err = run("generate", "--scale", "shanxi-week", "--out", str(tmp_path), "--force")
    assert code == 0, err
    assert (tmp_path / "shipments.csv").read_text() != "mine\n"
