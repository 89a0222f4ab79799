"""Re-planning with minimal change on micro-instances: the move penalty, pinned bookings,
each event, and what moved; every exact objective asserted and every plan checked."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

import network
from routing.api import replan
from routing.domain.check import check
from routing.domain.replan import (
    CancelShipment,
    CancelTrain,
    ClosePort,
    DelayTrain,
    EventError,
    MoveDue,
    SetQuota,
    apply_events,
    changes,
    lot_id,
    reach_day,
)
from tests.factories import DAY, dep, problem, ship


def lot(sid: str, did: str, n: int, *, penalty: float = 500.0, pinned: bool = False, **kw: object):  # type: ignore[no-untyped-def]
    return ship(
        lot_id(sid, did), n, booked_on=did, pinned=pinned, move_penalty_per_container=penalty, **kw
    )


def test_a_booked_lot_stays_when_moving_saves_less_than_the_penalty(net: network.Network) -> None:
    # moving 3 boxes to B saves 3 x 50 = 150 < 3 x 500: they stay on A
    p = problem([lot("S1", "A", 3)], [dep("A", rate_per_teu=150.0), dep("B", rate_per_teu=100.0)])
    r = replan(p, [], net, time_limit=5)
    assert {a.departure_id: a.containers for a in r.plan.assignments} == {"A": 3}
    assert r.plan.objective == pytest.approx(450.0)
    assert r.containers_moved == 0 and check(r.plan) == []


def test_with_no_penalty_the_lot_moves_to_the_cheaper_train(net: network.Network) -> None:
    p = problem(
        [lot("S1", "A", 3, penalty=0.0)],
        [dep("A", rate_per_teu=150.0), dep("B", rate_per_teu=100.0)],
    )
    r = replan(p, [], net, time_limit=5)
    assert {a.departure_id: a.containers for a in r.plan.assignments} == {"B": 3}
    assert r.plan.objective == pytest.approx(300.0)
    assert [(c.from_departure, c.to_departure, c.containers) for c in r.changes] == [("A", "B", 3)]


def test_a_cancelled_train_moves_its_lot_and_the_penalty_is_paid(net: network.Network) -> None:
    p = problem([lot("S1", "A", 3)], [dep("A"), dep("B", rate_per_teu=120.0)])
    r = replan(p, [CancelTrain("A")], net, time_limit=5)
    assert {a.departure_id: a.containers for a in r.plan.assignments} == {"B": 3}
    assert r.plan.objective == pytest.approx(3 * 120 + 3 * 500)
    assert r.plan.summary["cost"]["move_penalty"] == pytest.approx(1500)
    assert r.plan.summary["containers_moved"] == 3 and r.shipments_moved == 1
    assert [(c.shipment_id, c.reason) for c in r.changes] == [("S1", "train cancelled")]
    assert check(r.plan) == []


def test_a_container_sent_to_the_unassigned_list_counts_as_moved(net: network.Network) -> None:
    p = problem([lot("S1", "A", 3)], [dep("A"), dep("B", capacity_teu=1)], penalty=1000.0)
    r = replan(p, [CancelTrain("A")], net, time_limit=5)
    assert {a.departure_id: a.containers for a in r.plan.assignments} == {"B": 1}
    assert r.plan.objective == pytest.approx(100 + 2 * 1000 + 3 * 500)
    assert sorted((c.to_departure, c.containers) for c in r.changes) == [("", 2), ("B", 1)]


def test_new_shipments_fill_around_the_booked_ones(net: network.Network) -> None:
    # A holds 10 TEU, 6 booked; a new 5-box shipment takes the 4 left on A and 1 on dear B
    p = problem(
        [lot("S1", "A", 6), ship("N1", 5)],
        [dep("A", capacity_teu=10), dep("B", rate_per_teu=300.0)],
    )
    r = replan(p, [], net, time_limit=5)
    got = sorted((a.shipment_id, a.departure_id, a.containers) for a in r.plan.assignments)
    assert got == [("N1", "A", 4), ("N1", "B", 1), ("S1@A", "A", 6)]
    assert r.containers_moved == 0 and check(r.plan) == []


def test_a_pinned_booking_never_moves_and_its_train_cannot_be_cancelled(
    net: network.Network,
) -> None:
    p = problem(
        [lot("S1", "A", 2, pinned=True, penalty=0.0)],
        [dep("A", rate_per_teu=900.0), dep("B", rate_per_teu=100.0)],
    )
    r = replan(p, [], net, time_limit=5)
    assert {a.departure_id: a.containers for a in r.plan.assignments} == {"A": 2}
    with pytest.raises(EventError) as e:
        replan(p, [CancelTrain("A")], net, time_limit=5)
    assert e.value.problems == [
        "booking S1@A is pinned to train cancelled departure A: unpin it or pass --unpin-affected"
    ]
    r = replan(p, [CancelTrain("A")], net, unpin_affected=True, time_limit=5)
    assert {a.departure_id: a.containers for a in r.plan.assignments} == {"B": 2}


def test_a_departed_train_is_frozen(net: network.Network) -> None:
    p = problem([lot("S1", "A", 2, penalty=0.0)], [dep("A", rate_per_teu=900.0), dep("B", 1)])
    now = DAY + dt.timedelta(days=1)
    with pytest.raises(EventError) as e:
        apply_events(p, [CancelTrain("A"), DelayTrain("A", 2)], net, now=now)
    assert len(e.value.problems) == 2 and all("frozen" in m for m in e.value.problems)
    r = replan(p, [], net, now=now, time_limit=5)  # its booking is pinned now
    assert {a.departure_id: a.containers for a in r.plan.assignments} == {"A": 2}


def test_bad_events_are_one_line_each(net: network.Network) -> None:
    p = problem([lot("S1", "A", 2)], [dep("A")])
    with pytest.raises(EventError) as e:
        apply_events(
            p,
            [
                CancelTrain("NOPE"),
                MoveDue("GHOST", DAY),
                CancelShipment("GHOST"),
                ClosePort("atlantis", DAY, DAY),
                SetQuota("moscow", DAY, 1),
            ],
            net,
        )
    assert e.value.problems == [
        "--cancel-train NOPE: unknown departure",
        "--due GHOST: unknown shipment",
        "--cancel-shipment GHOST: unknown shipment",
        "--close-port atlantis: unknown place",
        "--quota moscow: expected a border port of the network",
    ]


def test_closing_a_foreign_border_removes_the_trains_that_reach_it_then(
    net: network.Network,
) -> None:
    deps = net.departures(dt.date(2026, 12, 1), 14, scope="shanxi")
    via_brest = [d for d in deps if "brest" in d.route]
    assert via_brest, "the Shanxi timetable has trains through Brest"
    d0 = via_brest[0]
    day = reach_day(net, d0, "brest")
    assert day is not None and d0.depart_date < day <= d0.arrival_date
    p = dataclasses.replace(problem([], deps), quota={})
    rp = apply_events(p, [ClosePort("brest", day, day)], net)
    assert d0.departure_id in rp.removed
    assert all(reach_day(net, d, "brest") == day for d in deps if d.departure_id in rp.removed)


def test_due_date_and_cancelled_shipment_apply_to_every_lot(net: network.Network) -> None:
    p = problem([lot("S1", "A", 1), lot("S1", "B", 1), lot("S2", "A", 1)], [dep("A"), dep("B")])
    rp = apply_events(p, [MoveDue("S1", DAY + dt.timedelta(days=20)), CancelShipment("S2")], net)
    assert [(s.shipment_id, s.due_date) for s in rp.problem.shipments] == [
        ("S1@A", DAY + dt.timedelta(days=20)),
        ("S1@B", DAY + dt.timedelta(days=20)),
    ]


def test_changes_pair_losses_with_gains() -> None:
    before = {("S", "A"): 5, ("S", "B"): 1}
    after = {("S", "B"): 3, ("S", "C"): 1}
    got = [(c.from_departure, c.to_departure, c.containers) for c in changes(before, after, {})]
    assert got == [("A", "B", 2), ("A", "C", 1), ("A", "", 2)]
