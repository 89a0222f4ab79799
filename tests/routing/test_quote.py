"""routing.quote: the rail options on what is left (each refusal where only its rule binds,
prices and CO2e recomputed by hand), the sort orders, the sea and air alternatives from the
dated tables, and a solver-free import."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import subprocess
import sys
from pathlib import Path

import pytest

import network
from network.table import TableError
from routing.domain.co2 import chain, totals
from routing.io.factors import load_factors
from routing.quote import (
    Capacity,
    CrossingUse,
    QuoteRequest,
    TrainUse,
    default_tables,
    make_context,
    quote,
    read_tables,
)
from routing.quote.alternatives import great_circle_km
from routing.quote.tables import sea_km

READY = dt.date(2026, 12, 7)


@pytest.fixture(scope="module")
def net() -> network.Network:
    return network.load()


@pytest.fixture(scope="module")
def ctx(net: network.Network):  # type: ignore[no-untyped-def]
    return make_context(net, load_factors())


@pytest.fixture(scope="module")
def duisburg(net: network.Network) -> network.Departure:
    """The first Zhongding -> Duisburg train on or after 7 December 2026 (a Tuesday train)."""
    return next(d for d in net.departures(READY, 21) if d.service_id == "ZD-DUI-A")


def req(**kw: object) -> QuoteRequest:
    base: dict[str, object] = {
        "origin": "zhongding",
        "destination": "duisburg",
        "containers": 10,
        "ready_date": READY,
    }
    base.update(kw)
    return QuoteRequest(**base)  # type: ignore[arg-type]


def one(d: network.Departure, **kw: object) -> Capacity:
    return Capacity(trains=(TrainUse(departure=d, **kw),), version=7, source="test")  # type: ignore[arg-type]


def test_option_prices_dates_and_co2_by_hand(ctx, duisburg) -> None:  # type: ignore[no-untyped-def]
    q = quote(
        req(due_date=duisburg.arrival_date - dt.timedelta(days=2)),
        one(duisburg, used_teu=30, active_bookings=3),
        ctx,
    )
    (o,) = q.options
    assert o.freight_usd == pytest.approx(duisburg.rate_per_teu * 20) and o.rate_basis == "tariff"
    assert o.first_mile_usd == o.last_mile_usd == 0.0
    assert o.total_usd == pytest.approx(o.freight_usd) and o.per_container_usd == pytest.approx(
        o.total_usd / 10
    )
    assert o.arrival_date == duisburg.arrival_date and o.late_days == 2
    assert o.border_port == duisburg.border_port and o.border_date == duisburg.border_date
    assert o.left_teu_after == duisburg.capacity_teu - 50
    assert o.teu_to_minimum == max(0, duisburg.min_load_teu - 50) and not o.runs
    wtw, ttw = totals(chain(req().shipment(), duisburg, ctx.info, ctx.factors))
    assert (o.co2e_wtw_kg, o.co2e_ttw_kg) == pytest.approx((wtw, ttw)) and wtw > ttw > 0
    assert q.version == 7 and q.valid_until - q.made_at == dt.timedelta(hours=24)


def test_first_mile_truck_and_contract_rate(ctx, duisburg) -> None:  # type: ignore[no-untyped-def]
    cap = dataclasses.replace(one(duisburg), rates={"ZD-DUI-A": 1234.0})
    (o,) = quote(req(origin="jiexiu"), cap, ctx).options  # jiexiu -> zhongding: 200 USD/TEU, 1 day
    assert o.first_mile_usd == 200.0 * 20 and o.rate_basis == "contract"
    assert o.freight_usd == 1234.0 * 20 and o.total_usd == 1234.0 * 20 + 4000.0
    # a ready date one day before departure leaves no time for the truck day... still fits
    late = quote(req(origin="jiexiu", ready_date=duisburg.depart_date), cap, ctx)
    assert late.options == () and late.refusals == ()


@pytest.mark.parametrize(
    ("use", "kw", "dep", "code"),
    [
        ({"state": "cancelled"}, {}, {}, "cancelled"),
        ({}, {"avoid_countries": frozenset({"KZ"})}, {}, "avoided_countries"),
        ({}, {"container_type": "40RF"}, {"reefer_plugs": 0}, "reefer"),
        ({"used_plugs": 25}, {"container_type": "40RF"}, {"reefer_plugs": 30}, "reefer"),
        ({}, {"dg_class": "3"}, {"dg_allowed": False}, "dangerous_goods"),
        ({"used_teu": 91}, {}, {}, "full"),
    ],
)
def test_each_refusal_alone(ctx, duisburg, use, kw, dep, code) -> None:  # type: ignore[no-untyped-def]
    d = dataclasses.replace(duisburg, **dep)
    q = quote(req(**kw), one(d, **use), ctx)
    assert q.options == () and [r.code for r in q.refusals] == [code]
    assert "--explain" in q.note
    # the same train and request with only that rule relaxed: it fits
    relaxed_use = {"used_teu": 90} if code == "full" else {}
    relaxed_dep = {"reefer_plugs": 30, "dg_allowed": True}
    relaxed_kw = {k: v for k, v in kw.items() if k == "container_type"}
    fits = quote(req(**relaxed_kw), one(dataclasses.replace(d, **relaxed_dep), **relaxed_use), ctx)
    assert len(fits.options) == 1


def test_too_heavy_and_quota(ctx, duisburg) -> None:  # type: ignore[no-untyped-def]
    heavy = dataclasses.replace(duisburg, max_gross_t=250.0)
    q = quote(req(gross_t=26.0), one(heavy, used_gross_t=0.0), ctx)
    assert [r.code for r in q.refusals] == ["too_heavy"]
    assert quote(req(gross_t=25.0), one(heavy), ctx).options
    day = (duisburg.border_port, duisburg.border_date)
    full = CrossingUse(port=day[0], day=day[1], trains=2, quota=2)
    cap = dataclasses.replace(one(duisburg), crossings={day: full})
    assert [r.code for r in quote(req(), cap, ctx).refusals] == ["quota"]
    # a train that already carries bookings already has its crossing: the quota does not bind
    cap2 = dataclasses.replace(one(duisburg, used_teu=2, active_bookings=1), crossings={day: full})
    assert quote(req(), cap2, ctx).options


def test_sort_orders_and_top(ctx, net) -> None:  # type: ignore[no-untyped-def]
    deps = [d for d in net.departures(READY, 21, scope="all") if d.destination == "duisburg"]
    cap = Capacity(trains=tuple(TrainUse(departure=d) for d in deps))
    for sort, key in (("price", "total_usd"), ("arrival", "arrival_date"), ("co2", "co2e_wtw_kg")):
        q = quote(req(origin="xian", sort=sort, top=3), cap, ctx)
        got = [getattr(o, key) for o in q.options]
        assert len(got) == 3 and got == sorted(got) and q.eligible > 3
    none = quote(req(origin="kunming"), cap, ctx)
    assert none.options == () and "no train from kunming to duisburg" in none.note


def test_sea_and_air_by_hand(ctx, duisburg, net) -> None:  # type: ignore[no-untyped-def]
    q = quote(req(), one(duisburg), ctx)
    sea, air = q.alternatives
    t = default_tables()
    assert sea.available and sea.route[1] == "CNTSN" and sea.route[2] in {"BEANR", "NLRTM"}
    leg = t.sea_legs[(sea.route[1], sea.route[2])]
    assert sea.main_km == leg.km_suez
    z = net.nodes["zhongding"]
    tj = next(p for p in t.ports if p.code == "CNTSN")
    truck_km = great_circle_km((z.lat, z.lon), (tj.lat, tj.lon)) * 1.25
    d_port = next(p for p in t.ports if p.code == sea.route[2])
    dn = net.nodes["duisburg"]
    last_km = great_circle_km((dn.lat, dn.lon), (d_port.lat, d_port.lon)) * 1.25
    trucks = (max(100, 1.5 * truck_km) + max(100, 1.5 * last_km)) * 20
    assert sea.cost_low_usd == pytest.approx(2564.6 * 10 + trucks)
    assert sea.cost_high_usd == pytest.approx(7001 * 10 + trucks)
    day_km = 16 * 1.852 * 24
    days = math.ceil(1 + 2 * 2 + leg.km_suez / day_km + 0 + 1)
    assert sea.days_low == days and sea.days_high > sea.days_low
    mass = 10 * (20.0 - 3.9)
    f = ctx.factors.factors
    wtw = (
        mass * (truck_km + last_km) * f["road_truck_artic"].wtw / 1000
        + mass * leg.km_suez * 1.15 * f["sea_container_avg"].wtw / 1000
        + 2 * 20 * f["hub_port_container_handling"].wtw
    )
    assert sea.co2e_wtw_kg == pytest.approx(wtw)
    assert air.available and air.route[1:3] == ("TYN", "CGN")
    a, b = (next(p for p in t.airports if p.code == c) for c in ("TYN", "CGN"))
    assert air.main_km == pytest.approx(great_circle_km((a.lat, a.lon), (b.lat, b.lon)) + 95)
    assert air.cost_low_usd > 3.93 * mass * 1000 and (air.days_low, air.days_high) == (7, 9)
    assert (
        air.co2e_wtw_kg is not None and air.co2e_wtw_kg > 20 * q.options[0].co2e_wtw_kg
    )  # air far above rail


def test_no_sea_for_a_landlocked_destination(ctx, net) -> None:  # type: ignore[no-untyped-def]
    d = next(x for x in net.departures(READY, 21) if x.destination == "almaty")
    sea, air = quote(req(destination="almaty"), one(d), ctx).alternatives
    assert not sea.available and "no import port within 1,500 km of almaty" in sea.note
    assert air.available and air.route[2] == "ALA"


def test_sea_table_is_searoutes_distance() -> None:
    t = default_tables()
    a, b = (next(p for p in t.ports if p.code == c) for c in ("CNTAO", "NLRTM"))
    assert sea_km(a, b) == pytest.approx(t.sea_legs[("CNTAO", "NLRTM")].km_suez, abs=1)
    assert t.sea_legs[("CNTAO", "NLRTM")].km_cape > t.sea_legs[("CNTAO", "NLRTM")].km_suez + 3000


def test_a_bad_table_names_file_row_and_column(tmp_path: Path) -> None:
    src = Path(network.data_dir()).parent / "alternatives"
    for name in ("ports.csv", "airports.csv", "figures.csv", "sea_legs.csv"):
        (tmp_path / name).write_text((src / name).read_text(encoding="utf-8"), encoding="utf-8")
    text = (tmp_path / "figures.csv").read_text(encoding="utf-8")
    (tmp_path / "figures.csv").write_text(
        text.replace("sea_speed,16,16", "sea_speed,fast,16"), encoding="utf-8"
    )
    with pytest.raises(TableError) as e:
        read_tables(tmp_path)
    assert e.value.problems == [
        "figures.csv: row 3, column low: 'fast': expected a number from 0 to 1e+06"
    ]


def test_bad_request_fields_raise() -> None:
    with pytest.raises(ValueError, match="gross_t"):
        req(gross_t=31.0)
    with pytest.raises(ValueError, match="sort"):
        req(sort="cheapest")


def test_the_quote_path_imports_no_solver() -> None:
    code = (
        "import sys, routing.quote, railplan.cli.quote, railplan.ledger\n"
        "print([m for m in ('routing.optimise', 'routing.api', 'ortools', 'highspy', 'folium',"
        " 'matplotlib') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"
