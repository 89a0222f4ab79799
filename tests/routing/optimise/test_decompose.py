"""The decomposition on its own: the parts it finds, the border quotas coordinated by merging
parts, and the repair when time runs out with a quota still broken."""

from __future__ import annotations

import pytest

from routing.domain.costs import cost_breakdown
from routing.domain.model import Problem
from routing.domain.options import build_options
from routing.domain.solution import Solution
from routing.optimise.decompose import (
    _cheapest_repair,
    _combine,
    _crossings,
    _Done,
    _repair,
    _restrict,
    _sub_problem,
    _UnionFind,
    parts,
    solve_decomposed,
    sub_options,
)
from routing.optimise.greedy import greedy
from routing.optimise.solver import SolveResult
from tests.factories import DAY, dep, problem, ship


def _two_corridors(quota: int | None) -> Problem:
    """Two corridors (zhongding and xian to duisburg) that share no shipment, every train
    crossing port P on its departure day. Alone each runs its cheap day-0 train (100 USD/TEU);
    with one train a day through P, corridor 2 moves to its day-1 train (120 against 130 for
    corridor 1), each train 10 USD to run: the optimum is 5 x 100 + 5 x 120 + 20 = 1,120."""
    via = {"border_port": "P", "border_offset_days": 0, "fixed_cost": 10.0}
    deps = [
        dep("A0", day=0, **via),
        dep("A1", day=1, rate_per_teu=130.0, **via),
        dep("B0", day=0, origin="xian", **via),
        dep("B1", day=1, origin="xian", rate_per_teu=120.0, **via),
    ]
    ships = [ship("S1", 5), ship("S2", 5, origin="xian")]
    return problem(ships, deps, quota={"P": quota} if quota is not None else {})


def test_parts_are_the_corridors_joined_by_shipments() -> None:
    p = _two_corridors(quota=None)
    opts = build_options(p)
    found = parts(p, opts, _UnionFind(len(p.departures)))
    assert [(q.departures, q.shipments, q.options) for q in found] == [
        ((0, 1), (0,), 2),
        ((2, 3), (1,), 2),
    ]
    # a shipment that can ride both corridors (a truck leg from xian) joins them
    uf = _UnionFind(len(p.departures))
    uf.union(0, 2)  # as a merge for a broken quota does
    assert [q.departures for q in parts(p, opts, uf)] == [(0, 1, 2, 3)]


def test_without_the_quota_the_parts_stay_apart_and_each_runs_day_zero() -> None:
    p = _two_corridors(quota=None)
    opts = build_options(p)
    res, n_parts = solve_decomposed(p, opts, time_limit=10)
    assert n_parts == 2 and res.status == "optimal"
    assert res.solution is not None and res.solution.runs == frozenset({0, 2})
    assert cost_breakdown(p, opts, res.solution)["objective"] == pytest.approx(1020.0)


def test_a_quota_the_combined_plan_breaks_merges_the_parts_to_the_exact_optimum() -> None:
    p = _two_corridors(quota=1)
    opts = build_options(p)
    # the parts alone break it: two trains through P on day 0
    assert _crossings(p, frozenset({0, 2})) == [("P", DAY, [0, 2])]
    res, n_parts = solve_decomposed(p, opts, time_limit=10)
    assert n_parts == 1  # merged with the quota
    assert res.status == "optimal"
    assert res.solution is not None and res.solution.runs == frozenset({0, 3})
    assert cost_breakdown(p, opts, res.solution)["objective"] == pytest.approx(1120.0)
    assert res.bound == pytest.approx(1120.0, rel=1e-6)
    assert _crossings(p, res.solution.runs) == []


def test_repair_cancels_the_lightest_trains_over_the_quota() -> None:
    p = _two_corridors(quota=1)
    p = problem([ship("S1", 5), ship("S2", 3, origin="xian")], list(p.departures), quota=p.quota)
    opts = build_options(p)
    on = {(opts.options[o].s, opts.options[o].t): o for o in range(len(opts.options))}
    sol = Solution({on[(0, 0)]: 5, on[(1, 2)]: 3}, frozenset({0, 2}))
    fixed = _repair(p, opts, sol, _crossings(p, sol.runs))
    assert fixed.runs == frozenset({0})  # B0 (3 TEU) goes, A0 (5 TEU) stays
    assert fixed.counts == {on[(0, 0)]: 5}
    assert _crossings(p, fixed.runs) == []


def test_out_of_time_a_part_goes_back_to_its_warm_start_rather_than_lose_containers() -> None:
    """Both corridors alone run their day-0 train, which breaks the quota of one train a day
    through P. Cancelling the lighter train (B0) leaves S2's 3 TEU unassigned; putting
    corridor B back on its warm start (the greedy plan: S2 on B1, 120 USD/TEU) keeps every
    container and costs 3 x 20 USD more than the broken plan: the repair chosen."""
    p = _two_corridors(quota=1)
    p = problem([ship("S1", 5), ship("S2", 3, origin="xian")], list(p.departures), quota=p.quota)
    opts = build_options(p)
    ps = parts(p, opts, _UnionFind(len(p.departures)))
    base = greedy(p, opts)
    assert _crossings(p, base.runs) == []
    cache = {}
    for part in ps:
        sub, sub_opts = _sub_problem(p, part), sub_options(opts, part)
        day0 = Solution({0: sub.shipments[0].containers}, frozenset({0}))
        res = SolveResult(day0, "optimal", cost_breakdown(sub, sub_opts, day0)["objective"], 0, 0)
        cache[part.departures] = _Done(
            res, sub, sub_opts, part, _restrict(base, opts, sub_opts, part)
        )
    broken = _combine(p, opts, ps, cache)[0]
    violations = _crossings(p, broken.runs)
    assert violations
    cancelled = _repair(p, opts, broken, violations)
    fixed = _cheapest_repair(p, opts, ps, cache, broken, violations)
    assert _crossings(p, fixed.runs) == []
    assert sum(fixed.counts.values()) == 8
    cost = cost_breakdown(p, opts, fixed)["objective"]
    assert cost == cost_breakdown(p, opts, broken)["objective"] + 3 * 20
    assert cost < cost_breakdown(p, opts, cancelled)["objective"]
