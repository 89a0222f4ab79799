"""Hypothesis: on tiny random instances the optimiser's objective equals a brute-force
optimum that enumerates every way to place every container."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import routing
from routing.domain.model import CONTAINER_TYPES, Problem
from routing.domain.options import build_options
from routing.domain.plan import build_plan
from routing.optimise.build import Builder
from routing.optimise.relax_fix_round import lp_heuristic
from tests.factories import DAY, dep, problem, ship, solve


def brute_force(p: Problem) -> float:
    """Minimum objective by enumeration (a train runs iff it carries something)."""
    ships, deps = p.shipments, p.departures
    per_ship: list[list[tuple[tuple[int, ...], float]]] = []
    for sh in ships:
        ct = CONTAINER_TYPES[sh.container_type]
        ok = []
        for t, d in enumerate(deps):
            if d.depart_date < sh.ready_date:
                continue
            if ct.reefer and d.reefer_plugs == 0:
                continue
            if sh.avoid_countries & set(d.countries):
                continue
            ok.append(t)
        choices = []
        # distribute containers over eligible departures (+ unassigned = last slot)
        slots = len(ok) + 1
        for combo in itertools.product(range(sh.containers + 1), repeat=slots):
            if sum(combo) != sh.containers:
                continue
            if not sh.split and sum(1 for c in combo[:-1] if c) + (1 if combo[-1] else 0) > 1:
                continue
            vec = [0] * len(deps)
            cost = combo[-1] * ct.teu * p.unassigned_penalty_per_teu
            for t, c in zip(ok, combo[:-1], strict=True):
                vec[t] = c
                d = deps[t]
                arrival = d.depart_date + dt.timedelta(days=d.transit_days)
                late = max(0, (arrival - sh.due_date).days) if sh.due_date else 0
                cost += c * ct.teu * (d.rate_per_teu + late * sh.late_penalty_per_teu_day)
            choices.append((tuple(vec), cost))
        per_ship.append(choices)
    best = float("inf")
    for pick in itertools.product(*per_ship):
        cost = sum(c for _, c in pick)
        teu = [0] * len(deps)
        tonnes = [0.0] * len(deps)
        plugs = [0] * len(deps)
        for (vec, _), sh in zip(pick, ships, strict=True):
            ct = CONTAINER_TYPES[sh.container_type]
            for t, n in enumerate(vec):
                teu[t] += n * ct.teu
                tonnes[t] += n * sh.gross_t
                plugs[t] += n if ct.reefer else 0
        crossing: dict[tuple[str, dt.date], int] = defaultdict(int)
        ok = True
        for t, d in enumerate(deps):
            if teu[t] == 0:
                continue
            cost += d.fixed_cost
            if teu[t] > d.capacity_teu or teu[t] < d.min_load_teu or plugs[t] > d.reefer_plugs:
                ok = False
            if d.max_gross_t is not None and tonnes[t] > d.max_gross_t:
                ok = False
            if d.border_port:
                crossing[(d.border_port, d.border_date)] += 1
        for (port, day), n in crossing.items():
            q = p.quota_for(port, day)
            if q is not None and n > q:
                ok = False
        if ok:
            best = min(best, cost)
    return best


@st.composite
def tiny(draw: st.DrawFn) -> Problem:
    n_dep = draw(st.integers(1, 3))
    deps = []
    for i in range(n_dep):
        day = draw(st.integers(0, 2))
        cap = draw(st.integers(1, 6))
        deps.append(
            dep(
                f"T{i}",
                day=day,
                capacity_teu=cap,
                max_gross_t=draw(st.sampled_from([None, 30.0, 60.0])),
                fixed_cost=float(draw(st.sampled_from([0, 150, 400]))),
                rate_per_teu=float(draw(st.integers(50, 200))),
                min_load_teu=0 if draw(st.booleans()) else draw(st.integers(0, min(cap, 3))),
                reefer_plugs=draw(st.integers(0, 2)),
                border_port="erenhot" if draw(st.booleans()) else "",
                border_offset_days=2 - day,
                countries=("CN", "RU") if draw(st.booleans()) else ("CN", "KZ"),
            )
        )
    n_ship = draw(st.integers(1, 3))
    ships = []
    for j in range(n_ship):
        ctype = draw(st.sampled_from(["20GP", "40HC", "20RF"]))
        ships.append(
            ship(
                f"S{j}",
                draw(st.integers(1, 3)),
                container_type=ctype,
                gross_t=float(draw(st.sampled_from([8, 15, 22]))),
                ready_date=DAY + dt.timedelta(days=draw(st.integers(0, 2))),
                due_date=DAY + dt.timedelta(days=draw(st.integers(10, 12)))
                if draw(st.booleans())
                else None,
                late_penalty_per_teu_day=float(draw(st.integers(0, 60))),
                split=draw(st.booleans()),
                avoid_countries=frozenset({"RU"}) if draw(st.integers(0, 3)) == 0 else frozenset(),
            )
        )
    quota = {"erenhot": draw(st.integers(0, 2))}
    return problem(ships, deps, penalty=float(draw(st.sampled_from([300, 1000]))), quota=quota)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(tiny())
def test_optimiser_matches_brute_force(p: Problem) -> None:
    plan = solve(p)
    assert plan.status == "optimal"
    assert abs(plan.objective - brute_force(p)) < 1e-6


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(tiny())
def test_greedy_is_feasible_and_never_better(p: Problem) -> None:
    plan = solve(p)
    assert plan.summary["greedy_objective"] >= plan.objective - 1e-6


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(tiny())
def test_relax_fix_round_gives_checked_plans_and_a_valid_bound(p: Problem) -> None:
    """The optimiser's own primal heuristic (relaxation, trains fixed, rounding and repair)
    hands HiGHS only plans that the independent checker accepts, priced at or above the
    brute-force optimum, and its relaxation bound is at or below it."""
    opts = build_options(p)
    b = Builder(p, opts)
    if not b.run:
        return
    vals, bound = lp_heuristic(b, 10.0, thresholds=(0.5, 0.25, 0.75, 1e-9))
    best = brute_force(p)
    assert bound + b.mx.constant <= best + 1e-6
    if vals is None:
        return
    assert b.mx.feasible(vals)
    plan = build_plan(p, opts, b.solution(vals), status="feasible", bound=bound, summary_extra={})
    assert routing.check(plan) == []
    assert plan.objective >= best - 1e-6
    assert abs(plan.objective - (b.mx.cost_of(vals) + b.mx.constant)) < 1e-6
