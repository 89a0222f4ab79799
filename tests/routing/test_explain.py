"""``routing.explain``: one micro-instance per reason code and per resource kind, where only
that rule binds, with the exact saving asserted (computed by hand in each docstring).

Prices: 100 USD/TEU freight, 1,000 USD/TEU unassigned penalty (tests.factories), so carrying
one more 20GP (1 TEU) that would be left saves 900 USD."""

from __future__ import annotations

import datetime as dt

import pytest

from routing.explain import Explanation, explain
from tests.factories import dep, problem, ship, solve


def codes(ex: Explanation, sid: str, kind: str = "unassigned") -> dict[str, float]:
    return {f.code: f.saving_usd for f in ex.findings if f.shipment_id == sid and f.kind == kind}


def resource(ex: Explanation, kind: str) -> dict[str, float]:
    return {r.resource: r.saving_usd for r in ex.resources if r.kind == kind}


def test_train_full_teu() -> None:
    """4 TEU train, 6 x 20GP waiting: 2 left. +2 TEU carries both: 2 x 900 = 1,800; a second
    train of the service (no fixed cost) the same."""
    p = problem([ship("A", 3), ship("B", 3)], [dep("T1", capacity_teu=4)])
    ex = explain(solve(p))
    left = [f for f in ex.findings if f.kind == "unassigned"]
    assert {f.code for f in left} >= {"TRAIN_FULL_TEU"}
    assert sum(f.containers for f in left if f.code == "TRAIN_FULL_TEU") == 2
    assert all(f.exact for f in left)
    assert resource(ex, "TRAIN_TEU") == {"T1": 1800.0}
    assert resource(ex, "SERVICE_WEEK") == {"T1@2026-W49": 1800.0}
    assert ex.resources[0].exact


def test_train_full_tonnes() -> None:
    """25 t limit, 3 x 10 t: 2 ride, 1 left; +30.48 t carries it: 900."""
    p = problem([ship("A", 3)], [dep("T1", max_gross_t=25.0)])
    ex = explain(solve(p))
    assert codes(ex, "A") == {"TRAIN_FULL_TONNES": 900.0}
    assert resource(ex, "TRAIN_TONNES") == {"T1": 900.0}


def test_reefer_plugs_taken() -> None:
    """1 plug, 2 x 20RF of one shipment: 1 left; one more plug carries it: 900."""
    p = problem([ship("R", 2, container_type="20RF", gross_t=12.0)], [dep("T1", reefer_plugs=1)])
    ex = explain(solve(p))
    assert codes(ex, "R") == {"REEFER_PLUGS": 900.0}
    assert resource(ex, "TRAIN_PLUGS") == {"T1": 900.0}


def test_border_quota() -> None:
    """Two 4 TEU trains cross Alashankou the same day, quota 1: one runs, 2 TEU left; one more
    crossing runs the second train (fixed cost 100): 2 x 900 - 100 = 1,700."""
    kw = {"capacity_teu": 4, "border_port": "alashankou", "border_offset_days": 2}
    p = problem(
        [ship("A", 3), ship("B", 3)],
        [dep("T1", fixed_cost=100.0, **kw), dep("T2", fixed_cost=100.0, **kw)],
        quota={"alashankou": 1},
    )
    ex = explain(solve(p))
    left = {f.code for f in ex.findings if f.kind == "unassigned"}
    assert "BORDER_QUOTA" in left
    day = str(dt.date(2026, 12, 3))
    assert resource(ex, "BORDER_DAY") == {f"alashankou@{day}": 1700.0}


def test_min_load() -> None:
    """Minimum load 10 TEU, 3 TEU waiting: the train does not run. Dropping the minimum load
    carries all 3: 3 x 900 = 2,700. Lowering it by one 40 ft box (8 TEU) saves nothing, so no
    resource is listed."""
    p = problem([ship("A", 3)], [dep("T1", min_load_teu=10)])
    ex = explain(solve(p))
    assert codes(ex, "A") == {"MIN_LOAD": 2700.0}
    assert ex.resources == ()


def test_cheaper_unassigned() -> None:
    """Fixed cost 5,000 for 2 TEU worth 2,000 of penalty: left. Carrying it costs
    5,000 + 200 - 2,000 = 3,200 more."""
    p = problem([ship("A", 2)], [dep("T1", fixed_cost=5000.0)])
    ex = explain(solve(p))
    assert codes(ex, "A") == {"CHEAPER_UNASSIGNED": -3200.0}


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"avoid_countries": frozenset({"RU"})}, "AVOIDED_COUNTRY"),
        ({"dg_class": "3"}, "DANGEROUS_GOODS"),
        ({"ready_date": dt.date(2026, 12, 5)}, "NO_DEPARTURE_IN_WINDOW"),
        ({"container_type": "20RF", "gross_t": 12.0}, "REEFER_PLUGS"),
        ({"split": False, "containers": 5}, "LOT_TOO_LARGE"),
    ],
)
def test_eligibility(kw: dict[str, object], code: str) -> None:
    """One rule keeps the shipment off the only train; lifting it carries it, saving the
    penalty less the freight (5 x 20GP on a 4 TEU train for the lot: split, 4 x 900 = 3,600)."""
    n = int(kw.get("containers", 1))  # type: ignore[call-overload]
    args = {k: v for k, v in kw.items() if k != "containers"}
    p = problem([ship("X", n, **args)], [dep("T1", capacity_teu=4)])
    ex = explain(solve(p))
    assert codes(ex, "X") == {code: 3600.0 if n == 5 else 900.0}


