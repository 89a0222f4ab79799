"""The report's main effects: the mean of each figure over the grid scenarios at each value."""

from __future__ import annotations

from typing import Any

from railplan.sweep.report import MEANS, effects


def row(
    sid: str, demand: str, carbon: str, objective: float, status: str = "optimal"
) -> dict[str, Any]:
    r: dict[str, Any] = dict.fromkeys(MEANS, 1.0)
    r.update(scenario=sid, demand=demand, carbon_price=carbon, objective=objective, status=status)
    return r


def test_effects_average_the_grid_at_each_value_and_skip_what_does_not_vary() -> None:
    table = [
        row("base", "", "", 999.0),  # not a grid scenario: left out while there is a grid
        row("g001", "1.0", "0", 10.0),
        row("g002", "1.0", "80", 14.0),
        row("g003", "1.2", "0", 20.0),
        row("g004", "1.2", "80", 0.0, status="failed"),  # failed: no figures
    ]
    eff = effects(("demand", "carbon_price", "avoid"), table)
    assert list(eff) == ["demand", "carbon_price"]  # avoid is never set: one value
    assert [(v["value"], v["scenarios"], v["objective"]) for v in eff["demand"]] == [
        ("1.0", 2, 12.0),
        ("1.2", 1, 20.0),
    ]
    assert [(v["value"], v["objective"]) for v in eff["carbon_price"]] == [
        ("0", 15.0),
        ("80", 14.0),
    ]


def test_without_a_grid_every_scenario_counts_and_unset_is_its_own_value() -> None:
    table = [row("base", "", "", 5.0), row("more", "1.2", "", 9.0), row("most", "1.5", "", 11.0)]
    eff = effects(("demand",), table)
    assert [(v["value"], v["objective"]) for v in eff["demand"]] == [
        ("(not set)", 5.0),
        ("1.2", 9.0),
        ("1.5", 11.0),
    ]
