"""Scenario files: the grid's product, the base scenario, the parameters as the table shows
them, and every kind of bad file as one line per problem with its line number (exit 2,
nothing run, nothing written)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from railplan.cli import main
from railplan.cli.sweep import _memory
from railplan.sweep import read_sweep
from railplan.sweep.params import BaseFacts
from railplan.sweep.task import supports_work_limit
from routing.domain.replan import CancelTrain, ClosePort, SetQuota
from routing.generate import generate
from routing.io import InputError
from tests.factories import ROOT
from tests.railplan.sweep.conftest import SMALL

RAILPLAN = str(Path(sys.executable).with_name("railplan"))


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as e:
        read_sweep(path)
    return e.value.problems


def test_the_small_study_expands_to_its_grid_and_listed_scenarios(
    write_yaml: Callable[[str], Path],
) -> None:
    loaded = read_sweep(write_yaml(SMALL))
    ids = [s.scenario_id for s in loaded.sweep.scenarios]
    assert ids == [
        "base",
        "erenhot-2",
        "no-first-train",
        "avoid-fifth",
        "g001",
        "g002",
        "g003",
        "g004",
    ]
    assert loaded.sweep.parameters == (
        "demand",
        "avoid",
        "cancel_train",
        "border_quota",
        "carbon_price",
    )
    g = {s.scenario_id: s for s in loaded.sweep.scenarios}
    # the product runs over the axes in the file's order, the last fastest
    assert dict(g["g001"].labels) == {"demand": "0.9", "carbon_price": "0"}
    assert dict(g["g004"].labels) == {"demand": "1.15", "carbon_price": "80"}
    assert g["g004"].changes.carbon_price == 80.0 and g["g004"].changes.demand[0].factor == 1.15
    assert g["g002"].changes.demand[0].factor == 0.9 and g["g002"].changes.carbon_price == 80.0
    assert (
        g["avoid-fifth"].changes.avoid is not None and g["avoid-fifth"].changes.avoid.share == 0.2
    )
    assert g["no-first-train"].changes.events == (CancelTrain("ZD-MOW-E-20261207"),)
    assert g["erenhot-2"].changes.border_quota == (("erenhot", 2),)
    assert g["base"].labels == () and g["base"].changes.events == ()
    assert all(s.solve.work_limit == 50 and s.solve.threads == 1 for s in loaded.sweep.scenarios)
    batch = generate(loaded.net, "shanxi-month", 3, special=True)
    assert loaded.problem.shipments == batch.shipments  # the base is the generated batch as is


def test_defaults_apply_to_every_scenario_unless_it_sets_the_parameter(
    write_yaml: Callable[[str], Path],
) -> None:
    loaded = read_sweep(
        write_yaml(
            """\
            base: {generate: shanxi-week}
            defaults: {carbon_price: 50, seed: 7}
            scenarios:
              - {id: dear, carbon_price: 120}
              - id: winter
                close_port: [malaszewicze:2026-12-08:2026-12-10]
                quota: {port: Erenhot, from: 2026-12-08, to: 2026-12-09, trains: 0}
            """
        )
    )
    sc = {s.scenario_id: s for s in loaded.sweep.scenarios}
    assert sc["base"].changes.carbon_price == 50 and sc["base"].solve.seed == 7
    assert sc["dear"].changes.carbon_price == 120
    assert sc["winter"].changes.events == (
        ClosePort("malaszewicze", dt.date(2026, 12, 8), dt.date(2026, 12, 10)),
        SetQuota("erenhot", dt.date(2026, 12, 8), 0),
        SetQuota("erenhot", dt.date(2026, 12, 9), 0),
    )


BAD = """\
name: bad
base:
  generate: {scale: shanxi-month, seed: 3}
solve: {time_limit: 5, thread: 2}
scenarios:
  - id: a
    demnd: 1.2
  - id: a
    close_port: malaszewice:2026-12-15:2026-12-31
  - id: c
    cancel_train: ZD-MOW-E-20261299
  - id: d
    quota: {port: taiyuan, from: 2026-12-10, to: 2026-12-01, trains: 1}
    avoid: 1.5
  - id: base
    demand: {factor: 2, corridor: atlantis}
grid:
  demand: 1.2
  carbon_price: []
  close_port: [none, erenhot:2026-12-15]
