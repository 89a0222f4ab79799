"""The relax-fix-round heuristic's rounding and repair on micro-instances with known answers."""

from __future__ import annotations

import math

from routing.domain.model import Problem
from routing.domain.options import build_options
from routing.optimise import cpsat, highs
from routing.optimise.branching import branch_and_bound
from routing.optimise.build import Model
from routing.optimise.cuts import interval_cuts, strengthen
from routing.optimise.flips import flip_runs
from routing.optimise.lns import lns
from routing.optimise.mathopt import mathopt_model
from routing.optimise.params import DEFAULT, Deadline
from routing.optimise.relax_fix_round import lp_heuristic
from routing.optimise.relaxation import Relaxation
from routing.optimise.rounding import round_and_repair
from routing.optimise.submip import SubMip
from tests.factories import dep, problem, ship, solve


def _model(p: Problem) -> Model:
    return Model(p, build_options(p))


def test_ejection_makes_room_for_a_no_split_lot() -> None:
    """Train A (2 TEU) holds X's box; Y's two boxes (no split) can only ride A. Moving X to
    train B (10 USD/TEU dearer) makes room, far cheaper than leaving Y unassigned."""
    p = problem(
        [
            ship("X", 1),
            ship("Y", 2, split=False, ready_date=dep("_", day=1).depart_date),
        ],
        [dep("B", day=0, capacity_teu=10, rate_per_teu=110.0), dep("A", day=1, capacity_teu=2)],
    )
    b = _model(p)
    x_on_a = b.x[(0, 1)]
    lp = [0.0] * len(b.mx.lb)
    lp[x_on_a] = 1.0  # the rounding kept X on A and dropped Y's fractional share
    vals = round_and_repair(b, lp, {0, 1})
    assert b.mx.feasible(vals)
    assert vals[b.x[(0, 0)]] == 1.0 and vals[x_on_a] == 0.0  # X moved to B
    assert vals[b.x[(1, 1)]] == 1.0  # Y (whole) on A
    assert vals[b.u[0]] == 0.0 and vals[b.u[1]] == 0.0


def test_train_below_minimum_load_is_rescued_from_leftovers_or_cancelled() -> None:
    """Rounding down leaves train A one box short of its minimum load: the leftover box goes
    back. With no box to take, the train is cancelled and its load placed elsewhere."""
    ships = [ship("S", 3)]
    p = problem(ships, [dep("A", min_load_teu=3), dep("B", day=1, rate_per_teu=150.0)])
    b = _model(p)
    lp = [0.0] * len(b.mx.lb)
    lp[b.x[(0, 0)]] = 2.6
    vals = round_and_repair(b, lp, {0, 1})
    assert vals[b.x[(0, 0)]] == 3.0 and vals[b.run[0]] == 1.0
    p2 = problem([ship("S", 2)], [dep("A", min_load_teu=3), dep("B", day=1, rate_per_teu=150.0)])
    b2 = _model(p2)
    lp2 = [0.0] * len(b2.mx.lb)
    lp2[b2.x[(0, 0)]] = 2.0
    vals2 = round_and_repair(b2, lp2, {0, 1})
    assert b2.mx.feasible(vals2)
    assert vals2[b2.run[0]] == 0.0 and vals2[b2.x[(0, 1)]] == 2.0


def test_heuristic_bound_is_the_relaxation_and_plan_is_feasible() -> None:
    p = problem(
        [ship(f"S{i}", 3) for i in range(5)],
        [dep(f"T{d}", day=d, capacity_teu=8, fixed_cost=500.0, min_load_teu=4) for d in range(3)],
    )
    b = _model(p)
    vals, bound = lp_heuristic(b, 10.0)
    assert vals is not None and b.mx.feasible(vals)
    assert bound <= b.mx.cost_of(vals) + 1e-6