def test_too_heavy() -> None:
    """A 5 t mass limit and a 10 t box: cut to what the train takes, it rides: 900."""
    p = problem([ship("X")], [dep("T1", max_gross_t=5.0)])
    assert codes(explain(solve(p)), "X") == {"TOO_HEAVY": 900.0}


def test_late_behind_a_minimum_load() -> None:
    """On time only on T1, idle: its minimum load (10 TEU) is out of reach and its fixed cost
    (5,000) above the lateness (4 days x 100 = 400). Neither rule alone gets X there on time;
    both together do, at 5,000 - 400 = 4,600 more."""
    p = problem(
        [ship("X", due_date=dt.date(2026, 12, 12)), ship("Y", 1, ready_date=dt.date(2026, 12, 5))],
        [dep("T1", 0, fixed_cost=5000.0, min_load_teu=10), dep("T2", 5)],
    )
    ex = explain(solve(p))
    assert codes(ex, "X", "late") == {"SEVERAL_RULES": -4600.0}
    (f,) = [f for f in ex.findings if f.shipment_id == "X"]
    assert f.detail.startswith("MIN_LOAD + CHEAPER_LATE together")


def test_no_route() -> None:
    p = problem([ship("X", destination="moscow")], [dep("T1")])
    ex = explain(solve(p))
    (f,) = ex.findings
    assert (f.code, f.exact, f.containers) == ("NO_ROUTE", True, 1)
    assert "zhongding" in f.detail and "moscow" in f.detail


def test_due_before_earliest_arrival() -> None:
    """Due day 5, the only train arrives day 10: late by re-computation, nothing re-solved."""
    p = problem([ship("X", due_date=dt.date(2026, 12, 6))], [dep("T1")])
    ex = explain(solve(p))
    assert codes(ex, "X", "late") == {"DUE_BEFORE_EARLIEST_ARRIVAL": 0.0}
    assert ex.resolves == 0


def test_cheaper_late() -> None:
    """On time only on T1 (fixed 5,000); T2 (no fixed cost) arrives 16 December, 4 days late
    at 100 USD/TEU/day = 400. On time costs 5,000 - 400 = 4,600 more."""
    p = problem(
        [ship("X", due_date=dt.date(2026, 12, 12)), ship("Y", 1, ready_date=dt.date(2026, 12, 5))],
        [dep("T1", 0, fixed_cost=5000.0), dep("T2", 5)],
    )
    ex = explain(solve(p))
    assert codes(ex, "X", "late") == {"CHEAPER_LATE": -4600.0}


def test_several_rules() -> None:
    """Avoids RU and is dangerous goods: neither rule alone carries it, both together do."""
    p = problem([ship("X", avoid_countries=frozenset({"RU"}), dg_class="3")], [dep("T1")])
    ex = explain(solve(p))
    assert codes(ex, "X") == {"SEVERAL_RULES": 900.0}


def test_top_limits_the_resources() -> None:
    """Three full trains, each with its own waiting shipment: --top 1 keeps the best one."""
    ships = [ship(f"S{i}", 2 + i, destination=d) for i, d in enumerate(("duisburg", "hamburg"))]
    deps = [dep("D1", capacity_teu=1), dep("D2", capacity_teu=1, destination="hamburg")]
    ex = explain(solve(problem(ships, deps)), top=1)
    assert len(ex.resources) == 1
    assert ex.resources[0].saving_usd == 1800.0


def test_bad_arguments() -> None:
    p = problem([ship("A")], [dep("T1")])
    plan = solve(p)
    with pytest.raises(ValueError, match="top"):
        explain(plan, top=-1)
    with pytest.raises(ValueError, match="time_limit"):
        explain(plan, time_limit=0)


def test_cheaper_late_for_a_booked_lot_counts_its_move_penalty() -> None:
    """X is booked on T2 (4 days late, 400) with a move penalty of 500 per container. On time
    on T1 costs its fixed cost 5,000 and the move, 500: 5,000 + 500 - 400 = 5,100 more."""
    p = problem(
        [
            ship(
                "X",
                due_date=dt.date(2026, 12, 12),
                booked_on="T2",
                move_penalty_per_container=500.0,
            ),
            ship("Y", 1, ready_date=dt.date(2026, 12, 5)),
        ],
        [dep("T1", 0, fixed_cost=5000.0), dep("T2", 5)],
    )
    ex = explain(solve(p))
    assert codes(ex, "X", "late") == {"CHEAPER_LATE": -5100.0}


def test_a_pinned_late_lot_is_pinned() -> None:
    p = problem(
        [ship("X", due_date=dt.date(2026, 12, 12), booked_on="T2", pinned=True)],
        [dep("T1", 0), dep("T2", 5)],
    )
    ex = explain(solve(p))
    assert codes(ex, "X", "late") == {"PINNED": 0.0}
    assert ex.resolves == 0
