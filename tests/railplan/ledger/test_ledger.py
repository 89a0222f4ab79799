"""The ledger's API on SQLite and PostgreSQL: schema, refusals with their reasons, atomic
commits, optimistic versions, the invariant check (and that it catches damage), status
replayed from the log, export."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import text

from railplan.ledger import BookingRequest, Ledger, NotInitialised, Refused, StaleVersion
from railplan.ledger.engine import head
from routing.domain.plan import Assignment
from tests.factories import DAY, dep, ship


def req(sid: str, did: str, n: int, **kw: object) -> BookingRequest:
    base: dict[str, object] = {
        "shipment_id": sid,
        "departure_id": did,
        "containers": n,
        "container_type": "20GP",
        "gross_t": 10.0,
        "origin": "zhongding",
        "destination": "duisburg",
        "ready_date": DAY,
    }
    base.update(kw)
    return BookingRequest(**base)  # type: ignore[arg-type]


def fresh(url: str) -> Ledger:
    led = Ledger(url)
    led.init()
    led.register_departures(
        [
            dep("A", 0, border_port="erenhot", border_offset_days=2, max_gross_t=1000.0),
            dep("B", 0, border_port="erenhot", border_offset_days=2, reefer_plugs=2),
            dep("C", 1, border_port="erenhot", border_offset_days=2, dg_allowed=True),
            dep("D", 5, capacity_teu=10),
        ],
        quota={"erenhot": 1},
    )
    return led


def test_init_is_idempotent_and_the_migration_makes_the_models(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from railplan.ledger.schema import Base

    led = Ledger(db_url)
    with pytest.raises(NotInitialised):
        led.version()
    assert led.init() == (None, head())
    assert led.init() == (head(), head())
    assert led.version() == 0 and led.check() == []
    with led.engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), Base.metadata)
    assert diff == []


def test_refusals_name_the_reason_and_write_nothing(db_url: str) -> None:
    led = fresh(db_url)
    v = led.version()
    led.book(req("S1", "A", 90))
    cases = [
        (req("S2", "A", 11), "11 TEU do not fit, 10 of 100 TEU left"),
        (req("S3", "A", 5, gross_t=24.0), "120 t do not fit, 100 of 1000 t left"),
        (req("S4", "B", 3, container_type="20RF"), "3 reefers do not fit, 2 of 2 reefer plugs"),
        (req("S5", "A", 1, container_type="20RF"), "reefer containers on a train without"),
        (req("S6", "A", 1, dg_class="3"), "dangerous goods (class 3)"),
        (req("S7", "B", 1), "border erenhot on 2026-12-03: quota of 1 train(s) a day taken"),
        (req("S8", "A", 1, avoid_countries=frozenset({"RU"})), "crosses avoided countries RU"),
        (req("S9", "Z", 1), "departure Z: unknown departure"),
        (req("S1", "C", 1, gross_t=12.0), "shipment S1 is booked with another gross_kg"),
        (req("S10", "A", 1, ready_date=DAY + dt.timedelta(days=3)), "after the train departs"),
        (req("S11", "A", 1, gross_t=25.0), "expected > 0 and at most 24 t"),
    ]
    for r, reason in cases:
        with pytest.raises(Refused) as e:
            led.book(r)
        assert any(reason in p for p in e.value.problems), (reason, e.value.problems)
    assert led.version() == v + 1
    assert [b.shipment_id for b in led.bookings()] == ["S1"]
    assert led.check() == []


def test_cancel_frees_the_train_and_the_border_day(db_url: str) -> None:
    led = fresh(db_url)
    b = led.book(req("S1", "A", 100))
    with pytest.raises(Refused):
        led.book(req("S2", "B", 1))  # erenhot's one slot that day is A's
    led.cancel(b.booking_id)
    with pytest.raises(Refused, match="already cancelled"):
        led.cancel(b.booking_id)
    used = led.used_capacity()
    assert (
        used.trains["A"].teu == 0 and used.crossings[("erenhot", DAY + dt.timedelta(2))].trains == 0
    )
    led.book(req("S2", "B", 1))
    led.set_departure_state("A", "cancelled")
    with pytest.raises(Refused, match="cannot be cancelled while it carries"):
        led.set_departure_state("B", "cancelled")
    with pytest.raises(Refused, match="the train is cancelled"):
        led.book(req("S3", "A", 1))
    led.set_departure_state("B", "departed")
    with pytest.raises(Refused, match="has departed"):
        led.cancel(led.bookings("confirmed")[0].booking_id)
    assert led.check() == []


def test_holds_take_capacity_until_confirmed_or_expired(db_url: str) -> None:
    led = fresh(db_url)
    until = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    h = led.book(req("S1", "D", 8, held=True, hold_until=until))
    assert h.state == "held" and h.hold_until == until
    with pytest.raises(Refused):
        led.book(req("S2", "D", 3))
    assert led.expire_holds(until - dt.timedelta(seconds=1)) == []
    assert led.expire_holds(until) == [h.booking_id]
    led.confirm(led.book(req("S2", "D", 10, held=True)).booking_id)
    assert [b.state for b in led.bookings(departure_id="D")] == ["cancelled", "confirmed"]
    assert led.check() == []


def _assignment(sid: str, did: str, n: int) -> Assignment:
    return Assignment(
        shipment_id=sid,
        departure_id=did,
        containers=n,
        teu=n,
        gross_t=10.0 * n,
        origin="zhongding",
        destination="duisburg",
        border_port="",
        depart_date=DAY,
        arrival_date=DAY + dt.timedelta(days=10),
        late_days=0,
        freight_cost=100.0 * n,
        truck_cost=0.0,
        late_cost=0.0,
    )


def test_commit_is_one_transaction_with_an_optimistic_version(db_url: str) -> None:
    led = fresh(db_url)
    v = led.version()
    ships = [ship("P1", 60), ship("P2", 50), ship("P3", 5)]
    over = [_assignment("P1", "A", 60), _assignment("P2", "A", 41), _assignment("P3", "D", 5)]
    with pytest.raises(Refused, match="101 TEU do not fit"):
        led.commit_assignments(over, shipments=ships, base_version=v, objective=1.5)
    assert led.version() == v and led.bookings() == []  # nothing half-applied
    ok = [_assignment("P1", "A", 60), _assignment("P2", "A", 40), _assignment("P3", "D", 5)]
    res = led.commit_assignments(
        ok, shipments=ships, base_version=v, who="planner", inputs_hash="abc", objective=10_500.10
    )
    assert res.version == v + 1 and len(res.booking_ids) == 3
    info = led.versions()[-1]
    assert (info.who, info.inputs_hash, info.objective_cents) == ("planner", "abc", 1_050_010)
    assert {b.price_cents for b in led.bookings()} == {600_000, 400_000, 50_000}
    with pytest.raises(StaleVersion) as e:
        led.commit_assignments(ok[2:], shipments=ships, base_version=v)
    assert (e.value.base, e.value.current) == (v, v + 1)
    # a re-plan: release P3's booking and cancel its train in the same transaction
    p3 = led.bookings(shipment_id="P3")[0].booking_id
    led.commit_assignments(
        [_assignment("P3", "C", 5)],
        shipments=ships,
        base_version=v + 1,
        release=[p3],
        cancel_departures=["D"],
    )
    assert led.departures(state="cancelled")[0].departure_id == "D"
    assert led.check() == []


def test_check_catches_damage(db_url: str) -> None:
    led = fresh(db_url)
    led.book(req("S1", "A", 10))
    b = led.book(req("S2", "C", 5))
    assert led.check() == []
    damage = [
        ("UPDATE departures SET used_teu = 3 WHERE departure_id = 'A'", "used_teu 3"),
        (
            f"UPDATE bookings SET containers = 7 WHERE booking_id = '{b.booking_id}'",
            "the log says 5",
        ),
        (
            "DELETE FROM events WHERE kind = 'booking_state' OR id = (SELECT MAX(id) FROM events)",
            "not in the log",
        ),
        ("UPDATE crossings SET trains = 0", "trains 0, 1 trains with bookings cross"),
        ("UPDATE ledger_meta SET version = 9", "expected 1..9"),
    ]
    for sql, expect in damage:
        with led.engine.begin() as c:
            c.execute(text(sql))
        errs = led.check()
        assert any(expect in e for e in errs), (sql, errs)


def test_status_now_and_replayed_at_a_date(db_url: str) -> None:
    led = fresh(db_url)
    led.book(req("S1", "A", 30))
    led.book(req("S2", "A", 10, held=True))
    st = led.status()
    a = next(u for u in st.trains if u.departure_id == "A")
    assert (a.confirmed_teu, a.held_teu, a.capacity_teu - a.teu) == (30, 10, 60)
    assert st.bookings == {"confirmed": 1, "held": 1}
    later = led.status(at=dt.date.today() + dt.timedelta(days=1))
    assert later.as_json()["trains"] == st.as_json()["trains"]
    assert later.as_json()["crossings"] == st.as_json()["crossings"]
    before = led.status(at=dt.date(2020, 1, 1))
    assert before.version == 0 and before.trains == ()


def test_register_is_idempotent_and_refuses_other_limits(db_url: str) -> None:
    led = fresh(db_url)
    v = led.version()
    a = dep("A", 0, border_port="erenhot", border_offset_days=2, max_gross_t=1000.0)
    assert led.register_departures([a]) == v
    with pytest.raises(Refused, match="registered with capacity_teu 100, not 90"):
        led.register_departures([dataclasses.replace(a, capacity_teu=90)])
    assert led.version() == v