def test_ejection_to_the_unassigned_list_when_that_is_cheaper() -> None:
    """No other train: leaving X's one box unassigned to carry Y's two (no split) costs one
    penalty instead of two."""
    p = problem([ship("X", 1), ship("Y", 2, split=False)], [dep("A", capacity_teu=2)])
    b = _model(p)
    lp = [0.0] * len(b.mx.lb)
    lp[b.x[(0, 0)]] = 1.0
    vals = round_and_repair(b, lp, {0})
    assert b.mx.feasible(vals)
    assert vals[b.x[(1, 0)]] == 1.0 and vals[b.u[1]] == 0.0
    assert vals[b.x[(0, 0)]] == 0.0 and vals[b.u[0]] == 1.0


def test_interval_cut_lifts_the_relaxation_to_whole_trains() -> None:
    """21 TEU for trains of 10 TEU: the relaxation runs 2.1 trains (4,200 USD); the interval
    cut (rounding of 10 Y + W >= 21 to Y + W >= 3) makes it run three, the optimum (5,100)."""
    deps = [dep(f"T{d}", day=d, capacity_teu=10, fixed_cost=1000.0) for d in range(3)]
    p = problem([ship("S", 21)], deps, penalty=10_000.0)
    b = _model(p)
    rx = Relaxation(mathopt_model(b.mx, integer=False))
    lp = rx.solve(10.0)
    assert lp is not None and abs(b.mx.cost_of(lp) - 4200) < 1e-6
    cuts = interval_cuts(b, lp, 10)
    assert cuts and cuts[0][:2] == (3.0, math.inf)  # 1 * Y + W >= 1 * ceil(21 / 10)
    lifted = strengthen(b, rx, lp, Deadline(10))
    assert abs(b.mx.cost_of(lifted) - 5100) < 1e-6
    assert abs(solve(p).objective - 5100) < 1e-6  # the cut is valid: the optimum meets it


def _cut_relaxation() -> tuple[Model, Relaxation]:
    """The 21-TEU case below in a relaxation (HiGHS, kept), with its interval cuts added."""
    deps = [dep(f"T{d}", day=d, capacity_teu=10, fixed_cost=1000.0) for d in range(3)]
    b = _model(problem([ship("S", 21)], deps, penalty=10_000.0))
    rx = Relaxation(mathopt_model(b.mx, integer=False))
    lp = rx.solve(10.0)
    assert lp is not None
    rx.add_rows(interval_cuts(b, lp, 10))
    return b, rx


def test_relaxation_survives_its_solver_failing() -> None:
    """If the kept HiGHS instance gives up (GLOP, used before, did, with ABNORMAL), the
    relaxation is rebuilt as it stands (bounds and added rows kept) and, once that keeps
    failing, solved by HiGHS afresh through MathOpt: same optimum."""
    b, rx = _cut_relaxation()
    rx.fix(b.run[0], 1.0)

    def fail(time_limit: float) -> list[float] | None:
        raise RuntimeError("ABNORMAL")

    rx._solve = fail  # type: ignore[method-assign]
    rx.restarts = DEFAULT.lp_restarts  # no restart left: HiGHS afresh
    got = rx.solve(10.0)
    assert got is not None and rx.solver is None
    assert abs(b.mx.cost_of(got) - 5100) < 1e-6 and got[b.run[0]] == 1.0


def test_relaxation_rebuilds_its_solver_after_one_failure() -> None:
    b, rx = _cut_relaxation()
    real, calls = rx._solve, []

    def once(time_limit: float) -> list[float] | None:
        calls.append(time_limit)
        if len(calls) == 1:
            raise RuntimeError("ABNORMAL")
        return real(time_limit)

    rx._solve = once  # type: ignore[method-assign]
    got = rx.solve(10.0)
    assert got is not None and rx.solver is not None and rx.restarts == 1
    assert abs(b.mx.cost_of(got) - 5100) < 1e-6  # the rebuilt instance has the cut rows
    rx.drop_added()  # and removes them as before
    assert abs(b.mx.cost_of(rx.solve(10.0) or []) - 4200) < 1e-6


