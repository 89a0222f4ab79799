"""OR-Library capacitated facility location (Beasley 1988) as a special case of the model:
the public API reaches every published optimum within 0.01 %."""

from __future__ import annotations

import pytest

import routing
from benchmarks.cflp import cflp_problem, optima, read_cflp
from tests.factories import ROOT

DATA = ROOT / "data" / "benchmarks" / "orlib-cflp"
OPTIMA = optima(DATA)


def test_reader_parses_sizes_and_wrapped_cost_lines() -> None:
    inst = read_cflp(DATA / "cap41.txt")
    assert (len(inst.capacity), len(inst.demand)) == (16, 50)
    assert all(len(row) == 16 for row in inst.cost)
    big = read_cflp(DATA / "cap131.txt")
    assert (len(big.capacity), len(big.demand)) == (50, 50)
    assert set(big.capacity) == {sum(big.demand)}


@pytest.mark.parametrize("name", sorted(OPTIMA, key=lambda n: int(n[3:])))
def test_published_optimum(name: str) -> None:
    plan = routing.solve_problem(cflp_problem(read_cflp(DATA / f"{name}.txt")), time_limit=30)
    assert routing.check(plan) == []
    assert plan.unassigned == ()
    assert plan.total_cost == pytest.approx(OPTIMA[name], rel=1e-4)
    assert plan.status == "optimal"
