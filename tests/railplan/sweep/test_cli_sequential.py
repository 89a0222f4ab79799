"""``railplan sweep --sequential``: the command in this process (no Dask): its JSON table,
its progress lines, its folder, and a re-run into the same folder replacing the earlier one."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from railplan.cli import main

WEEK = """\
base: {generate: {scale: shanxi-week, seed: 2}}
solve: {work_limit: 20, threads: 1}
grid:
  carbon_price: [0, 200]
"""


def test_a_sequential_sweep_prints_its_table_and_progress(
    write_yaml: Callable[[str], Path], tmp_path: Path
) -> None:
    path, out = write_yaml(WEEK), tmp_path / "sw"
    args = ["sweep", str(path), "--out", str(out), "--sequential", "--json"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    table = json.loads(res.stdout)
    assert [r["scenario"] for r in table] == ["base", "g001", "g002"]
    assert [r["carbon_price"] for r in table] == ["", "0", "200"]
    assert all(r["status"] == "optimal" and r["worker"] == "driver" for r in table)
    assert table[0]["objective"] == table[1]["objective"]  # g001 is the base itself
    assert table[2]["objective"] > table[1]["objective"]  # CO2e priced
    lines = res.stderr.splitlines()
    assert lines[0] == "planning 3 scenarios on 1 worker thread(s)"
    pattern = re.compile(r"  (\d)/3 done, 0 failed, 0 running, ETA \d+ s: (\S+) optimal [\d,]+ USD")
    got = [pattern.fullmatch(ln) for ln in lines[1:]]
    assert all(got) and [(m.group(1), m.group(2)) for m in got if m] == [
        ("1", "base"),
        ("2", "g001"),
        ("3", "g002"),
    ]
    assert sorted(p.name for p in out.iterdir()) == [
        "scenarios.csv",
        "scenarios.xlsx",
        "sweep.html",
    ]
    # again into the same folder, keeping plans: the earlier sweep's files are replaced
    res = CliRunner().invoke(main, [*args[:-1], "--keep-plans", "--quiet"])
    assert res.exit_code == 0, res.output
    assert res.stderr == ""
    assert sorted(p.name for p in (out / "plans").iterdir()) == ["base", "g001", "g002"]
    # a folder of other files is refused, nothing written
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    res = CliRunner().invoke(main, ["sweep", str(path), "--out", str(other), "--sequential"])
    assert res.exit_code == 2
    assert "the folder holds files railplan sweep did not write (notes.txt)" in res.stderr
    assert sorted(p.name for p in other.iterdir()) == ["notes.txt"]
