"""The report's CO2e chart: per corridor WTW and TTW as the plan's summary has them, the
corridor of read-back departures found from the network, g per TEU-km by hand, the section
in both languages, and the note for a plan without CO2e."""

from __future__ import annotations

import dataclasses

import pytest

import network
import routing
from maps import charts, i18n
from maps.report import report_html
from routing.domain.plan import Plan
from tests.factories import SAMPLE


@pytest.fixture(scope="module")
def plan(net: network.Network) -> Plan:
    """The sample batch, planned (CO2e from the bundled factors)."""
    p = routing.plan(routing.read_shipments(str(SAMPLE), net), net, time_limit=10)
    assert len({a.departure_id for a in p.assignments}) > 10
    return p


def test_corridor_totals_are_the_summary_s(plan: Plan, net: network.Network) -> None:
    rows = charts.co2e_by_corridor(plan, net)
    summary = plan.summary["co2e_by_corridor"]
    assert set(rows) == set(summary)
    for corridor, (wtw, ttw, _teu_km) in rows.items():
        assert wtw == pytest.approx(summary[corridor]["wtw_kg"], abs=0.005 * len(plan.assignments))
        assert ttw == pytest.approx(summary[corridor]["ttw_kg"], abs=0.005 * len(plan.assignments))


def test_read_back_departures_get_their_corridor_from_the_network(
    plan: Plan, net: network.Network
) -> None:
    """Departures read from a plan folder carry no corridor: the service's is used."""
    bare = tuple(dataclasses.replace(d, corridor="") for d in plan.problem.departures)
    read_back = dataclasses.replace(
        plan, problem=dataclasses.replace(plan.problem, departures=bare)
    )
    assert charts.co2e_by_corridor(read_back, net) == charts.co2e_by_corridor(plan, net)
    assert set(charts.co2e_by_corridor(read_back)) == {"other"}


def test_teu_km_is_teu_times_the_route_s_rail_km(plan: Plan, net: network.Network) -> None:
    """Mongolian corridor (no out-and-back legs): sum of TEU x the km of the route's links."""
    deps = {d.departure_id: d for d in plan.problem.departures}
    km = {(lk.a, lk.b): lk.distance_km for lk in net.links if lk.mode == "rail"}
    km |= {(b, a): v for (a, b), v in list(km.items())}
    want = 0.0
    for a in plan.assignments:
        d = deps[a.departure_id]
        if d.corridor == "mongolian":
            want += a.teu * sum(km[(x, y)] for x, y in zip(d.route, d.route[1:], strict=False))
    assert want > 0
    assert charts.co2e_by_corridor(plan, net)["mongolian"][2] == pytest.approx(want)


def test_report_has_the_co2e_section_in_both_languages(plan: Plan, net: network.Network) -> None:
    en = report_html(plan, net, offline=True)
    assert '<section id="co2e"><h2>CO2e (ISO 14083 / GLEC, indicative)</h2>' in en
    assert 'id="chart-co2e"><img alt="CO2e by corridor' in en
    zh = report_html(plan, net, offline=True, lang="zh")
    assert "碳排放（二氧化碳当量，ISO 14083 / GLEC 框架，参考值）" in zh
    assert "CO2e (ISO 14083" not in zh


def test_a_plan_without_co2e_gets_the_note(plan: Plan) -> None:
    bare = tuple(dataclasses.replace(a, co2e_wtw_kg=0.0, co2e_ttw_kg=0.0) for a in plan.assignments)
    empty = dataclasses.replace(plan, assignments=bare)
    assert charts.co2e_chart(empty) == charts._empty(i18n.text("chart.no_co2e"))
    assert charts.co2e_chart(plan) != charts.co2e_chart(empty)
