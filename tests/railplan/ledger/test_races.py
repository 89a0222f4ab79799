"""No oversell with racing processes, and nothing lost when a commit is killed, on SQLite and
on PostgreSQL.

Each race starts 8 processes at a barrier; each opens its own engine and books onto the same
nearly full train (or the same border day, or commits a plan on the same base version). The
ledger must hold exactly what fits, and ``check()`` must pass. The kill test starts a large
commit in a child process and ``kill -9``s it at random moments.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import signal
import time
from typing import Any

import pytest

from railplan.ledger import Conflict, Ledger, Refused, StaleVersion
from tests.factories import dep, ship
from tests.railplan.ledger.test_ledger import _assignment, req

CTX = mp.get_context("fork")
N = 8


def _race(url: str, barrier: Any, out: Any, k: int, job: str) -> None:
    led = Ledger(url)
    barrier.wait()
    try:
        if job == "train":
            led.book(req(f"S{k}", "T", 3))
        elif job == "border":
            led.book(req(f"S{k}", f"Q{k}", 1))
        else:
            led.commit_assignments(
                [_assignment(f"P{k}", "T", 2)], shipments=[ship(f"P{k}", 2)], base_version=int(job)
            )
        out.put((k, "ok"))
    except StaleVersion:
        out.put((k, "stale"))
    except Refused as e:
        out.put((k, "refused: " + e.problems[0]))
    except Conflict as e:
        out.put((k, "conflict: " + e.problems[0]))
    finally:
        led.close()


def _run_race(url: str, job: str) -> list[str]:
    barrier, out = CTX.Barrier(N), CTX.Queue()
    ps = [CTX.Process(target=_race, args=(url, barrier, out, k, job)) for k in range(N)]
    for p in ps:
        p.start()
    results = [out.get(timeout=60) for _ in ps]
    for p in ps:
        p.join(timeout=30)
    return [r for _, r in sorted(results)]


def _ledger(url: str) -> Ledger:
    led = Ledger(url)
    led.init()
    deps = [dep("T", 0, capacity_teu=100)]
    deps += [dep(f"Q{k}", 0, border_port="erenhot", border_offset_days=2) for k in range(N)]
    led.register_departures(deps, quota={"erenhot": 2})
    led.book(req("BASE", "T", 90))
    return led


def test_racing_bookings_never_oversell_a_train(db_url: str) -> None:
    led = _ledger(db_url)
    results = _run_race(db_url, "train")
    assert results.count("ok") == 3, results  # 10 TEU left, 3 each
    assert all("3 TEU do not fit" in r for r in results if r != "ok"), results
    assert led.used_capacity().trains["T"].teu == 99
    assert led.check() == []


def test_racing_bookings_never_overrun_a_border_quota(db_url: str) -> None:
    led = _ledger(db_url)
    results = _run_race(db_url, "border")
    assert results.count("ok") == 2, results  # erenhot takes 2 trains that day
    assert all("quota of 2 train(s) a day taken" in r for r in results if r != "ok"), results
    assert sum(x.trains for x in led.crossings()) == 2
    assert led.check() == []


def test_racing_plan_commits_on_one_version_commit_once(db_url: str) -> None:
    led = _ledger(db_url)
    v = led.version()
    results = _run_race(db_url, str(v))
    assert results.count("ok") == 1 and results.count("stale") == N - 1, results
    assert led.version() == v + 1 and led.check() == []


# ---------------------------------------------------------------------- kill -9


BIG = 1500  # bookings in the commit that is killed


def _big_commit(url: str, base: int, started: Any) -> None:
    led = Ledger(url)
    ships = [ship(f"K{i}", 1) for i in range(BIG)]
    ass = [_assignment(f"K{i}", f"W{i % 30}", 1) for i in range(BIG)]
    started.set()
    led.commit_assignments(ass, shipments=ships, base_version=base)


@pytest.mark.parametrize("kills", [4])
def test_a_killed_commit_leaves_the_ledger_as_before_or_committed(db_url: str, kills: int) -> None:
    led = Ledger(db_url)
    led.init()
    led.register_departures([dep(f"W{i}", 0, capacity_teu=200) for i in range(30)])
    led.book(req("X", "W0", 1))
    rng = random.Random(13)
    # how long a whole commit takes here: the kills land within it
    t0 = time.perf_counter()
    p = CTX.Process(target=_big_commit, args=(db_url, led.version(), CTX.Event()))
    p.start()
    p.join(120)
    full = time.perf_counter() - t0
    assert p.exitcode == 0
    committed = led.version()
    assert len(led.bookings()) == BIG + 1 and led.check() == []
    outcomes = []
    for _ in range(kills):
        st0 = led.status()
        base, n0 = st0.version, sum(st0.bookings.values())
        started = CTX.Event()
        p = CTX.Process(target=_big_commit, args=(db_url, base, started))
        p.start()
        started.wait(30)
        time.sleep(rng.uniform(0.05, max(0.1, 0.9 * full)))
        os.kill(p.pid, signal.SIGKILL)  # type: ignore[arg-type]
        p.join(30)
        # a COMMIT sent just before the kill still lands on a server (PostgreSQL finishes
        # it after the client is gone): let it, then read bookings and version in one snapshot
        time.sleep(0.5)
        st = led.status()
        n1, v1 = sum(st.bookings.values()), st.version
        assert led.check() == []
        assert (n1, v1) in ((n0, base), (n0 + BIG, base + 1)), (n0, n1, base, v1)
        outcomes.append(v1 > base)
    assert committed >= 3 and False in outcomes  # at least one kill landed mid-commit
