"""CO2e per transport chain element (routing.domain.co2): a shipment recomputed by hand from
the factor table, the carbon price in the objective, the factor table reader's errors."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

import network
import routing
from routing.api import make_problem
from routing.domain import co2
from routing.domain.costs import cost_breakdown
from routing.domain.options import build_options
from routing.domain.solution import Solution
from routing.io import InputError
from routing.io.factors import default_factors_path, read_factors
from tests.factories import DAY, dep, problem, ship, solve

FACTORS_CSV = Path(__file__).resolve().parents[2] / "data" / "co2" / "factors.csv"


@pytest.fixture(scope="module")
def net() -> network.Network:
    return network.load()


def table() -> dict[str, tuple[float, float]]:
    """The bundled table read with the csv module alone: key -> (wtw, ttw), empty as 0."""
    with FACTORS_CSV.open(encoding="utf-8", newline="") as f:
        return {r["key"]: (float(r["wtw"] or 0), float(r["ttw"] or 0)) for r in csv.DictReader(f)}


def test_hand_recomputation_zhongding_duisburg_via_alashankou(net: network.Network) -> None:
    """2 x 40HC of 20 t gross from Jiexiu (truck to Zhongding) to Rotterdam (truck from
    Duisburg) on the Alashankou train: every element's km, t km, factor and WTW/TTW."""
    route = net.route(["zhongding", "alashankou", "duisburg"]).nodes
    d = dep("ZD-DUI-A-1", route=route, border_port="alashankou")
    sh = ship("S1", 2, container_type="40HC", gross_t=20.0, origin="jiexiu")
    sh = dataclasses.replace(sh, destination="rotterdam")
    t = 2 * (20.0 - 3.9)  # cargo: gross less the 40HC tare of 3.9 t, two boxes
    f = table()
    # element, from, to, km, factor key (km: the links of data/network/links.csv)
    expected = [
        ("first_mile", "jiexiu", "zhongding", 131, "road_truck_artic"),
        ("rail", "zhongding", "alashankou", 835 + 288 + 1075 + 558 + 391 + 69, "rail_electric_CN"),
        ("rail", "alashankou", "dostyk", 14, "rail_diesel_KZ"),  # border track: far end KZ
        ("transshipment", "dostyk", "dostyk", 0, "hub_rail_transshipment"),  # 1435 -> 1520
        ("rail", "dostyk", "petropavl", 360 + 601 + 577 + 549, "rail_diesel_KZ"),
        ("rail", "petropavl", "smolensk", 722 + 1772 + 463, "rail_electric_RU"),
        ("rail", "smolensk", "brest", 384 + 408, "rail_electric_BY"),
        ("rail", "brest", "malaszewicze", 20, "rail_diesel_PL"),
        ("transshipment", "malaszewicze", "malaszewicze", 0, "hub_rail_transshipment"),
        ("rail", "malaszewicze", "poznan", 358 + 209, "rail_electric_PL"),
        ("rail", "poznan", "duisburg", 203 + 410 + 287, "rail_electric_DE"),
        ("last_mile", "duisburg", "rotterdam", 209, "road_truck_artic"),
    ]
    info = co2.net_route_info(net)
    factors = read_factors(default_factors_path())
    got = co2.chain(sh, d, info, factors)
    assert [(e.element, e.frm, e.to, e.km, e.factor_key) for e in got] == [
        (el, a, b, float(km), key) for el, a, b, km, key in expected
    ]
    total_w = total_t = 0.0
    for e, (el, _, _, km, key) in zip(got, expected, strict=True):
        w, tt = f[key]
        if el == "transshipment":  # kg per TEU, 2 x 40ft = 4 TEU
            assert (e.tkm, e.teu) == (0.0, 4)
            want_w, want_t = 4 * w, 4 * tt
        else:  # g per t km
            assert e.t == pytest.approx(t)
            assert e.tkm == pytest.approx(t * km)
            want_w, want_t = t * km * w / 1000, t * km * tt / 1000
        assert e.wtw_kg == pytest.approx(want_w, rel=1e-12)
        assert e.ttw_kg == pytest.approx(want_t, rel=1e-12, abs=1e-12)
        total_w += want_w
        total_t += want_t
    # the numbers of the README's worked example
    assert got[0].wtw_kg == pytest.approx(400.81, abs=0.01)  # 32.2 t x 131 km x 95.02 g
    assert got[1].wtw_kg == pytest.approx(1564.72, abs=0.01)  # 32.2 t x 3,216 km x 15.11 g
    assert got[3].wtw_kg == 28.0 and got[3].ttw_kg == 0.0
    assert co2.totals(got) == pytest.approx((total_w, total_t))
    assert total_w == pytest.approx(6117.02, abs=0.01)
    assert total_t == pytest.approx(2065.83, abs=0.01)
    # one container's WTW, as the carbon price sees it
    one = co2.per_container_wtw_kg(sh, d, info, factors)
    assert 2 * one == pytest.approx(total_w, rel=1e-12)


