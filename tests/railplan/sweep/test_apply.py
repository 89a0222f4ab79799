"""A scenario's changes applied to the base problem: exact container counts of the demand
rule, nested avoidance shares, corridor filters, extra trains, quotas, events."""

from __future__ import annotations

import datetime as dt
import math

import pytest

import network
from railplan.sweep.apply import corridors, scenario_problem, unit
from railplan.sweep.spec import AvoidRule, Changes, DemandRule, ExtraDeparture
from routing.api import make_problem
from routing.domain.model import Problem
from routing.domain.replan import CancelTrain, ClosePort, EventError
from routing.generate import generate


@pytest.fixture(scope="module")
def base(net: network.Network) -> Problem:
    """A generated Shanxi month (seed 3), as a sweep's base."""
    b = generate(net, "shanxi-month", 3, special=True)
    return make_problem(b.shipments, net, b.departures, border_quota=b.quota, scope="shanxi")


def test_demand_scales_each_shipment_by_its_rounding_rule(
    base: Problem, net: network.Network
) -> None:
    p = scenario_problem(base, net, Changes(demand=(DemandRule(factor=1.3),)))
    after = {s.shipment_id: s.containers for s in p.shipments}
    for s in base.shipments:
        x = 1.3 * s.containers
        want = math.floor(x) + (unit(f"demand:{s.shipment_id}") < x - math.floor(x))
        assert after[s.shipment_id] == want
    total, before = sum(after.values()), sum(s.containers for s in base.shipments)
    assert abs(total / before - 1.3) < 0.03  # the rounding is unbiased
    assert [s.shipment_id for s in p.shipments] == [s.shipment_id for s in base.shipments]


def test_a_demand_of_zero_empties_the_batch_and_one_keeps_it(
    base: Problem, net: network.Network
) -> None:
    assert scenario_problem(base, net, Changes(demand=(DemandRule(factor=0.0),))).shipments == ()
    assert (
        scenario_problem(base, net, Changes(demand=(DemandRule(factor=1.0),))).shipments
        == base.shipments
    )


def test_a_corridor_rule_touches_only_its_corridor(base: Problem, net: network.Network) -> None:
    by_dest = corridors(base)
    p = scenario_problem(
        base, net, Changes(demand=(DemandRule(factor=2.0, corridor="laos_vietnam"),))
    )
    after = {s.shipment_id: s.containers for s in p.shipments}
    grown = 0
    for s in base.shipments:
        if "laos_vietnam" in by_dest.get(s.destination, ()):
            assert after[s.shipment_id] == 2 * s.containers
            grown += 1
        else:
            assert after[s.shipment_id] == s.containers
    assert grown > 0


def test_avoidance_shares_are_nested_and_near_their_share(
    base: Problem, net: network.Network
) -> None:
    def avoiders(share: float) -> set[str]:
        p = scenario_problem(base, net, Changes(avoid=AvoidRule(share=share)))
        return {s.shipment_id for s in p.shipments if {"RU", "BY"} <= s.avoid_countries}

    already = avoiders(0.0)
    third, half = avoiders(1 / 3), avoiders(0.5)
    assert already < third < half
    n = len(base.shipments)
    assert abs(len(third - already) / n - 1 / 3) < 0.06


def test_extra_trains_quotas_and_events(base: Problem, net: network.Network) -> None:
    like = next(d for d in base.departures if d.departure_id == "ZD-MOW-E-20261207")
    changes = Changes(
        extra_departures=(ExtraDeparture(like=like.departure_id, date=dt.date(2026, 12, 10)),),
        border_quota=(("erenhot", 3),),
        events=(CancelTrain("ZD-DUI-A-20261208"),),
        carbon_price=80.0,
    )
    p = scenario_problem(base, net, changes)
    ids = {d.departure_id for d in p.departures}
    assert "ZD-DUI-A-20261208" not in ids
    extra = next(d for d in p.departures if d.departure_id == f"{like.service_id}-20261210")
    assert extra.depart_date == dt.date(2026, 12, 10) and extra.route == like.route
    assert p.quota["erenhot"] == 3 and p.carbon_price_per_t == 80.0
    assert len(p.departures) == len(base.departures)  # one more, one less


def test_a_closed_port_removes_the_trains_that_cross_it(
    base: Problem, net: network.Network
) -> None:
    ev = ClosePort("malaszewicze", dt.date(2026, 12, 1), dt.date(2027, 2, 28))
    p = scenario_problem(base, net, Changes(events=(ev,)))
    assert all("malaszewicze" not in d.route for d in p.departures)
    assert len(p.departures) < len(base.departures)


def test_an_event_that_cannot_apply_raises(base: Problem, net: network.Network) -> None:
    with pytest.raises(EventError):
        scenario_problem(base, net, Changes(events=(CancelTrain("NO-SUCH-TRAIN"),)))
