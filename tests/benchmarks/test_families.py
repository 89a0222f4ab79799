"""The issue-16 bench families: their LP bound (exact on micro-instances where one row family
binds, at most the reference MIP's optimum) and its cache, and their registration."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks import families, harness
from benchmarks.cflp import cflp_problem, optima, read_cflp
from benchmarks.lp_bound import LPBound, lp_bound
from benchmarks.reference import solve_reference
from tests.factories import dep, problem, ship

TINY = families.Family(time_limit=5.0, shipments=25, trains=4, capacity_ratio=2.0)


def test_one_train_pays_its_fixed_cost_in_full() -> None:
    """Strong linking (x <= ub r): one shipment of 10 on a 20-TEU train forces r = 1, where
    the capacity row alone would allow r = 0.5."""
    p = problem([ship("A", 10)], [dep("T", capacity_teu=20, fixed_cost=100.0, rate_per_teu=3.0)])
    assert lp_bound(p).bound == pytest.approx(100.0 + 30.0)


def test_border_quota_binds_in_the_relaxation() -> None:
    """Two trains crossing Alashankou on the same day, quota 1: only 10 of 20 containers
    travel (1 USD each), the rest pay the penalty (100 per TEU)."""
    day: dict[str, Any] = {"border_port": "alashankou", "border_offset_days": 2, "capacity_teu": 10}
    day["rate_per_teu"] = 1.0
    p = problem(
        [ship("A", 10), ship("B", 10)],
        [dep("T1", **day), dep("T2", **day)],
        penalty=100.0,
        quota={"alashankou": 1},
    )
    assert lp_bound(p).bound == pytest.approx(10 * 1.0 + 10 * 100.0)
    free = problem([ship("A", 10), ship("B", 10)], [dep("T1", **day), dep("T2", **day)])
    assert lp_bound(free).bound == pytest.approx(20.0)


def test_minimum_load_binds_in_the_relaxation() -> None:
    """A 5-container shipment cannot make a train with a 10-TEU minimum run, even partly."""
    p = problem(
        [ship("A", 5)],
        [dep("T", capacity_teu=10, min_load_teu=10, rate_per_teu=1.0)],
        penalty=100.0,
    )
    assert lp_bound(p).bound == pytest.approx(500.0)


def test_no_split_lot_rides_whole() -> None:
    """A no-split lot of 6 on trains of 4 TEU cannot ride at all: the penalty, exactly."""
    p = problem(
        [ship("A", 6, split=False)],
        [dep("T1", capacity_teu=4), dep("T2", capacity_teu=4)],
        penalty=50.0,
    )
    assert lp_bound(p).bound == pytest.approx(300.0)


@pytest.mark.parametrize("name", ["cap41", "cap71", "cap101"])
def test_lp_bound_is_below_the_published_optimum(name: str) -> None:
    p = cflp_problem(read_cflp(harness.CFLP_DIR / f"{name}.txt"))
    b = lp_bound(p)
    assert b.status == "Optimal" and b.method.startswith("LP relaxation")
    opt = optima(harness.CFLP_DIR)[name]  # published to three decimals
    assert 0.9 * opt <= b.bound <= opt * (1 + 1e-9)


def test_lp_bound_of_a_dense_case_is_below_the_reference_optimum(tiny: str, tmp_path: Path) -> None:
    """On a tiny dense case: LP <= the reference MIP's proven optimum, within 10 %."""
    p = families.read_instance(families.write_instance(tiny, 1, tmp_path))
    ref = solve_reference(p, time_limit=60.0)
    assert ref.status == "Optimal"
    b = lp_bound(p)
    assert 0.9 * ref.objective <= b.bound <= ref.objective + 1e-6


@pytest.fixture
def tiny(monkeypatch: pytest.MonkeyPatch) -> str:
    """A tiny dense family registered for the test only."""
    monkeypatch.setitem(families.FAMILY, "test-dense-tiny", TINY)
    return "test-dense-tiny"


