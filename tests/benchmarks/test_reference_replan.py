"""The reference MIP's move terms (written apart: a moved-containers variable per lot,
``m_s >= n_s - x_{s,booked}``) give the optimum railplan's stay credit gives."""

from __future__ import annotations

import pytest

import network
from benchmarks.reference import solve_reference
from routing.api import replan
from routing.domain.model import Problem
from routing.domain.replan import CancelTrain, Event, apply_events, lot_id
from tests.factories import dep, problem, ship


def lot(sid: str, did: str, n: int, penalty: float, **kw: object):  # type: ignore[no-untyped-def]
    return ship(lot_id(sid, did), n, booked_on=did, move_penalty_per_container=penalty, **kw)


CASES: list[tuple[str, Problem, list[Event], float]] = [
    (
        "stays",
        problem([lot("S", "A", 3, 500.0)], [dep("A", rate_per_teu=150.0), dep("B")]),
        [],
        450.0,
    ),
    (
        "moves",
        problem([lot("S", "A", 3, 0.0)], [dep("A", rate_per_teu=150.0), dep("B")]),
        [],
        300.0,
    ),
    (
        "cancelled",
        problem([lot("S", "A", 3, 500.0)], [dep("A"), dep("B", rate_per_teu=120.0)]),
        [CancelTrain("A")],
        3 * 120 + 3 * 500,
    ),
    (
        "unassigned",
        problem([lot("S", "A", 3, 500.0)], [dep("A"), dep("B", capacity_teu=1)], penalty=1000.0),
        [CancelTrain("A")],
        100 + 2 * 1000 + 3 * 500,
    ),
    (
        "pinned",
        problem(
            [lot("S", "A", 2, 0.0, pinned=True), ship("N", 9)],
            [dep("A", capacity_teu=10, rate_per_teu=900.0), dep("B", capacity_teu=10)],
        ),
        [],
        2 * 900 + 9 * 100,  # the new boxes all take cheap B; the pinned ones stay on dear A
    ),
]


@pytest.mark.parametrize(("name", "p", "events", "optimum"), CASES, ids=[c[0] for c in CASES])
def test_reference_and_railplan_agree_on_the_minimal_change_optimum(
    name: str, p: Problem, events: list[Event], optimum: float, net: network.Network
) -> None:
    r = replan(p, events, net, time_limit=5)
    assert r.plan.objective == pytest.approx(optimum)
    ref = solve_reference(apply_events(p, events, net).problem, time_limit=5)
    assert ref.status == "Optimal"
    assert ref.objective == pytest.approx(optimum)
