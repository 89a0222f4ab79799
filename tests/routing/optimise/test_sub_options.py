"""A part's options taken from the batch's (:func:`sub_options`) are exactly the options
built afresh for the part's sub-problem, on generated batches with every special case
(no-split lots, avoided countries, dangerous goods, drayage, reefers), bookings with move
penalties, a pinned booking and a carbon price."""

from __future__ import annotations

import dataclasses

import pytest

import network
from routing.api import make_problem
from routing.domain.model import Problem
from routing.domain.options import build_options
from routing.generate import generate
from routing.optimise.decompose import _sub_problem, _UnionFind, parts, sub_options


def _batch(scale: str, seed: int) -> Problem:
    net = network.load()
    b = generate(net, scale, seed, special=True)
    ships = list(b.shipments)
    for i in range(0, len(ships), 7):  # every seventh shipment booked on its first departure
        mine = [d for d in b.departures if d.origin == ships[i].origin]
        if mine:
            ships[i] = dataclasses.replace(
                ships[i],
                booked_on=mine[0].departure_id,
                move_penalty_per_container=250.0,
                pinned=i % 21 == 0,
            )
    p = make_problem(ships, net, b.departures, border_quota=b.quota, scope="all")
    return dataclasses.replace(p, carbon_price_per_t=90.0)


@pytest.mark.parametrize(("scale", "seed"), [("shanxi-month", 3), ("national-week", 1)])
def test_every_part_gets_the_options_built_afresh(scale: str, seed: int) -> None:
    p = _batch(scale, seed)
    opts = build_options(p)
    found = parts(p, opts, _UnionFind(len(p.departures)))
    assert len(found) > 3
    assert any(o.stay_credit_per_container > 0 for o in opts.options)
    assert any(o.co2e_cost_per_container > 0 for o in opts.options)
    for part in found:
        fresh = build_options(_sub_problem(p, part))
        taken = sub_options(opts, part)
        assert taken.options == fresh.options
        assert taken.by_shipment == fresh.by_shipment
        assert fresh.reasons == taken.reasons == {}