def test_lp_bound_is_computed_once_and_cached(
    tiny: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def counting(p: object) -> LPBound:
        calls.append(1)
        return lp_bound(p)  # type: ignore[arg-type]

    first, hit1 = families.bound(tiny, 1, folder=tmp_path, solve=counting)
    second, hit2 = families.bound(tiny, 1, folder=tmp_path, solve=counting)
    assert (hit1, hit2, len(calls)) == (False, True, 1)
    assert first == second and first.status == "Optimal"
    rec = json.loads((tmp_path / "lp-bounds" / f"{tiny}-seed1.json").read_text())
    assert rec["bound"] == first.bound and len(rec["digest"]) == 64
    _, hit3 = families.bound(tiny, 2, folder=tmp_path, solve=counting)  # another seed
    assert (hit3, len(calls)) == (False, 2)
    monkeypatch.setitem(families.FAMILY, tiny, dataclasses.replace(TINY, trains=5))
    _, hit4 = families.bound(tiny, 1, folder=tmp_path, solve=counting)  # another instance
    assert (hit4, len(calls)) == (False, 3)


def test_a_bound_that_is_not_optimal_is_not_cached(tiny: str, tmp_path: Path) -> None:
    def timed_out(_p: object) -> LPBound:
        return LPBound(
            bound=float("nan"),
            status="Time limit reached",
            method="x",
            seconds=1.0,
            columns=1,
            rows=1,
        )

    assert families.bound(tiny, 1, folder=tmp_path, solve=timed_out)[1] is False
    assert not (tmp_path / "lp-bounds" / f"{tiny}-seed1.json").exists()


def test_the_cache_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAILPLAN_BENCH_CACHE", str(tmp_path))
    assert families.cache_folder() == tmp_path


def test_gap_columns() -> None:
    lp = LPBound(bound=100.0, status="Optimal", method="m", seconds=1.0, columns=1, rows=1)
    got = families.gap_columns({"objective": 101.0, "highs_objective": float("nan")}, lp)
    assert got["gap_to_lp_pct"] == pytest.approx(1.0)
    assert got["highs_gap_to_lp_pct"] != got["highs_gap_to_lp_pct"]  # nan: no HiGHS plan


def test_families_are_registered_in_the_harness() -> None:
    names = harness.instances(["dense-100x1000", "dense-200x2000", "national-quarter-over"])
    assert names == [
        "dense-100x1000-r3",
        "dense-100x1000-r5",
        "dense-100x1000-r10",
        "dense-200x2000-r5",
        "national-quarter-over",
    ]
    assert [harness.default_limit(n) for n in names] == [60.0, 60.0, 60.0, 120.0, 120.0]
    assert families.FAMILY["national-quarter-over"].demand_factor == 2.0
    assert "lp_bound" in harness.COLUMNS and "gap to LP %" in harness.markdown([], 1.0)


def test_harness_writes_and_reads_a_family_instance(tiny: str, tmp_path: Path) -> None:
    """The harness's instance path for a family: the written files plan-readable, with rates."""
    files = harness._write_instance(tiny, 1, tmp_path)
    assert set(files) == {"shipments", "departures", "border_quota", "rates"}
    p = families.read_instance(files)
    assert len(p.shipments) == 25 and len(p.departures) == 4 and len(p.rates) == 100
    assert {d.depart_date for d in p.departures} <= {
        dt.date(2026, 12, 7) + dt.timedelta(days=k) for k in range(7)
    }


def test_anytime_curve_of_an_orlib_case(tmp_path: Path) -> None:
    """Both solvers at two limits in child processes, on cap41 (both reach its optimum), the
    longest runs' traces, the CSV and the PNG."""
    from benchmarks import anytime

    points = anytime.run("cap41", 1, [2.0, 1.0], echo=lambda _line: None)
    at_limits = [(p.solver, p.time_limit) for p in points if not p.trace]
    assert at_limits == [("railplan", 1.0), ("highs", 1.0), ("railplan", 2.0), ("highs", 2.0)]
    opt = optima(harness.CFLP_DIR)["cap41"]
    for p in points:
        assert p.wall_s > 0
        if p.trace:  # an improving plan on the way: never below the optimum
            assert p.objective >= opt * (1 - 1e-9)
        else:
            assert p.objective == pytest.approx(opt, rel=1e-6)
    assert {p.solver for p in points if p.trace} <= {"railplan", "highs"}
    anytime.write_csv(points, tmp_path / "a.csv")
    anytime.plot(points, tmp_path / "a.png", "cap41", lp_bound=opt)
    assert (tmp_path / "a.csv").read_text().startswith("solver,time_limit,wall_s,objective")
    assert (tmp_path / "a.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_anytime_keeps_a_failed_run_as_no_plan() -> None:
    from benchmarks import anytime

    def child(kind: str, _name: str, _seed: int, limit: float) -> dict[str, Any]:
        if kind == "highs":
            return {"status": "Time limit reached", "objective": float("nan"), "wall_s": limit}
        return {"status": "feasible", "objective": 10.0, "wall_s": limit, "trace": [(0.5, 12.0)]}

    points = anytime.run("x", 1, [3.0], echo=lambda _line: None, child=child)
    assert [(p.solver, p.objective == p.objective, p.trace) for p in points] == [
        ("railplan", True, False),
        ("railplan", True, True),
        ("highs", False, False),
    ]


def test_lp_columns_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAILPLAN_LP_TIME_LIMIT", "0")
    assert families.lp_columns({}, "national-quarter-over", 1) == {
        "lp_status": "not computed (RAILPLAN_LP_TIME_LIMIT=0)"
    }


def test_lp_columns_of_a_cached_case(
    tiny: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAILPLAN_BENCH_CACHE", str(tmp_path))
    got = families.lp_columns({"objective": 1e9}, tiny, 1)
    assert got["lp_status"] == "Optimal" and got["gap_to_lp_pct"] > 0
    assert (tmp_path / "lp-bounds" / f"{tiny}-seed1.json").is_file()


def test_anytime_points_read_back(tmp_path: Path) -> None:
    from benchmarks import anytime

    pts = [
        anytime.Point(
            solver="railplan", time_limit=5.0, wall_s=6.1, objective=7.5, status="feasible"
        ),
        anytime.Point(
            solver="highs",
            time_limit=float("nan"),
            wall_s=3.0,
            objective=9.0,
            status="",
            trace=True,
        ),
    ]
    anytime.write_csv(pts, tmp_path / "a.csv")
    back = anytime.read_csv(tmp_path / "a.csv")
    assert back[0] == pts[0] and back[1].trace and back[1].time_limit != back[1].time_limit
