"""Object-tree tests of the folium maps, the offline check and the report (no browser).

The maps are inspected as folium element trees (layers, markers, polylines, popups), not
as HTML snapshots.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import folium
import pytest
from branca.element import Element

import maps
import network
from maps.assets import OfflineError, outside_urls
from maps.draw import TRAIN_LAYER_LIMIT, utilization_colour
from maps.elements import CountryOutlines, DaySlider, HtmlPopup, Tip
from routing.domain.plan import Plan
from tests.maps.plans import JS_XSS, XSS, synthetic_plan, tiny_plan, write_network


@pytest.fixture(scope="session")
def tiny_net(tmp_path_factory: pytest.TempPathFactory) -> network.Network:
    """Twelve places, two lines (Mongolian to Moscow, Western to Almaty), one truck link."""
    return network.load(write_network(tmp_path_factory.mktemp("net")))


@pytest.fixture(scope="session")
def plan(tiny_net: network.Network) -> Plan:
    """One Moscow train runs with two hostile customers on board; the Almaty lot is too
    small for its train's minimum load, so three departures are not run and SH-3 is left."""
    return tiny_plan(tiny_net)


def walk(el: Element) -> Iterator[Element]:
    yield el
    for child in el._children.values():
        yield from walk(child)


def layer(m: folium.Map, name: str) -> folium.FeatureGroup:
    found = [c for c in m._children.values() if isinstance(c, folium.FeatureGroup)]
    by_name = {g.layer_name: g for g in found}
    assert name in by_name, f"no layer {name!r}; layers: {sorted(by_name)}"
    return by_name[name]


def children(group: Element, kind: type) -> list[Element]:
    return [c for c in group._children.values() if isinstance(c, kind)]


def popup_of(el: Element) -> str:
    (p,) = children(el, HtmlPopup)
    return str(p.html)


