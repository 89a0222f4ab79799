"""The scaling study (``railplan bench --scaling``): one real case through the whole path,
its table and plot, and the refusal of an unknown case."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from benchmarks import scaling
from railplan.cli import main


def test_a_dense_case_measures_every_phase_and_its_density(tmp_path: Path) -> None:
    """10 trains x 100 shipments: every shipment has all 10 trains as options, so 10 options
    a shipment; every phase is timed, the search within its limit."""
    row = scaling.measure("dense-10x100", 1, 2.0)
    assert (row["shipments"], row["departures"], row["options"]) == (100, 10, 1000)
    assert row["options_per_shipment"] == 10.0
    assert all(row[k] >= 0.0 for k, _ in scaling.PHASES)
    assert row["search_s"] <= 2.0 + 1.0
    assert row["total_s"] >= sum(row[k] for k, _ in scaling.PHASES) - 1e-6
    assert row["status"] in ("optimal", "feasible")
    rows = [row, {"case": "dense-25x100", "seed": 1, "status": "failed: out of memory"}]
    table = scaling.markdown(rows).splitlines()
    assert table[2].startswith("| dense-10x100 | 100 | 10.0 |")
    assert table[3].startswith("| dense-25x100 | failed: out of memory |")
    scaling.write_csv(rows, tmp_path / "s.csv")
    assert (tmp_path / "s.csv").read_text().splitlines()[0].startswith("case,seed,time_limit")
    scaling.plot([row, {**row, "case": "dense-10x1000", "shipments": 1000}], tmp_path / "p.png")
    assert (tmp_path / "p.png").read_bytes()[:4] == b"\x89PNG"


def test_an_unknown_case_is_refused_in_one_line(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        main, ["bench", "--scaling", "national-decade", "--out", str(tmp_path)]
    )
    assert res.exit_code == 2
    assert "bench --scaling: unknown case 'national-decade'" in res.output
    assert "Traceback" not in res.output
