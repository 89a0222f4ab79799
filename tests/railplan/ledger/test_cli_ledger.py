"""``railplan ledger ...`` end to end on SQLite (and status/book/check on PostgreSQL): init,
register, book, status, cancel, export (then ``railplan check`` and ``railplan map
--offline`` on the folder), check; bad input exits 2 with one line each and writes nothing; a
stale version exits 3."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import text

from railplan.cli import main
from railplan.ledger import Ledger

TRAIN = "YQ-TAS-K-20261207"  # the bundled timetable: yangquan -> tashkent, 110 TEU, khorgos


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.stdout, res.stderr


def _init(url: str) -> None:
    assert run("ledger", "init", "--db", url)[0] == 0
    code, _, err = run("ledger", "register", "--db", url, "--start", "2026-12-01", "--days", "7")
    assert code == 0, err


def test_the_planner_day_in_commands(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    code, out, _ = run("ledger", "init", "--db", url)
    assert code == 0 and "(created)" in out
    assert "already current" in run("ledger", "init", "--db", url)[1]
    _init(url)
    code, out, err = run(
        "ledger", "book", "--db", url, "--shipment", "S1", "--departure", TRAIN,
        "--containers", "40", "--customer", "acme", "--pin",
    )  # fmt: skip
    assert code == 0, err
    assert "confirmed B" in out and "30 of 110 TEU left" in out
    code, out, _ = run("ledger", "status", "--db", url, "--json")
    st = json.loads(out)
    t = next(x for x in st["trains"] if x["departure_id"] == TRAIN)
    assert (t["sold_teu"], t["left_teu"]) == (80, 30)
    assert {
        "border_port": "khorgos",
        "date": "2026-12-12",
        "trains": 1,
        "quota": 2,
        "left": 1,
    } in st["crossings"]
    assert (
        "khorgos        2026-12-12  1 train(s), quota 2, 1 left"
        in run("ledger", "status", "--db", url)[1]
    )
    exp = tmp_path / "exp"
    code, out, err = run("ledger", "export", "--db", url, "--out", str(exp))
    assert code == 0, err
    code, out, err = run(
        "check", str(exp), str(exp / "inputs" / "shipments.json"),
        "--departures", str(exp / "inputs" / "departures.json"),
    )  # fmt: skip
    assert code == 0, err + out
    code, out, err = run("map", str(exp), "--offline")
    assert code == 0, err
    assert (exp / "map.html").is_file() and (exp / "report.html").is_file()
    bid = Ledger(url).bookings()[0].booking_id
    code, out, err = run("ledger", "cancel", "--db", url, bid)
    assert code == 0 and f"cancelled {bid}" in out, err
    code, out, _ = run("ledger", "check", "--db", url)
    assert code == 0 and "OK" in out


def test_bad_input_exits_2_one_line_each_and_writes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    code, _, err = run("ledger", "status", "--db", url)
    assert code == 2 and "run railplan ledger init" in err
    assert not (tmp_path / "l.db").exists()
    _init(url)
    v = Ledger(url).version()
    cases = [
        (["--departure", "NOPE", "--containers", "1"], "not a train registered in the ledger"),
        (["--departure", TRAIN, "--containers", "60"], "120 TEU do not fit, 110 of 110 TEU left"),
        (["--departure", TRAIN, "--containers", "1", "--type", "40RF"], "reefer"),
        (["--departure", TRAIN, "--containers", "1", "--gross-t", "31"], "at most 30.48 t"),
        (["--departure", TRAIN, "--containers", "1", "--destination", "Dusiburg"], "did you mean"),
        (["--departure", TRAIN, "--containers", "1", "--ready", "2026-12-08"], "refused"),
        (["--departure", TRAIN, "--containers", "0"], "'--containers'"),
    ]
    for args, expect in cases:
        code, out, err = run("ledger", "book", "--db", url, "--shipment", "S9", *args)
        lines = err.strip().splitlines()
        assert code == 2 and lines and all(x.startswith("error: ") for x in lines), (args, err)
        assert expect in err, (args, err)
        assert out == ""
    assert Ledger(url).version() == v and Ledger(url).bookings() == []


def test_a_stale_version_exits_3(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    _init(url)
    v = Ledger(url).version()
    args = ["ledger", "book", "--db", url, "--shipment", "S1", "--departure", TRAIN]
    assert run(*args, "--containers", "2", "--expect-version", str(v))[0] == 0
    code, _, err = run(*args, "--containers", "2", "--expect-version", str(v))
    assert (
        code == 3 and err.startswith("error: stale ledger version") and len(err.splitlines()) == 1
    )


def test_ledger_check_exits_1_on_a_violation(db_url: str) -> None:
    _init(db_url)
    code, _, err = run(
        "ledger",
        "book",
        "--db",
        db_url,
        "--shipment",
        "S1",
        "--departure",
        TRAIN,
        "--containers",
        "3",
    )
    assert code == 0, err
    assert run("ledger", "check", "--db", db_url)[0] == 0
    led = Ledger(db_url)
    with led.engine.begin() as c:
        c.execute(text(f"UPDATE departures SET used_teu = 1 WHERE departure_id = '{TRAIN}'"))
    code, out, err = run("ledger", "check", "--db", db_url)
    assert code == 1 and "violation: departure" in err and "violation(s)" in out