def text_of(fragment: str) -> str:
    """Visible text of an HTML fragment (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


# -- the plan is what the tests expect --------------------------------------------------------


def test_tiny_plan_runs_one_train_and_leaves_sh3(plan: Plan) -> None:
    assert [t.departure_id for t in plan.trains if t.runs] == ["AL-MOW-20250303"]
    assert [u.shipment_id for u in plan.unassigned] == ["SH-3"]
    assert len(plan.trains) == 4


# -- the network map --------------------------------------------------------------------------


def test_network_map_has_a_marker_per_node_by_kind(tiny_net: network.Network) -> None:
    m = maps.network_map(tiny_net)
    counts = {
        name: len(children(layer(m, name), folium.Marker))  # CircleMarker is a Marker
        for name in ("Parks (origins)", "Border ports", "Destinations", "Junctions", "Cities (truck only)")
    }  # fmt: skip
    assert counts == {
        "Parks (origins)": 2,
        "Border ports": 4,
        "Destinations": 2,
        "Junctions": 3,
        "Cities (truck only)": 1,
    }
    # border ports are diamonds (DivIcon markers), the rest circles
    assert all(
        isinstance(c, folium.Marker) and not isinstance(c, folium.CircleMarker)
        for c in children(layer(m, "Border ports"), folium.Marker)
    )


def test_network_map_popups_are_bilingual_with_border_facts(tiny_net: network.Network) -> None:
    m = maps.network_map(tiny_net)
    texts = [text_of(popup_of(c)) for c in layer(m, "Border ports")._children.values()]
    (erenhot,) = [t for t in texts if "Erenhot" in t]
    assert "二连浩特" in erenhot
    assert "gauge change yes" in " ".join(erenhot.split())
    assert "dwell 12 h" in " ".join(erenhot.split())
    assert "1 trains/day" in erenhot
    (city,) = layer(m, "Cities (truck only)")._children.values()
    assert "&lt;b&gt;town&lt;/b&gt;" in popup_of(city)
    assert "<b>town" not in popup_of(city)


def test_network_map_draws_a_layer_per_corridor_along_the_junctions(
    tiny_net: network.Network,
) -> None:
    m = maps.network_map(tiny_net)
    mongolian = layer(m, "Corridor: Mongolian via Erenhot")
    (line,) = children(mongolian, folium.PolyLine)
    # one segment per link of the service route: alpha-jining-erenhot-zamyn-ulaan-moscow
    assert len(line.locations) == 5
    points = {tuple(p) for seg in line.locations for p in seg}
    jining = tiny_net.nodes["jining"]
    assert (jining.lat, jining.lon) in points
    assert "AL-MOW" in popup_of(line)
    assert children(layer(m, "Corridor: Western via Alashankou / Khorgos"), folium.PolyLine)
    names = {c.layer_name for c in m._children.values() if isinstance(c, folium.FeatureGroup)}
    assert not any("Northern" in n for n in names)  # no service on it in the tiny network
    # the truck link in its own layer, dashed
    (truck,) = children(layer(m, "Truck links"), folium.PolyLine)
    assert truck.options["dashArray"] == "4 6"


def test_network_map_bounds_cover_every_node(tiny_net: network.Network) -> None:
    m = maps.network_map(tiny_net)
    (fit,) = [c for c in m._children.values() if isinstance(c, folium.FitBounds)]
    (south, west), (north, east) = fit.bounds
    lats = [n.lat for n in tiny_net.nodes.values()]
    lons = [n.lon for n in tiny_net.nodes.values()]
    assert (south, west, north, east) == (min(lats), min(lons), max(lats), max(lons))


# -- the plan map -----------------------------------------------------------------------------


def test_plan_map_draws_a_polyline_per_running_train(plan: Plan, tiny_net: network.Network) -> None:
    m = maps.plan_map(plan, tiny_net)
    lines = children(layer(m, "Running trains"), folium.PolyLine)
    assert len(lines) == sum(t.runs for t in plan.trains) == 1
    (line,) = lines
    route = tiny_net.service_route(tiny_net.services[0]).nodes
    assert [tuple(p) for p in line.locations] == [
        (tiny_net.nodes[n].lat, tiny_net.nodes[n].lon) for n in route
    ]
    (train,) = [t for t in plan.trains if t.runs]
    assert line.options["color"] == utilization_colour(train.utilization)
    assert line.options["weight"] == pytest.approx(2 + 8 * train.load_teu / train.capacity_teu)


def test_plan_map_popup_is_the_escaped_manifest(plan: Plan, tiny_net: network.Network) -> None:
    m = maps.plan_map(plan, tiny_net)
    (line,) = children(layer(m, "Running trains"), folium.PolyLine)
    popup = popup_of(line)
    text = " ".join(text_of(popup).split())
    assert "AL-MOW-20250303" in text
    assert "ETD 2025-03-03 · ETA 2025-03-17" in text
    assert "load 30 / 100 TEU (30%)" in text
    assert XSS in text and f"Acme {JS_XSS}" in text  # shown as text ...
    assert "<img" not in popup and html.escape(XSS) in popup  # ... because it is escaped


def test_cancelled_departures_are_dashed_in_their_own_layer(
    plan: Plan, tiny_net: network.Network
) -> None:
    m = maps.plan_map(plan, tiny_net)
    lines = children(layer(m, "Cancelled departures"), folium.PolyLine)
    # one line per route: the Moscow line (one departure not run) and the Almaty line (two)
    assert len(lines) == 2
    assert all(line.options["dashArray"] == "6 6" for line in lines)
    popups = sorted(text_of(popup_of(line)) for line in lines)
    assert "1 departure(s) not run" in popups[0] and "AL-MOW-20250310" in popups[0]
    assert "2 departure(s) not run" in popups[1] and "BE-ALA-20250312" in popups[1]


def test_border_ports_sized_by_busiest_day_against_quota(
    plan: Plan, tiny_net: network.Network
) -> None:
    m = maps.plan_map(plan, tiny_net)
    (marker,) = children(layer(m, "Border ports: busiest day vs quota"), folium.CircleMarker)
    # Erenhot: quota 1 train/day, one train crosses on its border day: at quota
    assert marker.options["radius"] == pytest.approx(16.0)
    assert marker.options["fillColor"] == "#d62728"
    (dep,) = [d for d in plan.problem.departures if d.departure_id == "AL-MOW-20250303"]
    text = " ".join(text_of(popup_of(marker)).split())
    assert f"busiest day {dep.border_date}: 1 train(s) against 1 trains/day" in text


def test_origins_with_unassigned_shipments_are_flagged_with_reasons(
    plan: Plan, tiny_net: network.Network
) -> None:
    m = maps.plan_map(plan, tiny_net)
    (marker,) = children(layer(m, "Unassigned shipments (by origin)"), folium.CircleMarker)
    beta = tiny_net.nodes["beta"]
    assert tuple(marker.location) == (beta.lat, beta.lon)
    popup = popup_of(marker)
    assert "SH-3" in popup and "too little load for their minimum load" in popup
    assert html.escape(XSS) in popup and "<img" not in popup


def test_day_slider_moves_each_running_train(plan: Plan, tiny_net: network.Network) -> None:
    m = maps.plan_map(plan, tiny_net)
    (slider,) = [c for c in m._children.values() if isinstance(c, DaySlider)]
    assert slider.layer is layer(m, "Trains by day (slider)")
    assert slider.data["start"] == "2025-03-03"
    assert slider.data["days"] == 14
    (train,) = slider.data["trains"]
    assert train[1:3] == [0, 14]


def test_every_tooltip_is_escaped(plan: Plan, tiny_net: network.Network) -> None:
    m = maps.plan_map(plan, tiny_net)
    tips = [str(el.html) for el in walk(m) if isinstance(el, Tip | HtmlPopup)]
    assert tips
    assert not any("<img" in t or "<b>town" in t for t in tips)
    # and no folium Popup/Tooltip, which put text into JavaScript template literals
    assert not any(isinstance(el, folium.Popup | folium.Tooltip) for el in walk(m))


def test_plan_map_rendered_keeps_hostile_text_inside_json_strings(
    plan: Plan, tiny_net: network.Network
) -> None:
    page = maps.render(maps.plan_map(plan, tiny_net, offline=True), offline=True)
    assert XSS not in page
    # escaped HTML inside a JSON string, where Jinja's tojson also escapes "&" and "<"
    assert html.escape(XSS).replace("&", "\\u0026") in page


# -- offline ------------------------------------------------------------------------------------


def test_offline_map_has_no_tiles_outlines_and_inline_leaflet(
    plan: Plan, tiny_net: network.Network
) -> None:
    m = maps.plan_map(plan, tiny_net, offline=True)
    assert not [c for c in m._children.values() if isinstance(c, folium.TileLayer)]
    (outlines,) = [c for c in m._children.values() if isinstance(c, CountryOutlines)]
    names = {f["properties"]["name"] for f in outlines.data["features"]}
    assert {"China", "Mongolia", "Russia", "Kazakhstan", "Germany", "Laos"} <= names
    page = maps.render(m, offline=True)
    assert outside_urls(page) == []
    assert "Leaflet 1.9.3" in page  # the library itself, inlined
    assert "cdn.jsdelivr" not in page.split("<script>")[0]


def test_online_map_keeps_tiles_and_cdn(plan: Plan, tiny_net: network.Network) -> None:
    m = maps.plan_map(plan, tiny_net, tiles="OpenTopoMap")
    (tiles,) = [c for c in m._children.values() if isinstance(c, folium.TileLayer)]
    assert "opentopomap" in tiles.tiles
    assert any("leaflet" in u for u in outside_urls(maps.render(m)))


def test_save_offline_turns_an_online_map_offline(
    plan: Plan, tiny_net: network.Network, tmp_path: Path
) -> None:
    m = maps.network_map(tiny_net)
    maps.save(m, tmp_path / "net.html", offline=True)
    page = (tmp_path / "net.html").read_text(encoding="utf-8")
    assert outside_urls(page) == []
    assert not [c for c in m._children.values() if isinstance(c, folium.TileLayer)]


def test_offline_refuses_a_plugin_without_an_offline_copy(tiny_net: network.Network) -> None:
    from folium.plugins import Fullscreen

    m = maps.network_map(tiny_net)
    Fullscreen().add_to(m)
    with pytest.raises(OfflineError, match="Fullscreen needs"):
        maps.save(m, "/nonexistent/never-written.html", offline=True)


def test_outside_urls_reads_tags_not_script_text() -> None:
    page = (
        '<link rel="stylesheet" href="https://cdn.example/x.css">'
        "<script>var a = '<img src=\"https://in.script/\">';</script>"
        '<style>.a{background:url("//cdn.example/i.png")}</style>'
        '<img src="data:image/png;base64,AAAA"><a href="https://leafletjs.com">Leaflet</a>'
    )
    assert outside_urls(page) == ["https://cdn.example/x.css", "//cdn.example/i.png"]


# -- the report ---------------------------------------------------------------------------------


def test_report_has_kpis_charts_map_and_escaped_tables(
    plan: Plan, tiny_net: network.Network, tmp_path: Path
) -> None:
    path = tmp_path / "report.html"
    maps.write_report(plan, tiny_net, path, offline=True)
    page = path.read_text(encoding="utf-8")
    assert outside_urls(page) == []
    charts = ("chart-utilization", "chart-timeline", "chart-border", "chart-cost", "chart-co2e")
    for chart in charts:
        assert f'id="{chart}"><img' in page
    assert page.count('src="data:image/png;base64,') == 5
    assert 'id="plan-map"' in page and "srcdoc=" in page
    text = " ".join(text_of(page.split("<iframe")[0]).split())
    assert f"{plan.total_cost:,.0f} USD total cost" in text
    assert plan.total_cost == 50_000 + 30 * 1_000  # one train's fixed cost + freight per TEU
    assert "1 trains run of 4 departures" in text
    assert "30 TEU assigned 15 containers" in text
    assert "4 TEU unassigned 2 containers in 1 shipments" in text
    tables = page.split("</iframe>")[1]
    assert XSS not in tables and html.escape(XSS) in tables
    assert tables.count("<tr>") == 1 + 2 + 1 + 1  # headers and rows of both tables


def test_two_thousand_trains_draw_under_15_mb(tiny_net: network.Network, tmp_path: Path) -> None:
    big = synthetic_plan(tiny_net, 2_000)
    m = maps.plan_map(big, tiny_net, offline=True)
    trains = layer(m, "Running trains")
    assert len(children(trains, folium.PolyLine)) == 2_000
    assert TRAIN_LAYER_LIMIT < 2_000 and not trains.show  # aggregated view shown instead
    assert len(children(layer(m, "Traffic by route"), folium.PolyLine)) == 2
    assert m.options["prefer_canvas"] is True
    path = tmp_path / "report.html"
    maps.write_report(big, tiny_net, path, offline=True)
    assert path.stat().st_size < 15 * 1024 * 1024
