"""Every back end reachable from the API solves a small case to its known optimum, and none
of them prints on, or takes over, the process's standard output."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import routing
from routing.api import solve_problem
from routing.domain.model import Problem
from routing.domain.options import build_options
from routing.optimise import BACKENDS, solve
from routing.optimise.params import SolveParams
from tests.factories import dep, problem, ship

ROOT = Path(__file__).resolve().parents[3]


def _case() -> Problem:
    """15 TEU, trains of 8 TEU at 500 USD each: two run. The first train is dearer (150 USD
    per TEU against 100), so the greedy plan (earliest first) costs 2,900 and the optimum,
    the two cheap trains, 2,500: a back end that finds nothing loses to it."""
    deps = [
        dep("D0", day=0, capacity_teu=8, fixed_cost=500.0, rate_per_teu=150.0),
        dep("D1", day=1, capacity_teu=8, fixed_cost=500.0),
        dep("D2", day=2, capacity_teu=8, fixed_cost=500.0),
    ]
    return problem([ship(f"S{i}", 3) for i in range(5)], deps)


@pytest.mark.parametrize("method", ["decompose", "monolithic"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_every_backend_reaches_the_known_optimum(backend: str, method: str) -> None:
    plan = solve_problem(_case(), time_limit=10, backend=backend, method=method)
    assert routing.check(plan) == []
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(2500.0, abs=1e-6)
    assert {a.departure_id for a in plan.assignments} == {"D1", "D2"}


def test_greedy_misses_the_optimum_of_the_case() -> None:
    """The case above is only a test of the back ends if greedy alone does not solve it."""
    from routing.domain.costs import cost_breakdown
    from routing.optimise import greedy

    p = _case()
    opts = build_options(p)
    assert cost_breakdown(p, opts, greedy(p, opts))["objective"] == pytest.approx(2900.0)


#: the ``auto`` back end with CP-SAT's quick attempt off, so that relax-fix-round (one highspy
#: instance), the neighbourhood search and HiGHS's search through MathOpt all run
_NO_CP_SAT = SolveParams(auto_cp_sat_max_columns=0)


@pytest.mark.parametrize("backend", [*BACKENDS, "auto-no-cp-sat"])
def test_solve_leaves_the_process_stdout_alone(
    backend: str, capfd: pytest.CaptureFixture[str]
) -> None:
    """Another thread writes to file descriptor 1 all through a solve: every line arrives
    (the old fd-1 redirect to /dev/null swallowed those written while a solve ran), and
    nothing of HiGHS's banner or log is printed."""
    p = _case()
    opts = build_options(p)
    stop = threading.Event()
    solving = threading.Event()
    written: list[bytes] = []
    during = [0]

    def writer() -> None:
        i = 0
        while not stop.is_set():
            line = f"marker-{i}\n".encode()
            os.write(1, line)
            written.append(line)
            if solving.is_set():
                during[0] += 1
            i += 1
            stop.wait(0.0005)

    th = threading.Thread(target=writer)
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    try:
        th.start()
        solving.set()
        for _ in range(3):  # long enough for the writer to get in while a solve runs
            if backend == "auto-no-cp-sat":
                res = solve(p, opts, time_limit=5, params=_NO_CP_SAT)
            else:
                res = solve(p, opts, time_limit=5, backend=backend)
        solving.clear()
    finally:
        stop.set()
        th.join()
        sys.setswitchinterval(old)
    out = capfd.readouterr().out
    assert res.status == "optimal"
    assert during[0] > 0
    assert out.splitlines() == [w.decode().strip() for w in written]
    assert "HiGHS" not in out


def test_no_backend_prints_highs_banner_in_a_fresh_process() -> None:
    """HiGHS prints its banner once per process, on its first instance unless its output is
    off by then: a fresh interpreter solves through every back end (and relax-fix-round's
    highspy instance) and its standard output holds only what it printed itself."""
    code = """
from routing.domain.options import build_options
from routing.optimise import BACKENDS, solve
from routing.optimise.params import SolveParams
from tests.routing.optimise.test_backends import _case
p = _case()
opts = build_options(p)
res = solve(p, opts, time_limit=5, params=SolveParams(auto_cp_sat_max_columns=0))
print("auto-no-cp-sat", res.status, flush=True)
for b in BACKENDS:
    print(b, solve(p, opts, time_limit=5, backend=b).status, flush=True)
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    expected = ["auto-no-cp-sat optimal"] + [f"{b} optimal" for b in BACKENDS]
    assert run.stdout.splitlines() == expected
