"""One micro-instance per constraint family, where only that constraint binds; the exact
optimum is asserted, and every plan passes the independent checker (conftest.solve)."""

from __future__ import annotations

import datetime as dt

import pytest

from routing.domain.model import TruckLeg
from tests.factories import DAY, dep, problem, ship, solve


def test_cheapest_departure_wins_with_nothing_binding() -> None:
    p = problem([ship("S1", 3)], [dep("A", rate_per_teu=120.0), dep("B", rate_per_teu=100.0)])
    plan = solve(p)
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(300.0)
    assert [(a.departure_id, a.containers) for a in plan.assignments] == [("B", 3)]


def test_teu_capacity_pushes_overflow_to_the_dearer_train() -> None:
    # 5 x 40HC = 10 TEU; the cheap train takes 3 boxes (6 TEU, capacity 7), the rest goes dear
    s = ship("S1", 5, container_type="40HC", gross_t=20.0)
    p = problem(
        [s], [dep("CHEAP", capacity_teu=7, rate_per_teu=100.0), dep("DEAR", rate_per_teu=150.0)]
    )
    plan = solve(p)
    assert plan.objective == pytest.approx(3 * 2 * 100 + 2 * 2 * 150)
    assert {a.departure_id: a.containers for a in plan.assignments} == {"CHEAP": 3, "DEAR": 2}


def test_gross_tonne_limit() -> None:
    # 4 boxes of 20 t; the cheap train takes at most 50 t -> 2 boxes
    s = ship("S1", 4, gross_t=20.0)
    p = problem([s], [dep("CHEAP", max_gross_t=50.0), dep("DEAR", rate_per_teu=300.0)])
    plan = solve(p)
    assert {a.departure_id: a.containers for a in plan.assignments} == {"CHEAP": 2, "DEAR": 2}
    assert plan.objective == pytest.approx(2 * 100 + 2 * 300)


def test_reefer_plugs() -> None:
    s = ship("R1", 3, container_type="20RF", gross_t=15.0)
    p = problem(
        [s],
        [
            dep("ONE_PLUG", reefer_plugs=1),
            dep("NO_PLUGS"),
            dep("DEAR", rate_per_teu=500.0, reefer_plugs=5),
        ],
    )
    plan = solve(p)
    assert {a.departure_id: a.containers for a in plan.assignments} == {"ONE_PLUG": 1, "DEAR": 2}
    assert plan.objective == pytest.approx(100 + 2 * 500)


def test_minimum_load_cancels_a_thin_train() -> None:
    # 30 TEU cannot fill the cheap train's 40 TEU minimum: it is cancelled
    p = problem([ship("S1", 30)], [dep("CHEAP", min_load_teu=40), dep("DEAR", rate_per_teu=130.0)])
    plan = solve(p)
    assert plan.objective == pytest.approx(30 * 130)
    cheap = next(t for t in plan.trains if t.departure_id == "CHEAP")
    assert not cheap.runs and cheap.load_teu == 0


def test_minimum_load_met_by_consolidation() -> None:
    p = problem(
        [ship("S1", 25), ship("S2", 15)],
        [dep("CHEAP", min_load_teu=40), dep("DEAR", rate_per_teu=130.0)],
    )
    plan = solve(p)
    assert plan.objective == pytest.approx(40 * 100)


def test_fixed_cost_consolidates_onto_one_train() -> None:
    p = problem(
        [ship("S1", 10), ship("S2", 10, ready_date=DAY + dt.timedelta(days=1))],
        [dep("D0", fixed_cost=5000.0), dep("D1", day=1, fixed_cost=5000.0)],
        penalty=10_000.0,
    )
    plan = solve(p)
    # S1 can only take D0 (D1 later is fine for S1 too): both ride D1, one train runs
    assert plan.objective == pytest.approx(5000 + 20 * 100)
    assert sum(t.runs for t in plan.trains) == 1


def test_no_split_goes_whole_or_not_at_all() -> None:
    # 8 containers, split=false; A has room for 6 only, B (dearer) for all
    s = ship("S1", 8, split=False)
    p = problem([s], [dep("A", capacity_teu=6), dep("B", rate_per_teu=140.0)])
    plan = solve(p)
    assert [(a.departure_id, a.containers) for a in plan.assignments] == [("B", 8)]
    assert plan.objective == pytest.approx(8 * 140)


def test_no_split_too_big_for_any_train_is_unassigned_with_reason() -> None:
    s = ship("BIG", 8, split=False)
    p = problem([s], [dep("A", capacity_teu=6)], penalty=1000.0)
    plan = solve(p)
    assert plan.assignments == ()
    assert plan.unassigned[0].containers == 8
    assert "split=false" in plan.unassigned[0].reason
    assert plan.objective == pytest.approx(8 * 1000)
    assert plan.total_cost == 0


def test_border_quota_one_train_per_day() -> None:
    # two trains cross Erenhot on the same day (offset 2 and 1); quota 1: only one may run
    a = dep("A", border_port="erenhot", border_offset_days=2, capacity_teu=10)
    b = dep(
        "B", day=1, border_port="erenhot", border_offset_days=1, capacity_teu=10, rate_per_teu=120.0
    )
    p = problem([ship("S1", 15)], [a, b], quota={"erenhot": 1}, penalty=1000.0)
    plan = solve(p)
    assert sum(t.runs for t in plan.trains) == 1
    assert plan.objective == pytest.approx(10 * 100 + 5 * 1000)
    assert "border quota" in plan.unassigned[0].reason