def test_rail_factor_fallbacks() -> None:
    factors = read_factors(default_factors_path())
    f, note = co2.rail_factor(factors, "TR", "electric")  # no TR rows
    assert f.key == "rail_diesel_EU27" and "EU-27 diesel" in note
    f, note = co2.rail_factor(factors, "MN", "electric")  # no electric row for Mongolia
    assert f.key == "rail_diesel_MN" and "diesel used" in note
    f, note = co2.rail_factor(factors, "CN", "")
    assert f.key == "rail_diesel_CN" and "traction not given" in note


def test_bundled_rail_links_all_have_a_sourced_traction(net: network.Network) -> None:
    rail = [lk for lk in net.links if lk.mode == "rail"]
    assert rail and all(lk.traction in ("electric", "diesel") for lk in rail)
    assert all(lk.traction_source for lk in rail)
    assert all(not lk.traction for lk in net.links if lk.mode != "rail")
    by = {(lk.a, lk.b): lk.traction for lk in rail}
    assert by[("zamyn_uud", "ulaanbaatar")] == "diesel"  # Mongolia
    assert by[("irkutsk", "novosibirsk")] == "electric"  # Trans-Siberian
    assert by[("boten", "vientiane")] == "electric"  # China-Laos


def test_carbon_price_changes_the_chosen_train(net: network.Network) -> None:
    """Two trains Zhongding -> Duisburg: via Alashankou (2,100 km of diesel in Kazakhstan)
    10 USD/TEU cheaper, and via Erenhot (1,100 km of diesel in Mongolia). Without a carbon
    price the cheaper one is chosen; at 100 USD/t the one with less WTW CO2e, and the
    objective is freight + price x WTW exactly."""
    via_a = net.route(["zhongding", "alashankou", "duisburg"]).nodes
    via_e = net.route(["zhongding", "erenhot", "duisburg"]).nodes
    d_a = dep("VIA-A", route=via_a, border_port="alashankou", rate_per_teu=90.0)
    d_e = dep("VIA-E", route=via_e, border_port="erenhot", rate_per_teu=100.0)
    sh = ship("S1", 5, container_type="40HC", gross_t=25.0)
    info = co2.net_route_info(net)
    factors = read_factors(default_factors_path())
    w_a = co2.totals(co2.chain(sh, d_a, info, factors))[0]
    w_e = co2.totals(co2.chain(sh, d_e, info, factors))[0]
    # 100 USD/t x the difference is more than the 10 x 10 USD saved in freight
    assert 100.0 * (w_a - w_e) / 1000 > 10 * 10.0

    def plan_at(price: float) -> routing.Plan:
        return solve(make_problem([sh], net, [d_a, d_e], carbon_price=price))

    free = plan_at(0.0)
    assert [a.departure_id for a in free.assignments] == ["VIA-A"]
    assert free.objective == 10 * 90.0  # 10 TEU, nothing else
    assert free.summary["cost"]["carbon"] == 0.0
    assert free.summary["co2e_wtw_kg"] == pytest.approx(w_a, abs=0.01)
    priced = plan_at(100.0)
    assert [a.departure_id for a in priced.assignments] == ["VIA-E"]
    assert priced.objective == pytest.approx(10 * 100.0 + 100.0 * w_e / 1000, rel=1e-12)
    assert priced.summary["cost"]["carbon"] == pytest.approx(100.0 * w_e / 1000, abs=0.01)
    assert priced.summary["total_cost"] == 1000.0
    assert priced.summary["total_cost_with_carbon"] == pytest.approx(1000 + w_e / 10, abs=0.01)
    assert priced.summary["co2e_wtw_kg"] == pytest.approx(w_e, abs=0.01)
    assert priced.assignments[0].co2e_wtw_kg == pytest.approx(w_e, abs=0.01)
    # the options carry the cost: 100 USD/t x one box's WTW
    by_t = {o.t: o for o in build_options(priced.problem).options}
    assert by_t[0].co2e_cost_per_container == pytest.approx(100 * w_a / 5 / 1000, rel=1e-12)
    assert by_t[1].co2e_cost_per_container == pytest.approx(100 * w_e / 5 / 1000, rel=1e-12)


