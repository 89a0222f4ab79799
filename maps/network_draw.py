"""The network map: nodes by kind, a layer per corridor family, other rail and truck links,
and the legend (the plan's map is :mod:`maps.draw`, whose helpers this module shares)."""

from __future__ import annotations

import itertools
from collections import defaultdict

import folium

from maps import i18n
from maps.draw import (
    CORRIDOR_COLOURS,
    KIND_LABELS,
    KIND_STYLE,
    _base_map,
    _coords,
    _fit,
    _node_marker,
    _node_popup,
    corridor_label,
    esc,
    place_name,
)
from maps.elements import HtmlPopup, Legend, Tip
from maps.i18n import text
from network import CORRIDORS, Network, NetworkError


def _service_routes(net: Network) -> dict[str, tuple[str, ...]]:
    out = {}
    for svc in net.services:
        try:
            out[svc.service_id] = net.service_route(svc).nodes
        except NetworkError:
            continue
    return out


def network_map(
    net: Network, *, offline: bool = False, tiles: str | None = None, lang: str = "en"
) -> folium.Map:
    """The network: nodes by kind with bilingual labels and popups, a layer per corridor family
    (services drawn along their routes through the junctions), other rail and truck links,
    a legend and the bounds of all nodes; every label in ``lang`` (``en`` or ``zh``)."""
    with i18n.using(lang):
        return _network_map(net, offline=offline, tiles=tiles)


def _network_map(net: Network, *, offline: bool, tiles: str | None) -> folium.Map:
    m = _base_map(offline, tiles)
    routes = _service_routes(net)
    by_corridor: dict[str, set[tuple[str, str]]] = defaultdict(set)
    services_of: dict[str, list[str]] = defaultdict(list)
    for svc in net.services:
        r = routes.get(svc.service_id)
        if r is None:
            continue
        by_corridor[svc.corridor] |= {tuple(sorted(e)) for e in itertools.pairwise(r)}  # type: ignore[misc]
        services_of[svc.corridor].append(
            f"{esc(svc.service_id)}: {esc(svc.name)}"
            + (f" <i>({esc(svc.scope)})</i>" if svc.scope != "shanxi" else "")
        )
    used = set().union(*by_corridor.values()) if by_corridor else set()

    other = folium.FeatureGroup(name=text("net.other_links"), show=True)
    trucks = folium.FeatureGroup(name=text("net.truck_links"), show=False)
    for lk in net.links:
        seg = _coords(net, (lk.a, lk.b))
        if lk.mode == "truck":
            line = folium.PolyLine(seg, color="#8c564b", weight=2, dash_array="4 6")
            line.add_child(
                Tip(
                    esc(
                        text(
                            "net.truck_tip",
                            a=place_name(net, lk.a),
                            b=place_name(net, lk.b),
                            km=f"{lk.distance_km:,.0f}",
                        )
                    )
                )
            ).add_to(trucks)
        elif tuple(sorted((lk.a, lk.b))) not in used:
            line = folium.PolyLine(seg, color="#7f7f7f", weight=1.5, opacity=0.7)
            line.add_child(
                Tip(
                    esc(
                        text(
                            "net.link_tip",
                            mode=lk.mode,
                            a=place_name(net, lk.a),
                            b=place_name(net, lk.b),
                            km=f"{lk.distance_km:,.0f}",
                        )
                    )
                )
            ).add_to(other)
    other.add_to(m)
    trucks.add_to(m)

    for corridor in CORRIDORS:
        edges = sorted(by_corridor.get(corridor, ()))
        if not edges:
            continue
        group = folium.FeatureGroup(name=text("net.corridor", name=corridor_label(corridor)))
        line = folium.PolyLine(
            [_coords(net, e) for e in edges],
            color=CORRIDOR_COLOURS[corridor],
            weight=4,
            opacity=0.85,
            class_name=f"rp-corridor rp-corridor-{corridor}",
        )
        names = services_of[corridor]
        listing = "<br>".join(names[:60]) + (
            "<br>" + esc(text("more", n=len(names) - 60)) if len(names) > 60 else ""
        )
        line.add_child(
            HtmlPopup(
                f'<div class="rp-pop"><b>{esc(corridor_label(corridor))}</b> '
                f"{esc(text('net.services', n=len(names)))}<br>{listing}</div>"
            )
        )
        line.add_child(Tip(esc(corridor_label(corridor))))
        line.add_to(group)
        group.add_to(m)

    groups = {k: folium.FeatureGroup(name=text(f"kinds.{k}")) for k in KIND_LABELS}
    for n in net.nodes.values():
        if n.kind in groups:
            _node_marker(n, popup=_node_popup(n)).add_to(groups[n.kind])
    for group in groups.values():
        group.add_to(m)

    folium.LayerControl(collapsed=True).add_to(m)
    Legend(_network_legend()).add_to(m)
    _fit(m, ((n.lat, n.lon) for n in net.nodes.values()))
    return m


def _network_legend() -> str:
    rows = [f"<h4>{esc(text('legend.network'))}</h4>"]
    for c in CORRIDORS:
        rows.append(
            f'<div><span class="sw" style="border-color:{CORRIDOR_COLOURS[c]}"></span>'
            f"{esc(corridor_label(c))}</div>"
        )
    rows.append(
        '<div><span class="sw" style="border-top:2px solid #7f7f7f"></span>'
        f"{esc(text('legend.other_rail'))}</div>"
    )
    rows.append(
        '<div><span class="sw" style="border-top:2px dashed #8c564b"></span>'
        f"{esc(text('legend.truck'))}</div>"
    )
    for k in ("park", "destination", "junction", "city"):
        rows.append(
            f'<div><span class="dot" style="background:{KIND_STYLE[k][1]}"></span>'
            f"{esc(text(f'kinds.{k}'))}</div>"
        )
    rows.append(
        '<div><span class="dot rp-diamond" style="background:#ffbf00;border-radius:0"></span>'
        f"{esc(text('legend.border_change'))}</div>"
    )
    rows.append(
        '<div><span class="dot rp-diamond" style="background:#fff;border-radius:0"></span>'
        f"{esc(text('legend.border_same'))}</div>"
    )
    return "".join(rows)