def test_border_quota_by_date_overrides() -> None:
    a = dep("A", border_port="erenhot", border_offset_days=2, capacity_teu=10)
    b = dep(
        "B", day=1, border_port="erenhot", border_offset_days=1, capacity_teu=10, rate_per_teu=120.0
    )
    p = problem(
        [ship("S1", 15)],
        [a, b],
        quota={"erenhot": 1},
        quota_by_date={("erenhot", DAY + dt.timedelta(days=2)): 2},
    )
    plan = solve(p)
    assert plan.objective == pytest.approx(10 * 100 + 5 * 120)


def test_ready_date_excludes_earlier_departures() -> None:
    s = ship("S1", 2, ready_date=DAY + dt.timedelta(days=1))
    p = problem([s], [dep("EARLY"), dep("LATER", day=2, rate_per_teu=150.0)])
    plan = solve(p)
    assert plan.objective == pytest.approx(2 * 150)


def test_late_penalty_trades_off_against_rate() -> None:
    # due 11 days after DAY: the 10-day transit on day 0 arrives on time; day 3 is 2 days late
    s = ship("S1", 1, due_date=DAY + dt.timedelta(days=11), late_penalty_per_teu_day=40.0)
    p = problem([s], [dep("ON_TIME", rate_per_teu=170.0), dep("LATE", day=3, rate_per_teu=100.0)])
    plan = solve(p)
    assert plan.assignments[0].departure_id == "ON_TIME"  # 170 < 100 + 2 * 40
    assert plan.assignments[0].late_days == 0
    s2 = ship("S1", 1, due_date=DAY + dt.timedelta(days=11), late_penalty_per_teu_day=20.0)
    plan2 = solve(problem([s2], list(p.departures)))
    assert plan2.assignments[0].departure_id == "LATE" and plan2.assignments[0].late_days == 2
    assert plan2.objective == pytest.approx(100 + 2 * 20)


def test_avoided_countries() -> None:
    s = ship("S1", 1, avoid_countries=frozenset({"RU", "BY"}))
    caspian = dep("CASPIAN", rate_per_teu=400.0, countries=("CN", "KZ", "AZ", "GE", "TR", "DE"))
    p = problem([s], [dep("RUSSIA"), caspian])
    plan = solve(p)
    assert plan.assignments[0].departure_id == "CASPIAN"
    only_ru = solve(problem([s], [dep("RUSSIA")]))
    assert "avoided countries BY;RU exclude every route" in only_ru.unassigned[0].reason


def test_dangerous_goods() -> None:
    s = ship("DG", 1, dg_class="9")
    plan = solve(problem([s], [dep("NO_DG"), dep("DG_OK", dg_allowed=True, rate_per_teu=150.0)]))
    assert plan.assignments[0].departure_id == "DG_OK"


def test_drayage_and_last_mile_add_cost_and_days() -> None:
    # from Jiexiu by truck (1 day, 50/TEU) to Zhongding; last mile Duisburg -> Rotterdam (2 d, 80/TEU)
    legs = [
        TruckLeg(origin="jiexiu", destination="zhongding", cost_per_teu=50.0, days=1),
        TruckLeg(origin="duisburg", destination="rotterdam", cost_per_teu=80.0, days=2),
    ]
    s = ship(
        "S1", 2, origin="jiexiu", destination="rotterdam", due_date=DAY + dt.timedelta(days=12)
    )
    p = problem([s], [dep("SAME_DAY"), dep("NEXT_DAY", day=1)], legs=legs)
    plan = solve(p)
    a = plan.assignments[0]
    assert a.departure_id == "NEXT_DAY"  # the truck needs a day: the same-day train is gone
    assert a.truck_cost == pytest.approx(2 * (50 + 80))
    assert a.arrival_date == DAY + dt.timedelta(days=13) and a.late_days == 1
    assert plan.objective == pytest.approx(2 * 100 + 2 * 130 + 1 * 2 * 100)


def test_contract_rate_overrides_the_departure_rate() -> None:
    p = problem(
        [ship("S1", 2)], [dep("A"), dep("B", rate_per_teu=120.0)], rates={("S1", "B"): 90.0}
    )
    plan = solve(p)
    assert plan.assignments[0].departure_id == "B"
    assert plan.objective == pytest.approx(180.0)


def test_unassigned_when_cheaper_than_running_a_train() -> None:
    p = problem([ship("S1", 2)], [dep("A", fixed_cost=10_000.0)], penalty=1000.0)
    plan = solve(p)
    assert plan.objective == pytest.approx(2000.0)
    assert "not run" in plan.unassigned[0].reason


def test_no_departure_after_ready_date_reason() -> None:
    s = ship("S1", 1, ready_date=DAY + dt.timedelta(days=5))
    plan = solve(problem([s], [dep("A")]))
    assert "on or after the ready date" in plan.unassigned[0].reason


def test_no_corridor_reason() -> None:
    s = ship("S1", 1, destination="moscow")
    plan = solve(problem([s], [dep("A")]))
    assert "no departure from zhongding to moscow" in plan.unassigned[0].reason