def test_no_factor_table_no_co2e_and_plans_unchanged() -> None:
    """A problem without a factor table (the micro-instances) plans exactly as before."""
    p = problem([ship("S1", 3)], [dep("D1"), dep("D2", 1, rate_per_teu=50.0)])
    plan = solve(p)
    assert plan.objective == 150.0
    assert plan.emissions == ()
    assert all(a.co2e_wtw_kg == 0.0 for a in plan.assignments)
    assert plan.summary["co2e_wtw_kg"] == 0.0 and plan.summary["cost"]["carbon"] == 0.0
    empty = Solution(counts={}, runs=frozenset())
    assert cost_breakdown(p, build_options(p), empty)["carbon"] == 0.0


def test_checker_recomputes_co2e(net: network.Network) -> None:
    route = net.route(["zhongding", "alashankou", "duisburg"]).nodes
    p = make_problem(
        [ship("S1", 2, container_type="40HC", gross_t=20.0)],
        net,
        [dep("D1", route=route, border_port="alashankou")],
        carbon_price=50.0,
    )
    plan = solve(p)
    assert plan.summary["co2e_wtw_kg"] > 0
    a = plan.assignments[0]
    bad = dataclasses.replace(plan, assignments=(dataclasses.replace(a, co2e_wtw_kg=1.0),))
    errs = routing.check(bad)
    assert any("co2e_wtw_kg is 1.0, recomputed" in e for e in errs)
    summ = dict(plan.summary, co2e_ttw_kg=plan.summary["co2e_ttw_kg"] + 5)
    assert any(
        "summary co2e_ttw_kg" in e for e in routing.check(dataclasses.replace(plan, summary=summ))
    )


def test_malformed_factor_table_names_row_and_column(tmp_path: Path) -> None:
    lines = FACTORS_CSV.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    wtw = header.index("wtw")
    i = next(n for n, ln in enumerate(lines) if ln.startswith("rail_electric_CN,"))
    row = next(csv.reader([lines[i]]))
    row[wtw] = "15,11"
    buf = tmp_path / "row.csv"
    with buf.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="").writerow(row)
    lines[i] = buf.read_text(encoding="utf-8")
    bad = tmp_path / "factors.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_factors(bad)
    assert e.value.problems == [
        f"factors.csv: row {i + 1}, column wtw: '15,11': expected a number from 0 to "
        "1,000,000 with a dot, or empty"
    ]
    # a required row missing
    gone = tmp_path / "gone.csv"
    gone.write_text(
        "\n".join(ln for ln in FACTORS_CSV.read_text(encoding="utf-8").splitlines()
                  if not ln.startswith("road_truck_artic,")) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    with pytest.raises(InputError) as e:
        read_factors(gone)
    assert e.value.problems == [
        "gone.csv: column key: no row 'road_truck_artic'; expected one (used for every plan's CO2e)"
    ]
    with pytest.raises(InputError, match="not found"):
        read_factors(tmp_path / "nope.csv")


def test_a_route_that_runs_out_and_back_is_counted_once(net: network.Network) -> None:
    """The trans-Caspian services' via stop (Aktau) makes the network's route run out to the
    Caspian and back to Khorgos; the chain counts the cargo's way once, as the route a
    departures file gives."""
    import datetime as dt

    d = next(
        x for x in net.departures(DAY, 28) if x.service_id == "ZD-BAK-K"
    )  # via aktau, border khorgos
    assert len(d.route) > len(set(d.route))
    assert co2.without_loops(d.route) == net.route(["zhongding", "khorgos", "baku"]).nodes
    assert co2.without_loops(tuple("abcdcbefcbg")) == tuple("abg")
    factors = read_factors(default_factors_path())
    info = co2.net_route_info(net)
    sh = ship("S1", 1, destination="baku", ready_date=d.depart_date - dt.timedelta(days=1))
    elements = co2.chain(sh, d, info, factors)
    assert sum(e.km for e in elements) == net.route(["zhongding", "khorgos", "baku"]).distance_km
    assert [e.element for e in elements].count("ferry") == 1