def _lns_case() -> tuple[Model, list[float], list[float]]:
    """Eight trains over eight days with fixed costs and minimum loads, twelve shipments;
    the plan that leaves every container unassigned, and the MIP's optimum (HiGHS)."""
    p = problem(
        [ship(f"S{i}", 2 + i % 3, ready_date=dep("_", day=i % 6).depart_date) for i in range(12)],
        [
            dep(f"T{d}", day=d, capacity_teu=8, fixed_cost=400.0 + 50 * d, min_load_teu=4)
            for d in range(8)
        ],
    )
    b = _model(p)
    start = [0.0] * len(b.mx.lb)
    for k, j in b.u.items():
        start[j] = float(b.classes[k].containers)
    assert b.mx.feasible(start)
    r = highs.solve(b.mx, None, 30.0)
    status, vals = r.status, r.values
    assert status == "optimal" and vals is not None
    return b, start, vals


def test_sub_mip_moves_only_the_free_columns_and_all_free_is_the_whole_mip() -> None:
    b, start, best = _lns_case()
    optimum = b.mx.cost_of(best)
    sub = SubMip(b.mx)
    whole = sub.solve(range(len(start)), start, 30.0)
    assert whole.reason == "optimal" and whole.values is not None
    assert math.isclose(b.mx.cost_of(whole.values), optimum, rel_tol=1e-9)
    t0 = b.trains_by_date[0]
    free = [b.run[t0], *b.by_train[t0], *b.u.values()]
    part = sub.solve(free, start, 30.0)
    assert part.values is not None and b.mx.feasible([round(v) for v in part.values])
    assert all(part.values[j] == start[j] for j in range(len(start)) if j not in set(free))
    assert part.values[b.run[t0]] == 1.0  # the first train now runs, loaded
    assert b.mx.cost_of(part.values) < b.mx.cost_of(start)
    # around the optimum, with the other trains' loads fixed: the optimum again
    t1 = b.trains_by_date[1]
    again = sub.solve([b.run[t1], *b.by_train[t1], *b.u.values()], [round(v) for v in best], 30.0)
    assert again.values is not None and b.mx.feasible([round(v) for v in again.values])
    assert math.isclose(b.mx.cost_of(again.values), optimum, rel_tol=1e-9)


def test_lns_from_an_empty_plan_reaches_the_optimum_with_a_window_of_all_trains() -> None:
    b, start, best = _lns_case()
    optimum = b.mx.cost_of(best)
    vals = lns(b, start, Deadline(30.0), window=len(b.run))
    assert b.mx.feasible(vals) and math.isclose(b.mx.cost_of(vals), optimum, rel_tol=1e-9)
    narrow = lns(b, start, Deadline(30.0), window=2)
    assert b.mx.feasible(narrow)
    assert optimum - 1e-6 <= b.mx.cost_of(narrow) < b.mx.cost_of(start)


def test_lns_reopens_windows_linked_by_a_border_quota() -> None:
    """Erenhot takes one train a day. Z (day 0, at the border on day 9) and A (day 8, at the
    border on day 9) are far apart by date, so in different windows; the plan runs the dear A
    with S1, which blocks Z and leaves S2 unassigned. Moving S1 to A2 frees the quota for Z,
    a window away: the search must look at Z's window again to reach the optimum."""
    day = lambda d: dep("_", day=d).depart_date  # noqa: E731
    p = problem(
        [
            ship("S1", 3, ready_date=day(8)),
            ship("S2", 3, destination="hamburg"),
            ship("S3", 1, destination="mm"),
            ship("S4", 1, destination="pp"),
        ],
        [
            dep(
                "Z",
                destination="hamburg",
                border_port="erenhot",
                border_offset_days=9,
                fixed_cost=100.0,
                capacity_teu=10,
            ),
            dep("M", day=1, destination="mm", capacity_teu=10),
            dep("P", day=5, destination="pp", capacity_teu=10),
            dep(
                "A",
                day=8,
                border_port="erenhot",
                border_offset_days=1,
                fixed_cost=1000.0,
                capacity_teu=10,
            ),
            dep("A2", day=8, fixed_cost=100.0, capacity_teu=10),
        ],
        quota={"erenhot": 1},
    )
    b = _model(p)
    assert b.quotas
    start = [0.0] * len(b.mx.lb)
    for k, j in b.u.items():
        start[j] = float(b.classes[k].containers)
    k1 = next(k for k, c in enumerate(b.classes) if c.shipments == [0])
    start[b.run[3]], start[b.x[(k1, 3)]], start[b.u[k1]] = 1.0, 3.0, 0.0
    assert b.mx.feasible(start)
    r = highs.solve(b.mx, None, 30.0)
    status, best = r.status, r.values
    assert status == "optimal" and best is not None
    vals = lns(b, start, Deadline(30.0), window=2)
    assert b.mx.feasible(vals)
    assert math.isclose(b.mx.cost_of(vals), b.mx.cost_of(best), rel_tol=1e-9)


