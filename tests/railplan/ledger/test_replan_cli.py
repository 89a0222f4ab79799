"""The planner's day on a real ledger (SQLite and PostgreSQL): commit a plan, plan the next
batch on what is left, cancel a train and re-plan with minimal change, commit, and the
refusals (bad events, a stale version) that write nothing."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import railplan.cli.plan as plan_cli
from railplan.cli import main
from railplan.ledger import Ledger


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture(scope="module")
def batches(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two generated Shanxi months (seeds 3 and 4) on the same timetable."""
    root = tmp_path_factory.mktemp("batches")
    for seed in (3, 4):
        code, _, err = run(
            "generate",
            "--scale",
            "shanxi-month",
            "--seed",
            str(seed),
            "--plain",
            "--out",
            str(root / f"b{seed}"),
        )
        assert code == 0, err
    return root / "b3" / "shipments.csv", root / "b4" / "shipments.csv"


def plan(db: str, ships: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    return run(
        "plan",
        str(ships),
        "--db",
        db,
        "--out",
        str(out),
        "--quiet",
        "--no-maps",
        "--time-limit",
        "10",
        *extra,
    )


def busiest(db: str) -> str:
    code, out, err = run("ledger", "status", "--db", db, "--json")
    assert code == 0, err
    trains = json.loads(out)["trains"]
    return str(max(trains, key=lambda t: t["sold_teu"])["departure_id"])


def test_the_planners_day(db_url: str, batches: tuple[Path, Path], tmp_path: Path) -> None:
    first, second = batches
    assert run("ledger", "init", "--db", db_url)[0] == 0
    code, _, err = plan(db_url, first, tmp_path / "p1", "--commit")
    assert code == 0, err
    with Ledger(db_url) as led:
        booked_before = {
            b.booking_id: (b.departure_id, b.containers) for b in led.bookings("confirmed")
        }
        v1 = led.version()
    assert booked_before

    # the next batch on what is left: every booking stays where it is, nothing oversold
    code, _, err = plan(db_url, second, tmp_path / "p2", "--commit")
    assert code == 0, err
    with Ledger(db_url) as led:
        assert led.check() == []
        now = {b.booking_id: (b.departure_id, b.containers) for b in led.bookings("confirmed")}
        assert led.version() > v1
    assert all(now[k] == v for k, v in booked_before.items())
    inputs = tmp_path / "p2" / "inputs"
    code, out, err = run(
        "check", str(tmp_path / "p2"), str(inputs / "shipments.json"),
        "--departures", str(inputs / "departures.json"), "--border-quota", str(inputs / "border_quota.json"),
    )  # fmt: skip
    assert code == 0, out + err

    # cancel the busiest train: its containers move or are listed unassigned, with a reason
    train = busiest(db_url)
    with Ledger(db_url) as led:
        on_it = sum(b.containers for b in led.bookings("confirmed", departure_id=train))
        v2 = led.version()
    out_dir = tmp_path / "r1"
    code, out, err = run(
        "replan", "--db", db_url, "--cancel-train", train, "--out", str(out_dir), "--quiet",
        "--no-maps", "--time-limit", "20", "--commit",
    )  # fmt: skip
    assert code == 0, err
    rows = list(csv.DictReader((out_dir / "changes.csv").open(encoding="utf-8")))
    from_train = [r for r in rows if r["from_departure"] == train]
    assert sum(int(r["containers"]) for r in from_train) == on_it
    assert {r["reason"] for r in from_train} == {"train cancelled"}
    summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["containers_moved"] == sum(int(r["containers"]) for r in rows)
    assert summary["cost"]["move_penalty"] == pytest.approx(500 * summary["containers_moved"])
    inputs = out_dir / "inputs"
    code, out, err = run(
        "check", str(out_dir), str(inputs / "shipments.json"),
        "--departures", str(inputs / "departures.json"), "--border-quota", str(inputs / "border_quota.json"),
    )  # fmt: skip
    assert code == 0, out + err
    with Ledger(db_url) as led:
        assert led.check() == []
        assert led.version() == v2 + 1
        assert not led.bookings("confirmed", departure_id=train)
        assert {d.departure_id: d.state for d in led.departures()}[train] == "cancelled"

    # nothing changed since: a re-plan with no event moves nothing (and replaces the folder)
    code, out, err = run("replan", "--db", db_url, "--out", str(out_dir), "--quiet", "--no-maps")
    assert code == 0, err
    assert "moved: 0 containers" in out
    assert not list(csv.DictReader((out_dir / "changes.csv").open(encoding="utf-8")))


def test_the_move_penalty_trades_cost_against_moves(
    db_url: str, batches: tuple[Path, Path], tmp_path: Path
) -> None:
    first, _ = batches
    assert run("ledger", "init", "--db", db_url)[0] == 0
    assert plan(db_url, first, tmp_path / "p1", "--commit")[0] == 0
    train = busiest(db_url)
    code, out, err = run(
        "replan", "--db", db_url, "--cancel-train", train, "--out", str(tmp_path / "r"),
        "--quiet", "--no-maps", "--move-penalty", "0,500,5000", "--time-limit", "20",
    )  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    i = lines.index("move penalty  objective  total cost  containers moved  shipments moved  gap %")
    table = [[float(x.replace(",", "")) for x in ln.split()] for ln in lines[i + 1 : i + 4]]
    moves = [row[3] for row in table]
    costs = [row[2] for row in table]
    assert [row[0] for row in table] == [0, 500, 5000]
    assert moves[0] >= moves[1] >= moves[2]  # fewer moves as moving costs more
    assert costs[0] <= costs[1] <= costs[2]  # and a dearer plan for it
    assert moves[0] > moves[2]


def test_bad_events_and_a_stale_version_write_nothing(
    db_url: str, batches: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = batches
    assert run("ledger", "init", "--db", db_url)[0] == 0
    assert plan(db_url, first, tmp_path / "p1", "--commit")[0] == 0
    with Ledger(db_url) as led:
        v = led.version()
    code, _, err = run(
        "replan", "--db", db_url, "--cancel-train", "NOPE", "--due", "GHOST:2026-12-30",
        "--out", str(tmp_path / "r"), "--quiet", "--commit",
    )  # fmt: skip
    assert code == 2
    assert err.strip().splitlines() == [
        "error: --cancel-train NOPE: unknown departure",
        "error: --due GHOST: unknown shipment",
    ]
    assert not (tmp_path / "r").exists()
    code, _, err = run(
        "replan", "--db", db_url, "--close-port", "atlantis:2026-12-01:2026-12-03",
        "--quota", "erenhot:2026-13-01:2", "--delay-train", "X", "--out", str(tmp_path / "r"),
    )  # fmt: skip
    assert code == 2 and len(err.strip().splitlines()) == 3

    # another planner commits while this plan is being made: refused, exit 3, nothing written
    real = plan_cli.run_plan

    def racing(*a: object, **k: object) -> object:
        result = real(*a, **k)  # type: ignore[arg-type]
        with Ledger(db_url) as other:
            b = other.bookings("confirmed")[0]
            other.cancel(b.booking_id, who="the other planner")
        return result

    monkeypatch.setattr(plan_cli, "run_plan", racing)
    code, _, err = plan(db_url, second, tmp_path / "p2", "--commit")
    assert code == 3, err
    assert "version" in err
    with Ledger(db_url) as led:
        assert led.version() == v + 1  # the other planner's change only (the trains were known)
        assert not [b for b in led.bookings("confirmed") if b.shipment_id.startswith("SH04-")]
        assert led.check() == []


def test_a_delayed_train_is_committed_with_its_new_border_day(
    db_url: str, batches: tuple[Path, Path], tmp_path: Path
) -> None:
    first, _ = batches
    assert run("ledger", "init", "--db", db_url)[0] == 0
    assert plan(db_url, first, tmp_path / "p1", "--commit")[0] == 0
    train = busiest(db_url)
    with Ledger(db_url) as led:
        before = {d.departure_id: d.departure for d in led.departures()}[train]
        crossed = {(x.port, x.day): x.trains for x in led.crossings()}
    code, out, err = run(
        "replan", "--db", db_url, "--delay-train", f"{train}:2", "--out", str(tmp_path / "r"),
        "--quiet", "--no-maps", "--time-limit", "20", "--commit",
    )  # fmt: skip
    assert code == 0, err
    assert "1 delayed" in out
    with Ledger(db_url) as led:
        assert led.check() == []  # the event log replays to the tables
        rec = {d.departure_id: d for d in led.departures()}[train]
        after = rec.departure
        now = {(x.port, x.day): x.trains for x in led.crossings()}
        still = {b.booking_id for b in led.bookings("confirmed", departure_id=train)}
    assert (after.depart_date - before.depart_date).days == 2
    assert rec.state == "scheduled"
    if still and before.border_port:  # it still carries: it crosses two days later
        offset = dt.timedelta(days=before.border_offset_days)
        old = (before.border_port, before.depart_date + offset)
        new = (before.border_port, after.depart_date + offset)
        assert now[new] >= 1  # counted on its new day (ledger check: every count is right)
        assert now[old] <= crossed[old]
