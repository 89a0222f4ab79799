"""The dense-choice generator (Cornuejols, Sridharan and Thizy 1991 on trains and shipments),
``--demand-factor`` on the calibrated scales, and ``railplan generate``'s new flags."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

import network
from railplan.cli import main
from routing.api import read_problem
from routing.domain.options import build_options
from routing.generate import SCALES, START, generate
from routing.generate_dense import (
    DenseSpec,
    achieved_ratio,
    draw,
    generate_dense,
)


def run(*args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(main, list(args))
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture(scope="module")
def small_dense(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dense batch of 40 shipments and 6 trains (capacity ratio 3), written by the CLI."""
    out = tmp_path_factory.mktemp("dense")
    code, _, err = run(
        "generate", "--scale", "dense", "--shipments", "40", "--trains", "6",
        "--capacity-ratio", "3", "--seed", "4", "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    return out


def _read(folder: Path, net: network.Network):  # type: ignore[no-untyped-def]
    return read_problem(
        str(folder / "shipments.csv"),
        net,
        departures=str(folder / "departures.csv"),
        rates=str(folder / "rates.csv"),
        border_quota=str(folder / "border_quota.csv"),
    )


@pytest.mark.parametrize("ratio", [1.5, 3.0, 5.0, 10.0])
def test_capacity_ratio_is_achieved(ratio: float) -> None:
    """Capacities are floored after scaling: the ratio is reached within M / sum d below."""
    rec = draw(DenseSpec(shipments=300, trains=30, capacity_ratio=ratio, seed=2))
    total = sum(rec.demand)
    got = sum(rec.capacity) / total
    assert ratio - len(rec.capacity) / total <= got <= ratio + 1e-12


def test_recipe_ranges() -> None:
    """Demands U{5..35}, fixed costs from sqrt(drawn capacity) in [100 sqrt 10, 110 sqrt 160
    + 90], points in the unit square."""
    rec = draw(DenseSpec(shipments=2000, trains=200, seed=1))
    assert min(rec.demand) == 5 and max(rec.demand) == 35
    assert all(100 * math.sqrt(10) - 1 <= f <= 110 * math.sqrt(160) + 90 for f in rec.fixed)
    pts = rec.customers + rec.facilities
    assert all(0 <= x < 1 and 0 <= y < 1 for x, y in pts)


def test_rates_are_ten_times_the_distance(net: network.Network) -> None:
    spec = DenseSpec(shipments=12, trains=5, seed=3)
    rec, batch = draw(spec), generate_dense(net, spec)
    for j, s in enumerate(batch.shipments):
        assert s.containers == rec.demand[j] and s.teu == rec.demand[j]
        for i, d in enumerate(batch.departures):
            want = 10 * math.dist(rec.customers[j], rec.facilities[i])
            assert batch.rates[(s.shipment_id, d.departure_id)] == pytest.approx(want, abs=1e-4)
            assert d.capacity_teu == rec.capacity[i] and d.fixed_cost == rec.fixed[i]


def test_every_shipment_has_every_train_as_an_option(
    small_dense: Path, net: network.Network
) -> None:
    """Read back as ``railplan plan`` reads it, every shipment may ride each of the 6 trains,
    at its recipe rate and nothing else (no lateness, trucking, base rate)."""
    p = _read(small_dense, net)
    opts = build_options(p)
    assert len(p.shipments) == 40 and len(p.departures) == 6
    for s, idx in enumerate(opts.by_shipment):
        assert sorted(opts.options[o].t for o in idx) == list(range(6))
        for o in idx:
            op = opts.options[o]
            rate = p.rates[(p.shipments[s].shipment_id, p.departures[op.t].departure_id)]
            assert op.cost_per_container == pytest.approx(rate)
            assert op.late_days == 0


def test_plan_cost_is_the_cflp_objective(small_dense: Path, tmp_path: Path) -> None:
    """``railplan plan`` on the batch: every container placed, and the plan's total cost is
    the facility-location objective recomputed from its assignments and the files."""
    d = small_dense
    code, _, err = run(
        "plan", str(d / "shipments.csv"), "--departures", str(d / "departures.csv"),
        "--rates", str(d / "rates.csv"), "--border-quota", str(d / "border_quota.csv"),
        "--no-maps", "--quiet", "--time-limit", "20", "--out", str(tmp_path / "p"),
    )  # fmt: skip
    assert code == 0, err
    with (d / "rates.csv").open() as f:
        rates = {
            (r["shipment_id"], r["departure_id"]): float(r["rate_per_teu"])
            for r in csv.DictReader(f)
        }
    with (d / "departures.csv").open() as f:
        fixed = {r["departure_id"]: float(r["fixed_cost"]) for r in csv.DictReader(f)}
    with (tmp_path / "p" / "assignments.csv").open() as f:
        rows = list(csv.DictReader(f))
    used = {r["departure_id"] for r in rows}
    cost = sum(fixed[t] for t in used) + sum(
        int(r["containers"]) * rates[(r["shipment_id"], r["departure_id"])] for r in rows
    )
    summary = json.loads((tmp_path / "p" / "summary.json").read_text())
    assert summary["total_cost"] == pytest.approx(cost, abs=0.005)  # summary: cents
    with (d / "shipments.csv").open() as f:
        demand = sum(int(r["containers"]) for r in csv.DictReader(f))
    assert sum(int(r["containers"]) for r in rows) == demand


def test_dense_is_deterministic_by_seed(net: network.Network) -> None:
    a = generate_dense(net, DenseSpec(shipments=30, trains=4, seed=7))
    b = generate_dense(net, DenseSpec(shipments=30, trains=4, seed=7))
    c = generate_dense(net, DenseSpec(shipments=30, trains=4, seed=8))
    assert a == b
    assert a.rates != c.rates and a.shipments != c.shipments


def test_dense_demand_factor_is_the_inverse_ratio(tmp_path: Path, net: network.Network) -> None:
    code, out, err = run(
        "generate", "--scale", "dense", "--shipments", "200", "--trains", "10",
        "--demand-factor", "2", "--out", str(tmp_path),
    )  # fmt: skip
    assert code == 0, err
    p = _read(tmp_path, net)
    demand = sum(s.teu for s in p.shipments) / sum(d.capacity_teu for d in p.departures)
    assert 2.0 <= demand <= 2.0 * 1.03
    assert "(asked 0.5)" in out and "every shipment 10 options" in out


@pytest.mark.parametrize(("scale", "factor"), [("shanxi-month", 2.0), ("shanxi-week", 0.5)])
def test_demand_factor_is_achieved(net: network.Network, scale: str, factor: float) -> None:
    """Total TEU reach F x the timetable's TEU capacity, overshooting by less than one lot."""
    b = generate(net, scale, 3, special=True, demand_factor=factor)
    cap = sum(d.capacity_teu for d in b.departures)
    teu = sum(s.teu for s in b.shipments)
    biggest = max(s.teu for s in b.shipments)
    assert factor * cap <= teu < factor * cap + biggest


def test_default_scales_are_unchanged(net: network.Network) -> None:
    """Without --demand-factor the calibrated scales give what the README says (seed 0)."""
    b = generate(net, "shanxi-month", 0, special=True)
    assert (len(b.shipments), sum(s.teu for s in b.shipments), len(b.departures)) == (559, 3066, 32)


def test_national_quarter_is_twelve_weeks_of_the_national_timetable(net: network.Network) -> None:
    """The quarter's departures are exactly those of its twelve weeks, one after another."""
    sc = SCALES["national-quarter"]
    assert (sc.scope, sc.days) == ("national", 84)
    quarter = [d.departure_id for d in net.departures(START, 84, scope="national")]
    weeks = [
        d.departure_id
        for k in range(12)
        for d in net.departures(START + dt.timedelta(days=7 * k), 7, scope="national")
    ]
    assert sorted(quarter) == sorted(weeks) and len(set(quarter)) == len(quarter) > 0


@pytest.mark.parametrize(
    ("args", "want"),
    [
        (["--shipments", "10"], "--scale dense: --trains is required (expected an integer)"),
        (
            ["--shipments", "10", "--trains", "2", "--capacity-ratio", "3", "--demand-factor", "2"],
            "--capacity-ratio and --demand-factor both given",
        ),
        (["--shipments", "10", "--trains", "2", "--plain"], "--special/--plain do not apply"),
        (
            ["--shipments", "100000", "--trains", "5000"],
            "expected at most 2,000,000 shipment-train pairs",
        ),
        (["--shipments", "0", "--trains", "2"], "Invalid value for '--shipments'"),
        (["--shipments", "5", "--trains", "2", "--capacity-ratio", "inf"], "--capacity-ratio"),
    ],
)
def test_bad_dense_flags(tmp_path: Path, args: list[str], want: str) -> None:
    code, _, err = run("generate", "--scale", "dense", "--out", str(tmp_path / "o"), *args)
    assert code == 2
    assert want in err and "Traceback" not in err
    assert all(line.startswith("error: ") for line in err.splitlines())
    assert not (tmp_path / "o").exists()


def test_dense_flags_refused_on_other_scales(tmp_path: Path) -> None:
    code, _, err = run(
        "generate", "--scale", "shanxi-week", "--trains", "3", "--out", str(tmp_path / "o")
    )
    assert code == 2
    assert err.strip() == (
        "error: --scale shanxi-week: --trains applies to --scale dense only; expected no --trains"
    )


def test_achieved_ratio_of_a_batch(net: network.Network) -> None:
    b = generate_dense(net, DenseSpec(shipments=100, trains=10, capacity_ratio=4.0, seed=5))
    assert 3.9 < achieved_ratio(b) <= 4.0