def test_run_flips_end_at_a_set_of_trains_no_single_switch_improves() -> None:
    """From every train running, switching trains on or off one at a time (each set priced by
    the relaxation with its trains fixed) ends where no single switch is cheaper, below where
    it started, and leaves the trains free again."""
    b, _start, best = _lns_case()
    rx = Relaxation(mathopt_model(b.mx, integer=False))

    def price(trains: frozenset[int]) -> float:
        for t, j in b.run.items():
            rx.fix(j, float(t in trains))
        vals = rx.solve(10.0)
        for j in b.run.values():
            rx.fix(j, 0.0, 1.0)
        return b.mx.cost_of(vals) if vals is not None else math.inf

    everyone = frozenset(b.run)
    half = [0.5] * len(b.mx.lb)  # every train in doubt
    found = flip_runs(b, rx, everyone, half, Deadline(30))
    assert found is not None
    trains, vals = found
    assert all(rx.lb[j] == 0.0 and rx.ub[j] == 1.0 for j in b.run.values())
    value = b.mx.cost_of(vals)
    assert abs(value - price(trains)) < 1e-6
    assert value < price(everyone) - 1e-6
    for t in b.run:
        assert price(trains ^ {t}) >= value - 1e-6
    best_trains = frozenset(t for t, j in b.run.items() if best[j] > 0.5)
    assert price(best_trains) <= b.mx.cost_of(best) + 1e-6  # the price is a relaxation's


def test_cp_sat_model_written_from_arrays_reaches_highs_optimum() -> None:
    """CP-SAT's model is written straight into its proto (equalities, one-sided rows, the
    no-split at-most-one rows, a hint): on the eight-train case it proves the optimum HiGHS
    proves, from the all-unassigned hint, and its plan keeps every row."""
    b, start, best = _lns_case()
    assert any(lb == -math.inf for lb, _ub, _i, _c in b.mx.rows)  # one-sided rows present
    assert any(ub == math.inf for _lb, ub, _i, _c in b.mx.rows)
    r = cpsat.solve(b.mx, start, 30.0)
    status, vals, bound = r.status, r.values, r.bound
    assert status == "optimal" and vals is not None
    assert b.mx.feasible(vals)
    assert abs(b.mx.cost_of(vals) - b.mx.cost_of(best)) < 1e-6
    assert abs(bound - b.mx.cost_of(best)) < 1e-6