"""


def test_a_bad_file_is_one_line_per_problem_with_its_line(
    write_yaml: Callable[[str], Path],
) -> None:
    assert problems(write_yaml(BAD)) == [
        "sweep.yaml: line 4: solve.thread: unknown key 'thread'; did you mean 'threads'? expected one of time_limit, work_limit, seed, threads",
        "sweep.yaml: line 7: scenarios[0].demnd: unknown parameter 'demnd'; did you mean 'demand'? (expected one of "
        "demand, avoid, cancel_train, close_port, quota, delay_train, border_quota, extra_departures, carbon_price, "
        "unassigned_penalty, time_limit, work_limit, seed)",
        "sweep.yaml: line 9: scenarios[1].close_port: unknown place 'malaszewice'; did you mean 'malaszewicze'?",
        "sweep.yaml: line 8: scenarios[1].id: duplicate scenario id 'a' (also on line 6)",
        "sweep.yaml: line 11: scenarios[2].cancel_train: unknown departure 'ZD-MOW-E-20261299' in the base; "
        "did you mean 'ZD-MOW-M-20261209' or 'ZD-MOW-E-20261221'?",
        "sweep.yaml: line 13: scenarios[3].quota: 'taiyuan': expected a border port of the network",
        "sweep.yaml: line 14: scenarios[3].avoid: 1.5: expected a number from 0 to 1",
        "sweep.yaml: line 16: scenarios[4].demand.corridor: unknown corridor 'atlantis' in the base",
        "sweep.yaml: line 15: scenarios[4].id: 'base': expected an id other than base and g<number> "
        "(the base's and the grids')",
        "sweep.yaml: line 18: grid.demand: 1.2: expected a non-empty list of values (one per scenario)",
        "sweep.yaml: line 19: grid.carbon_price: []: expected a non-empty list of values (one per scenario)",
        "sweep.yaml: line 20: grid.close_port[1]: 'erenhot:2026-12-15': expected PORT:FROM:TO or a mapping of "
        "port, from, to",
    ]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "base: {generate: shanxi-week}\ngrid:\n  demand: [1, 2\n",
            "sweep.yaml: line 4: malformed YAML: expected ',' or ']', but got '<stream end>'",
        ),
        (
            "base: {generate: shanxi-week}\nbase: {generate: shanxi-month}\n",
            "sweep.yaml: line 2: base: duplicate key (first on line 1)",
        ),
        (
            "base: {generate: shanxi-week}\nsenarios: []\n",
            "sweep.yaml: line 2: senarios: unknown key 'senarios'; did you mean 'scenarios'? expected one of name, base, solve, defaults, scenarios, grid",
        ),
        (
            "base: {generate: {scale: shanxi-day}}\n",
            "sweep.yaml: line 1: base.generate.scale: 'shanxi-day': expected one of shanxi-week, shanxi-month",
        ),
        (
            "base: {ledger: 'sqlite:////nonexistent/x.db', move_penalty: lots}\n",
            "sweep.yaml: line 1: base.move_penalty: 'lots': expected a number from 0 to 1e+07",
        ),
        (
            "base: {ledger: 'sqlite:////nonexistent/x.db'}\n",
            "sweep.yaml: base: --db sqlite:////nonexistent/x.db: no such file",
        ),
        (
            "base: {shipments: nowhere.csv}\n",
            "sweep.yaml: line 1: base.shipments: 'nowhere.csv': no such file or folder",
        ),
        (
            "base: {generate: shanxi-week}\ngrid: [{demand: [1.0]}, {delay_train: [X:2]}]\n",
            "sweep.yaml: line 2: grid[1].delay_train[0]: unknown departure 'X' in the base",
        ),
        (
            "base: {generate: shanxi-week}\nscenarios:\n  - {id: x, extra_departures: {like: ZD-MOW-E-20261207, date: 2026-13-01}}\n",
            "sweep.yaml: line 3: scenarios[0].extra_departures.date: '2026-13-01': expected a date YYYY-MM-DD",
        ),
    ],
)
def test_each_kind_of_bad_file(write_yaml: Callable[[str], Path], text: str, line: str) -> None:
    got = problems(write_yaml(text))
    assert len(got) == 1 and got[0].startswith(line), got


def test_a_grid_over_the_limit_is_refused_before_anything_is_built(
    write_yaml: Callable[[str], Path],
) -> None:
    axes = "\n".join(f"  p{i}: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]" for i in range(5))
    got = problems(
        write_yaml(f"base: {{generate: shanxi-week}}\ngrid:\n{axes}\n".replace("p0", "demand"))
    )
    assert "sweep.yaml: line 2: grid: 100000 scenarios: expected at most 10000" in got


def test_work_limit_is_passed_only_where_the_optimiser_has_one(
    write_yaml: Callable[[str], Path],
) -> None:
    path = write_yaml("base: {generate: shanxi-week}\nsolve: {work_limit: 50}\n")
    if supports_work_limit():
        assert read_sweep(path).sweep.scenarios[0].solve.work_limit == 50
    else:
        assert problems(path) == [
            "sweep.yaml: line 2: solve.work_limit: this railplan's optimiser has no deterministic work "
            "limit yet (routing.api.solve_problem takes no work_limit); use time_limit"
        ]


def test_facts_of_the_base_name_what_scenarios_may_refer_to(
    write_yaml: Callable[[str], Path],
) -> None:
    loaded = read_sweep(write_yaml(SMALL))
    facts = BaseFacts.of(loaded.problem)
    assert "ZD-MOW-E-20261207" in facts.departures
    assert facts.corridors == {"laos_vietnam", "mongolian", "northern", "trans_caspian", "western"}


def test_the_cli_exits_2_and_writes_nothing(
    write_yaml: Callable[[str], Path], tmp_path: Path
) -> None:
    path = write_yaml(BAD)
    out = tmp_path / "out"
    res = subprocess.run(
        [RAILPLAN, "sweep", str(path), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert res.returncode == 2, res.stderr
    lines = res.stderr.splitlines()
    assert len(lines) == 12 and all(ln.startswith("error: sweep.yaml: line ") for ln in lines)
    assert "Traceback" not in res.stderr and res.stdout == ""
    assert not out.exists()


def test_list_prints_the_scenarios_and_plans_nothing(
    write_yaml: Callable[[str], Path], tmp_path: Path
) -> None:
    res = CliRunner().invoke(
        main, ["sweep", str(write_yaml(SMALL)), "--list", "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines()[0].split() == ["base", "(the", "base)"]
    assert res.stdout.splitlines()[-1] == "8 scenarios"
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("text", "value"),
    [("auto", "auto"), ("2GiB", "2GiB"), ("0.5", 0.5), ("1.5e9", "1500000000")],
)
def test_memory_limits_dask_reads(text: str, value: str | float) -> None:
    assert _memory(text) == value


@pytest.mark.parametrize("text", ["lots", "0", "-1", "nan", "inf"])
def test_bad_memory_limits_are_refused(text: str) -> None:
    with pytest.raises(InputError) as e:
        _memory(text)
    assert e.value.problems == [
        f"--memory-limit {text!r}: expected auto, a size like 2GiB or a fraction like 0.5"
    ]
