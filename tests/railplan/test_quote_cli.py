"""``railplan quote`` and ``railplan ledger accept`` end to end on a SQLite ledger: every field
of an option, --explain, a hold that takes capacity and is accepted, a hold that expires (its
capacity free again, accept exit 4, ledger check clean), a hold whose booking went, unknown
quote ids (exit 2), bad input (exit 2, one line each), --plan on an exported plan folder; and
the hold rules through the API with the ledger's clock set (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from railplan.cli import main
from railplan.ledger import BookingRequest, HoldLost, Ledger
from tests.railplan.ledger.conftest import db_url, pg_url  # noqa: F401  (fixtures)

TRAIN = "ZD-DUI-A-20261208"  # zhongding -> duisburg, 110 TEU, min load 80, via alashankou
ASK = [
    "--origin",
    "中鼎",
    "--destination",
    "Duisburg",
    "--containers",
    "10",
    "--ready",
    "2026-12-05",
]


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.stdout, res.stderr


def _ledger(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'l.db'}"
    assert run("ledger", "init", "--db", url)[0] == 0
    code, _, err = run("ledger", "register", "--db", url, "--start", "2026-12-07", "--days", "14")
    assert code == 0, err
    return url


def _quote(url: str, *extra: str) -> dict:  # type: ignore[type-arg]
    code, out, err = run("quote", "--db", url, *ASK, "--json", *extra)
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def test_option_fields_text_and_explain(tmp_path: Path) -> None:
    url = _ledger(tmp_path)
    q = _quote(url, "--due", "2026-12-20")
    (o,) = q["options"]
    assert o["departure_id"] == TRAIN and o["depart_date"] == "2026-12-08"
    assert o["border_port"] == "alashankou" and o["border_date"] == "2026-12-12"
    assert o["arrival_date"] == "2026-12-25" and o["late_days"] == 5 and o["transit_days"] == 17
    assert o["freight_usd"] == o["rate_per_teu_usd"] * 20 and o["rate_basis"] == "tariff"
    assert o["total_usd"] == o["freight_usd"] + o["first_mile_usd"] + o["last_mile_usd"]
    assert o["per_container_usd"] == o["total_usd"] / 10
    assert (o["runs"], o["teu_to_minimum"], o["left_teu_after"]) == (False, 60, 90)
    assert o["co2e_wtw_kg"] > o["co2e_ttw_kg"] > 0 and q["version"] == 1
    assert [a["mode"] for a in q["alternatives"]] == ["sea", "air"]
    assert q["valid_until"] > q["made_at"] and q["held"] is None
    # fill the train to 95 TEU: 20 TEU no longer fit, --explain says so
    with Ledger(url) as led:
        led.book(
            BookingRequest(
                shipment_id="S1",
                departure_id=TRAIN,
                containers=95,
                container_type="20GP",
                gross_t=10,
                origin="zhongding",
                destination="duisburg",
                ready_date=dt.date(2026, 12, 1),
            )
        )
    code, out, _ = run("quote", "--db", url, *ASK, "--explain")
    assert code == 0 and "no option: none of the" in out
    assert f"{TRAIN:<22} 2026-12-08  full: 15 of 110 TEU left, 20 TEU needed" in out
    assert (
        "sea  zhongding -> CNTSN -> " in out and "air  zhongding -> TYN -> CGN -> duisburg" in out
    )


def test_hold_accept_and_its_exit_codes(tmp_path: Path) -> None:
    url = _ledger(tmp_path)
    held = _quote(url, "--hold", "2")["held"]
    assert held["departure_id"] == TRAIN and held["containers"] == 10
    assert _quote(url)["options"][0]["left_teu_after"] == 70  # the hold takes its 20 TEU
    code, out, err = run("ledger", "accept", held["quote_id"], "--db", url)
    assert code == 0, err
    assert f"accepted quote {held['quote_id']}: 10 containers on {TRAIN} confirmed" in out
    st = json.loads(run("ledger", "status", "--db", url, "--json")[1])
    t = next(x for x in st["trains"] if x["departure_id"] == TRAIN)
    assert (t["sold_teu"], t["held_teu"]) == (20, 0)
    code, _, err = run("ledger", "accept", held["quote_id"], "--db", url)
    assert code == 4 and err == f"error: quote {held['quote_id']} was accepted already\n"
    code, _, err = run("ledger", "accept", "QNOSUCH", "--db", url)
    assert code == 2 and err.startswith("error: quote 'QNOSUCH': no such quote in the ledger")
    # a hold whose booking is cancelled by hand: its capacity went
    h2 = _quote(url, "--hold", "2")["held"]
    assert run("ledger", "cancel", h2["booking_ids"][0], "--db", url)[0] == 0
    code, _, err = run("ledger", "accept", h2["quote_id"], "--db", url)
    assert code == 4 and "its capacity went meanwhile" in err
    assert run("ledger", "check", "--db", url)[0] == 0


def test_an_expired_hold_frees_its_capacity(tmp_path: Path) -> None:
    url = _ledger(tmp_path)
    held = _quote(url, "--containers", "40", "--hold", "0.0003")["held"]  # about one second
    time.sleep(1.5)
    assert _quote(url)["options"][0]["left_teu_after"] == 90  # nothing held any more
    code, _, err = run("ledger", "accept", held["quote_id"], "--db", url)
    assert code == 4 and "the hold expired at" in err and "capacity was freed" in err
    code, out, _ = run("ledger", "check", "--db", url)
    assert code == 0 and "OK" in out
    st = json.loads(run("ledger", "status", "--db", url, "--json")[1])
    assert st["bookings"] == {"cancelled": 1}


def test_bad_input_one_line_each(tmp_path: Path) -> None:
    url = _ledger(tmp_path)
    code, out, err = run(
        "quote", "--db", url, "--origin", "Taiyaun", "--destination", "Duisburg",
        "--containers", "2", "--gross-t", "31", "--ready", "2026-12-05", "--due", "2026-12-01",
        "--avoid", "RU;XX",
    )  # fmt: skip
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "error: --origin: unknown place 'Taiyaun'; did you mean 'taiyuan'?",
        "error: --avoid: 'RU;XX': expected ISO 3166 alpha-2 codes like RU;BY (unknown: XX)",
        "error: --gross-t: 31: expected at most 30.48 t per 40HC container",
        "error: --due: 2026-12-01: expected a date on or after --ready 2026-12-05",
    ]
    code, _, err = run("quote", "--db", url, *ASK, "--ready", "2026-13-01")
    assert code == 2 and err.count("\n") == 1 and "2026-13-01" in err
    code, _, err = run("quote", "--plan", str(tmp_path), "--hold", "1", *ASK)
    assert code == 2 and "--plan" in err


def test_plan_folder_mode_matches_the_ledger(tmp_path: Path) -> None:
    url = _ledger(tmp_path)
    with Ledger(url) as led:
        led.book(
            BookingRequest(
                shipment_id="S1",
                departure_id=TRAIN,
                containers=30,
                container_type="40HC",
                gross_t=20,
                origin="zhongding",
                destination="duisburg",
                ready_date=dt.date(2026, 12, 1),
            )
        )
    code, _, err = run("ledger", "export", "--db", url, "--out", str(tmp_path / "plan"))
    assert code == 0, err
    code, out, err = run("quote", "--plan", str(tmp_path / "plan"), *ASK, "--json")
    assert code == 0, err
    from_plan, from_ledger = json.loads(out), _quote(url)
    assert from_plan["version"] is None and from_plan["source"].startswith("plan ")

    # a plan folder's departures carry no service id or corridor; everything else agrees
    def strip(o: dict) -> dict:  # type: ignore[type-arg]
        return {k: v for k, v in o.items() if k not in ("service_id", "corridor")}

    assert [strip(o) for o in from_plan["options"]] == [strip(o) for o in from_ledger["options"]]
    assert from_plan["options"][0]["left_teu_after"] == 110 - 60 - 20


def _req(n: int, until: dt.datetime) -> BookingRequest:
    return BookingRequest(
        shipment_id=f"Q{n}",
        departure_id=TRAIN,
        containers=n,
        container_type="40HC",
        gross_t=20,
        origin="zhongding",
        destination="duisburg",
        ready_date=dt.date(2026, 12, 1),
        held=True,
        hold_until=until,
    )


def test_hold_rules_through_the_api(db_url: str) -> None:  # noqa: F811
    import network

    led = Ledger(db_url)
    led.init()
    led.register_departures(network.load().departures(dt.date(2026, 12, 7), 14))
    t0 = dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC)
    led.clock = lambda: t0
    hq = led.hold_quote(_req(50, t0 + dt.timedelta(hours=1)), quote_id="QA", details={}, option={})
    assert hq.state == "held" and len(hq.booking_ids) == 1
    left = {t.departure.departure_id: t for t in led.quote_capacity().trains}[TRAIN]
    assert left.used_teu == 100
    led.clock = lambda: t0 + dt.timedelta(hours=2)  # the hold has passed
    assert led.used_capacity().trains[TRAIN].teu == 0  # every read agrees: freed
    assert {t.departure.departure_id: t for t in led.quote_capacity().trains}[TRAIN].used_teu == 0
    assert led.held_quote("QA").state == "expired" and led.check() == []
    with pytest.raises(HoldLost, match="expired"):
        led.accept_quote("QA")
    # a write releases an expired hold inside its own transaction (no extra version)
    led.clock = lambda: t0
    led.hold_quote(_req(50, t0 + dt.timedelta(hours=1)), quote_id="QB", details={}, option={})
    v = led.version()
    led.clock = lambda: t0 + dt.timedelta(hours=2)
    led.hold_quote(_req(55, t0 + dt.timedelta(hours=3)), quote_id="QC", details={}, option={})
    assert led.version() == v + 1 and led.held_quote("QB").state == "expired"
    q, v2 = led.accept_quote("QC")
    assert q.state == "accepted" and v2 == v + 2 and led.check() == []
    led.close()


def test_concurrent_quotes_read_the_capacity_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Quotes arriving together on a cold cache (the service's threads) wait for one read of
    every train instead of each making its own, and all get the same snapshot."""
    import threading

    from railplan.ledger import holds

    url = _ledger(tmp_path)
    reads: list[int] = []
    real = holds.capacity

    def slow(*a: object, **k: object) -> object:
        reads.append(1)
        time.sleep(0.2)  # long enough for every thread to arrive meanwhile
        return real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(holds, "capacity", slow)
    led = Ledger(url)
    got: list[object] = []
    threads = [threading.Thread(target=lambda: got.append(led.quote_capacity())) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(got) == 6 and all(g is got[0] for g in got)
    assert len(reads) == 1
    led.close()