def test_branching_on_trains_closes_the_gap_the_relaxation_leaves() -> None:
    """The eight-train case: the relaxation runs a train at one half (6,075 against the
    optimum 6,300). Branching on the trains, from a relaxation left with every train fixed
    on (it must free them first, else its bound is that set's price, not a bound), proves
    6,300 within a looser plan's cost, and its cheapest leaf runs trains whose relaxation
    is the optimum; given the optimum itself as the plan, it proves it and has no leaf
    below it. The trains are free again afterwards."""
    b, _start, best = _lns_case()
    optimum = b.mx.cost_of(best)
    rx = Relaxation(mathopt_model(b.mx, integer=False))
    lp = rx.solve(10.0)
    assert lp is not None and b.mx.cost_of(lp) < optimum - 100
    for j in b.run.values():
        rx.fix(j, 1.0)
    low, leaf = branch_and_bound(b, rx, optimum + 1000, Deadline(30))
    assert math.isclose(low, optimum, rel_tol=1e-9)
    assert leaf is not None and math.isclose(b.mx.cost_of(leaf[1]), optimum, rel_tol=1e-9)
    assert all(leaf[1][b.run[t]] == (1.0 if t in leaf[0] else 0.0) for t in b.run)
    assert all(rx.lb[j] == 0.0 and rx.ub[j] == 1.0 for j in b.run.values())
    low, leaf = branch_and_bound(b, rx, optimum, Deadline(30))
    assert math.isclose(low, optimum, rel_tol=1e-9) and leaf is None
    # out of time at once: no bound claimed
    assert branch_and_bound(b, rx, optimum, Deadline(-1))[0] == -math.inf


def test_slack_cuts_leave_the_relaxation_and_its_optimum_stays() -> None:
    """Of the rows added, those the optimum keeps with room to spare go (here a row no plan
    can touch, at most 4 of 3 trains run); the binding interval cut stays, and the
    relaxation solved again has the same optimum (5,100, three whole trains)."""
    b, rx = _cut_relaxation()
    runs = [b.run[t] for t in b.run]
    rx.add_rows([(-math.inf, 4.0, runs, [1.0] * len(runs))])
    lp = rx.solve(10.0)
    assert lp is not None and abs(b.mx.cost_of(lp) - 5100) < 1e-6
    kept = [r for r in rx.added if r[1] != 4.0]
    rx.drop_slack(lp)
    assert rx.added == kept and len(kept) >= 1
    again = rx.solve(10.0)
    assert again is not None and abs(b.mx.cost_of(again) - 5100) < 1e-6
    rx.drop_added()
    assert abs(b.mx.cost_of(rx.solve(10.0) or []) - 4200) < 1e-6


def test_rounding_joins_the_room_split_over_two_trains_for_a_40ft_box() -> None:
    """A and B (3 TEU each) are full in the relaxation, which puts half of Y's 40 ft box on
    each beside X's two 20 ft boxes (A) and W's (B, which W is ready for). Rounded down, each
    has 1 TEU free, and the box alone would go to C a month later (300 USD/TEU dearer).
    Moving one of X's boxes from A to B makes room on A: every box rides A or B."""
    late = dep("_", day=1).depart_date
    p = problem(
        [
            ship("X", 2),
            ship("W", 2, ready_date=late),
            ship("Y", 1, container_type="40GP", gross_t=20.0),
        ],
        [
            dep("A", day=0, capacity_teu=3),
            dep("B", day=1, capacity_teu=3),
            dep("C", day=30, capacity_teu=10, rate_per_teu=400.0),
        ],
    )
    b = _model(p)
    k = {c.shipments[0]: i for i, c in enumerate(b.classes)}  # shipment -> class
    x, w, y = k[0], k[1], k[2]
    lp = [0.0] * len(b.mx.lb)
    lp[b.x[(x, 0)]] = 2.0
    lp[b.x[(y, 0)]] = 0.5
    lp[b.x[(w, 1)]] = 2.0
    lp[b.x[(y, 1)]] = 0.5
    for t in (0, 1):
        lp[b.run[t]] = 1.0
    vals = round_and_repair(b, lp, {0, 1, 2})
    assert b.mx.feasible(vals)
    assert all(vals[j] == 0.0 for c in (x, w, y) if (j := b.x.get((c, 2))) is not None)
    assert vals[b.x[(y, 0)]] + vals[b.x[(y, 1)]] == 1.0  # Y on A or B
    assert vals[b.x[(x, 0)]] + vals[b.x[(x, 1)]] == 2.0
    assert all(vals[b.u[c]] == 0.0 for c in (x, w, y))
    assert b.mx.cost_of(vals) < b.mx.cost_of(lp) + 100  # within a box's price difference
