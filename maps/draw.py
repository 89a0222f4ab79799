"""Folium maps of the network and of a plan. Maps read a plan and a network; they never solve.

Every text that comes from an input file (ids, names, customers, reasons) goes through
:func:`esc` before it is put into a popup or tooltip.
"""

from __future__ import annotations

import datetime as dt
import html
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import folium
from branca.element import Figure

from maps import i18n
from maps.assets import make_offline
from maps.elements import DaySlider, HtmlPopup, Legend, Tip
from maps.i18n import text
from network import Departure, Network, NetworkError, Node
from routing.domain.plan import Plan, TrainLoad

CORRIDOR_LABELS = {
    "northern": "Northern via Manzhouli",
    "mongolian": "Mongolian via Erenhot",
    "western": "Western via Alashankou / Khorgos",
    "trans_caspian": "Trans-Caspian",
    "laos_vietnam": "China–Laos / Vietnam",
}
CORRIDOR_COLOURS = {
    "northern": "#1f77b4",
    "mongolian": "#9467bd",
    "western": "#ff7f0e",
    "trans_caspian": "#17becf",
    "laos_vietnam": "#d62728",
}
KIND_LABELS = {
    "park": "Parks (origins)",
    "border": "Border ports",
    "destination": "Destinations",
    "junction": "Junctions",
    "city": "Cities (truck only)",
}
KIND_STYLE = {  # radius, fill colour
    "park": (7, "#2ca02c"),
    "destination": (7, "#d62728"),
    "junction": (3, "#7f7f7f"),
    "city": (4, "#ffffff"),
}
#: (lower bound of the bin, colour, label), from worst to best utilization
UTILIZATION_BINS = (
    (0.0, "#d73027", "< 50 %"),
    (0.5, "#fc8d59", "50–70 %"),
    (0.7, "#fee08b", "70–85 %"),
    (0.85, "#91cf60", "85–95 %"),
    (0.95, "#1a9850", "≥ 95 %"),
)
#: above this many running trains the per-train layer starts hidden, the traffic-by-route
#: layer is shown instead and Leaflet draws on a canvas (thousands of SVG paths are slow)
TRAIN_LAYER_LIMIT = 400
MANIFEST_ROWS = 40


def esc(value: object) -> str:
    """HTML-escape any value from the inputs (quotes included)."""
    return html.escape(str(value), quote=True)


def utilization_colour(u: float) -> str:
    colour = UTILIZATION_BINS[0][1]
    for lower, c, _ in UTILIZATION_BINS:
        if u >= lower - 1e-9:
            colour = c
    return colour


def node_label(n: Node) -> str:
    """Bilingual label, escaped, the language in use first: ``Manzhouli 满洲里``."""
    return esc(i18n.place_label(n))


def corridor_label(corridor: str) -> str:
    """A corridor's name in the language in use (not escaped)."""
    key = f"corridor.{corridor}"
    return text(key) if key in i18n.CATALOGUE else CORRIDOR_LABELS.get(corridor, corridor)


def place_name(net: Network, node_id: str) -> str:
    """A node id as the place's name in the language in use; Chinese only, so that English
    maps keep showing ids (not escaped)."""
    n = net.nodes.get(node_id)
    return i18n.place(n) if n is not None and i18n.current() == "zh" else node_id


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in r) + "</tr>" for r in rows)
    return f'<table class="rp-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


POPUP_CSS = """<style>
.rp-table { border-collapse: collapse; font: 12px system-ui, sans-serif; margin-top: 4px; }
.rp-table th, .rp-table td { border-bottom: 1px solid #ddd; padding: 1px 6px; text-align: left; }
.rp-pop { font: 12px/1.45 system-ui, sans-serif; }
.rp-pop b { font-size: 13px; }
</style>"""


def check_tiles(tiles: str | None) -> None:
    """Raise ``ValueError`` naming the problem when ``tiles`` cannot draw a map (checked
    before a plan is solved, so that a bad option costs no solve and no written plan)."""
    if tiles is None:
        return
    try:
        folium.Map(tiles=tiles)
    except ValueError as e:
        hint = (
            "expected a tile provider's name (e.g. OpenStreetMap, OpenTopoMap); a tile URL "
            "would need an attribution, which railplan does not take"
            if "attribution" in str(e).lower()
            else str(e)
        )
        raise ValueError(f"--tiles {tiles!r}: {hint}") from e


def _base_map(offline: bool, tiles: str | None, *, canvas: bool = False) -> folium.Map:
    m = folium.Map(
        location=(45.0, 75.0),
        zoom_start=3,
        tiles=None if offline else (tiles or "OpenStreetMap"),
        prefer_canvas=canvas,
        control_scale=True,
    )
    root = m.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(folium.Element(POPUP_CSS), name="rp_popup_css")
    if offline:
        make_offline(m)
    return m


def _fit(m: folium.Map, points: Iterable[tuple[float, float]]) -> None:
    pts = list(points)
    if not pts:
        return
    lats = [p[0] for p in pts]
    lons = [p[1] for p in pts]
    m.fit_bounds([(min(lats), min(lons)), (max(lats), max(lons))], padding=(20, 20))


def _coords(net: Network, route: Sequence[str]) -> list[tuple[float, float]]:
    return [(round(net.nodes[n].lat, 4), round(net.nodes[n].lon, 4)) for n in route]


def _node_popup(n: Node, extra: str = "") -> str:
    kind = f"kind.{n.kind}"
    rows: list[tuple[str, object]] = [
        (text("node.kind"), text(kind) if kind in i18n.CATALOGUE else n.kind),
        (text("node.country"), n.country),
        (text("node.gauge"), f"{n.gauge_mm} mm"),
    ]
    if n.kind == "border":
        per_day = n.trains_per_day
        rows += [
            (text("node.gauge_change"), text("yes") if n.gauge_change else text("no")),
            (text("node.dwell"), text("hours", h=f"{n.dwell_hours:g}")),
            (
                text("node.capacity"),
                text("node.per_day", n=per_day) if per_day is not None else text("node.not_set"),
            ),
        ]
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return (
        f'<div class="rp-pop"><b>{node_label(n)}</b><br><code>{esc(n.id)}</code>'
        f'<table class="rp-table">{body}</table>{extra}</div>'
    )


def _node_marker(n: Node, *, popup: str, tip: str | None = None) -> folium.map.Marker:
    """A marker by kind: border ports as diamonds, the rest as circles."""
    marker: folium.map.Marker
    if n.kind == "border":
        colour = "#ffbf00" if n.gauge_change else "#ffffff"
        marker = folium.Marker(
            (n.lat, n.lon),
            icon=folium.DivIcon(
                html=f'<div class="rp-diamond" style="background:{colour}"></div>',
                icon_size=(12, 12),
                icon_anchor=(6, 6),
                class_name="rp-border",
            ),
        )
    else:
        radius, fill = KIND_STYLE.get(n.kind, (4, "#999999"))
        marker = folium.CircleMarker(
            (n.lat, n.lon),
            radius=radius,
            color="#222222",
            weight=1,
            fill=True,
            fill_color=fill,
            fill_opacity=0.95,
            class_name=f"rp-node rp-{n.kind}",
        )
    marker.add_child(HtmlPopup(popup))
    marker.add_child(Tip(tip if tip is not None else node_label(n)))
    return marker


# -- a plan -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrainView:
    """A train of the plan with what drawing it needs: its departure and its route."""

    train: TrainLoad
    departure: Departure | None
    route: tuple[str, ...]
    corridor: str
    border_date: dt.date | None
    arrival_date: dt.date


def train_views(plan: Plan, net: Network) -> list[TrainView]:
    """Every train of the plan (running or not) joined to its departure and route.

    A departure given by the user may have no route: it is drawn along the shortest rail
    route through its origin, border port and destination.
    """
    deps = {d.departure_id: d for d in plan.problem.departures}
    cache: dict[tuple[str, ...], tuple[str, ...]] = {}
    out = []
    for t in plan.trains:
        d = deps.get(t.departure_id)
        route: tuple[str, ...] = d.route if d is not None else ()
        if not route:
            stops = tuple(s for s in (t.origin, t.border_port, t.destination) if s)
            if stops not in cache:
                try:
                    cache[stops] = net.route(list(stops)).nodes
                except (NetworkError, KeyError):
                    cache[stops] = tuple(s for s in stops if s in net.nodes)
            route = cache[stops]
        route = tuple(n for n in route if n in net.nodes)
        if d is not None:
            arrival = d.arrival_date
            border = d.border_date if d.border_port else None
            corridor = d.corridor
        else:
            days = net.route(list(route)).days if len(route) > 1 else 0
            arrival = t.depart_date + dt.timedelta(days=days)
            border, corridor = None, ""
        out.append(TrainView(t, d, route, corridor or "other", border, arrival))
    return out


def border_load(plan: Plan) -> dict[str, dict[dt.date, tuple[int, int | None]]]:
    """Per border port and day: running trains crossing and the quota (None: no limit)."""
    deps = {d.departure_id: d for d in plan.problem.departures}
    count: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for t in plan.trains:
        d = deps.get(t.departure_id)
        if t.runs and d is not None and d.border_port:
            count[d.border_port][d.border_date] += 1
    return {
        port: {day: (n, plan.problem.quota_for(port, day)) for day, n in sorted(days.items())}
        for port, days in sorted(count.items())
    }


def _customers(plan: Plan) -> dict[str, str]:
    return {s.shipment_id: s.customer for s in plan.problem.shipments}


def _manifest(view: TrainView, plan: Plan, net: Network, rows: list[tuple[object, ...]]) -> str:
    t = view.train
    o = net.nodes.get(t.origin)
    dest = net.nodes.get(t.destination)
    bp = net.nodes.get(t.border_port) if t.border_port else None
    head = (
        f'<div class="rp-pop"><b>{esc(t.departure_id)}</b><br>'
        f"{node_label(o) if o else esc(t.origin)} → {node_label(dest) if dest else esc(t.destination)}"
        + (f" {esc(text('manifest.via'))} {node_label(bp)}" if bp else "")
        + f"<br>{esc(text('manifest.etd'))} {esc(t.depart_date)} · "
        f"{esc(text('manifest.eta'))} {esc(view.arrival_date)}<br>"
        + esc(
            text(
                "manifest.load",
                load=t.load_teu,
                cap=t.capacity_teu,
                util=f"{t.utilization:.0%}",
                t=f"{t.gross_t:,.0f}",
            )
        )
    )
    shown = rows[:MANIFEST_ROWS]
    more = (
        "<br>" + esc(text("manifest.more", n=len(rows) - MANIFEST_ROWS))
        if len(rows) > MANIFEST_ROWS
        else ""
    )
    cols = ("shipment", "customer", "containers", "teu", "eta", "late_days")
    table = _table(tuple(text(f"col.{c}") for c in cols), shown)
    return head + table + more + "</div>"


def _train_weight(load_teu: int, max_teu: int) -> float:
    return round(2.0 + 8.0 * load_teu / max(max_teu, 1), 2)


def plan_map(
    plan: Plan, net: Network, *, offline: bool = False, tiles: str | None = None, lang: str = "en"
) -> folium.Map:
    """A plan: running trains along their routes (width by TEU, colour by utilization) with
    their manifest; cancelled departures dashed; border ports sized by their busiest day
    against the quota; origins with unassigned shipments flagged with the reasons; a day
    slider that moves the trains; layer control and legend.

    Above :data:`TRAIN_LAYER_LIMIT` running trains the map draws on a canvas, the per-train
    and cancelled layers start hidden and the traffic-by-route layer is added. Every label is
    in ``lang`` (``en`` or ``zh``; place names in it, the other language in the tooltips)."""
    with i18n.using(lang):
        return _plan_map(plan, net, offline=offline, tiles=tiles)


def _plan_map(plan: Plan, net: Network, *, offline: bool, tiles: str | None) -> folium.Map:
    views = train_views(plan, net)
    running = [v for v in views if v.train.runs and len(v.route) > 1]
    big = len(running) > TRAIN_LAYER_LIMIT
    m = _base_map(offline, tiles, canvas=big)
    customers = _customers(plan)
    _context_layer(net).add_to(m)
    _cancelled_layer(views, net, show=not big).add_to(m)
    _trains_layer(running, plan, net, customers, show=not big).add_to(m)
    if big:
        _traffic_layer(running, net).add_to(m)
    _border_layer(plan, net).add_to(m)
    _unassigned_layer(plan, net, customers).add_to(m)
    _endpoints_layer(running, net).add_to(m)
    moving = folium.FeatureGroup(name=text("layer.slider"), show=True)
    moving.add_to(m)
    if running:
        DaySlider(_slider_data(running, net), moving).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    Legend(_plan_legend()).add_to(m)
    pts = [(net.nodes[n].lat, net.nodes[n].lon) for v in views for n in v.route]
    _fit(m, pts or ((n.lat, n.lon) for n in net.nodes.values()))
    return m


def _context_layer(net: Network) -> folium.FeatureGroup:
    """The network's rail and ferry links in light grey, under the plan (not clickable)."""
    context = folium.FeatureGroup(name=text("layer.network"), show=True)
    for lk in net.links:
        if lk.mode != "truck":
            folium.PolyLine(
                _coords(net, (lk.a, lk.b)),
                color="#9a9a9a",
                weight=1.2,
                opacity=0.6,
                interactive=False,
            ).add_to(context)
    return context


def _cancelled_layer(
    views: Sequence[TrainView], net: Network, *, show: bool
) -> folium.FeatureGroup:
    """Cancelled departures: one dashed line per route, listing the departures not run."""
    cancelled: dict[tuple[str, ...], list[TrainView]] = defaultdict(list)
    for v in views:
        if not v.train.runs and len(v.route) > 1:
            cancelled[v.route].append(v)
    cancel_group = folium.FeatureGroup(name=text("layer.cancelled"), show=show)
    for route, vs in sorted(cancelled.items()):
        ids = [esc(v.train.departure_id) for v in vs]
        a, b = place_name(net, route[0]), place_name(net, route[-1])
        line = folium.PolyLine(
            _coords(net, route),
            color="#555555",
            weight=2,
            dash_array="6 6",
            opacity=0.8,
            class_name="rp-cancelled",
        )
        line.add_child(
            HtmlPopup(
                f'<div class="rp-pop"><b>{esc(text("cancelled.popup", n=len(vs)))}</b> '
                f"{esc(text('cancelled.on'))} {esc(a)} → {esc(b)}<br>"
                + "<br>".join(ids[:50])
                + ("<br>" + esc(text("more", n=len(ids) - 50)) if len(ids) > 50 else "")
                + "</div>"
            )
        )
        line.add_child(Tip(esc(text("cancelled.tip", n=len(vs), a=a, b=b))))
        line.add_to(cancel_group)
    return cancel_group


def _trains_layer(
    running: Sequence[TrainView],
    plan: Plan,
    net: Network,
    customers: dict[str, str],
    *,
    show: bool,
) -> folium.FeatureGroup:
    """One line per running train: colour by utilization, width by TEU against the largest
    train (:func:`_train_weight`), its manifest (:func:`_manifest`) in the popup."""
    by_train: dict[str, list[tuple[object, ...]]] = defaultdict(list)
    for a in plan.assignments:
        by_train[a.departure_id].append(
            (
                a.shipment_id,
                customers.get(a.shipment_id, ""),
                a.containers,
                a.teu,
                a.arrival_date,
                a.late_days,
            )
        )
    max_teu = max((v.train.capacity_teu for v in running), default=1)
    trains_group = folium.FeatureGroup(name=text("layer.running"), show=show)
    for v in running:
        t = v.train
        line = folium.PolyLine(
            _coords(net, v.route),
            color=utilization_colour(t.utilization),
            weight=_train_weight(t.load_teu, max_teu),
            opacity=0.85,
            class_name="rp-train",
        )
        line.add_child(HtmlPopup(_manifest(v, plan, net, by_train.get(t.departure_id, []))))
        line.add_child(
            Tip(f"{esc(t.departure_id)}: {t.load_teu}/{t.capacity_teu} TEU ({t.utilization:.0%})")
        )
        line.add_to(trains_group)
    return trains_group


def _endpoints_layer(running: Sequence[TrainView], net: Network) -> folium.FeatureGroup:
    """A marker at every place where a running train starts or ends."""
    endpoints = folium.FeatureGroup(name=text("layer.endpoints"), show=True)
    ends = sorted({v.route[0] for v in running} | {v.route[-1] for v in running})
    for nid in ends:
        n = net.nodes[nid]
        _node_marker(n, popup=_node_popup(n)).add_to(endpoints)
    return endpoints


def _traffic_layer(running: Sequence[TrainView], net: Network) -> folium.FeatureGroup:
    """One line per route with the number of trains and TEU on it, for big plans."""
    group = folium.FeatureGroup(name=text("layer.traffic"), show=True)
    by_route: dict[tuple[str, ...], list[TrainLoad]] = defaultdict(list)
    for v in running:
        by_route[v.route].append(v.train)
    top = max((sum(t.load_teu for t in ts) for ts in by_route.values()), default=1)
    for route, ts in sorted(by_route.items()):
        teu = sum(t.load_teu for t in ts)
        util = sum(t.utilization for t in ts) / len(ts)
        line = folium.PolyLine(
            _coords(net, route),
            color=utilization_colour(util),
            weight=round(2 + 10 * teu / max(top, 1), 2),
            opacity=0.85,
            class_name="rp-traffic",
        )
        line.add_child(
            HtmlPopup(
                f'<div class="rp-pop"><b>{esc(place_name(net, route[0]))} → '
                f"{esc(place_name(net, route[-1]))}</b><br>"
                + esc(text("traffic.popup", n=len(ts), teu=f"{teu:,}", util=f"{util:.0%}"))
                + "<br>"
                + "<br>".join(esc(t.departure_id) for t in ts[:30])
                + ("<br>" + esc(text("more", n=len(ts) - 30)) if len(ts) > 30 else "")
                + "</div>"
            )
        )
        line.add_child(Tip(esc(text("traffic.tip", n=len(ts), teu=f"{teu:,}"))))
        line.add_to(group)
    return group


def _border_layer(plan: Plan, net: Network) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=text("layer.border"), show=True)
    for port, days in border_load(plan).items():
        n = net.nodes.get(port)
        if n is None:
            continue
        busiest_day, (busiest, quota) = max(days.items(), key=lambda kv: (kv[1][0], kv[0]))
        ratio = busiest / quota if quota else 0.0
        colour = "#d62728" if ratio >= 1 else "#ff7f0e" if ratio >= 0.75 else "#1f77b4"
        radius = round(6 + 10 * min(ratio, 1.5), 1) if quota else 8
        no_limit = text("border.no_limit")
        rows = [(day, k, q if q is not None else no_limit) for day, (k, q) in days.items()]
        limit = text("border.per_day", n=quota) if quota is not None else text("border.no_quota")
        popup = (
            f'<div class="rp-pop"><b>{node_label(n)}</b><br>'
            + esc(text("border.popup", day=busiest_day, n=busiest, limit=limit))
            + _table((text("col.day"), text("col.trains"), text("col.quota")), rows)
            + "</div>"
        )
        marker = folium.CircleMarker(
            (n.lat, n.lon),
            radius=radius,
            color="#222222",
            weight=1.5,
            fill=True,
            fill_color=colour,
            fill_opacity=0.75,
            class_name="rp-border-load",
        )
        marker.add_child(HtmlPopup(popup))
        marker.add_child(
            Tip(esc(text("border.tip", name=i18n.place_label(n), n=busiest, limit=limit)))
        )
        marker.add_to(group)
    return group


def _unassigned_layer(plan: Plan, net: Network, customers: dict[str, str]) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=text("layer.unassigned"), show=True)
    origin_of = {s.shipment_id: s.origin for s in plan.problem.shipments}
    by_origin: dict[str, list[tuple[object, ...]]] = defaultdict(list)
    for u in plan.unassigned:
        o = origin_of.get(u.shipment_id, "")
        if o in net.nodes:
            by_origin[o].append(
                (
                    u.shipment_id,
                    customers.get(u.shipment_id, ""),
                    u.containers,
                    u.teu,
                    i18n.reason(u.reason),
                )
            )
    for origin, rows in sorted(by_origin.items()):
        n = net.nodes[origin]
        teu = sum(int(str(r[3])) for r in rows)
        marker = folium.CircleMarker(
            (n.lat, n.lon),
            radius=13,
            color="#d62728",
            weight=3,
            dash_array="3 3",
            fill=True,
            fill_color="#ffffff",
            fill_opacity=0.2,
            class_name="rp-unassigned",
        )
        marker.add_child(
            HtmlPopup(
                '<div class="rp-pop"><b>'
                + esc(text("unassigned.popup", name=i18n.place_label(n), n=len(rows), teu=teu))
                + "</b>"
                + _table(
                    tuple(
                        text(f"col.{c}")
                        for c in ("shipment", "customer", "containers", "teu", "reason")
                    ),
                    rows,
                )
                + "</div>",
                max_width=560,
            )
        )
        marker.add_child(
            Tip(esc(text("unassigned.tip", name=i18n.place_label(n), n=len(rows), teu=teu)))
        )
        marker.add_to(group)
    return group


def _slider_data(running: Sequence[TrainView], net: Network) -> dict[str, object]:
    start = min(v.train.depart_date for v in running)
    end = max(v.arrival_date for v in running)
    route_index: dict[tuple[str, ...], int] = {}
    routes: list[list[tuple[float, float]]] = []
    trains = []
    for v in sorted(running, key=lambda v: (v.train.depart_date, v.train.departure_id)):
        if v.route not in route_index:
            route_index[v.route] = len(routes)
            routes.append(_coords(net, v.route))
        t = v.train
        trains.append(
            [
                route_index[v.route],
                (t.depart_date - start).days,
                max((v.arrival_date - t.depart_date).days, 0),
                utilization_colour(t.utilization),
                f"{esc(t.departure_id)} ({t.utilization:.0%})",
            ]
        )
    return {
        "start": start.isoformat(),
        "days": max((end - start).days, 0),
        "routes": routes,
        "trains": trains,
        "words": text("slider.words").split("|"),
    }


def _plan_legend() -> str:
    rows = [f"<h4>{esc(text('legend.plan'))}</h4><div>{esc(text('legend.colour'))}</div>"]
    for _, colour, label in reversed(UTILIZATION_BINS):
        rows.append(f'<div><span class="sw" style="border-color:{colour}"></span>{label}</div>')
    rows += [
        '<div><span class="sw" style="border-top:8px solid #999"></span>'
        f"{esc(text('legend.width'))}</div>",
        '<div><span class="sw" style="border-top:2px dashed #555"></span>'
        f"{esc(text('legend.not_run'))}</div>",
        '<div><span class="dot" style="background:#d62728"></span>'
        f"{esc(text('legend.quota'))}</div>",
        '<div><span class="dot" style="background:#fff;border:2px dashed #d62728"></span>'
        f"{esc(text('legend.unassigned'))}</div>",
        '<div><span class="dot" style="background:#1a9850"></span>'
        f"{esc(text('legend.slider'))}</div>",
    ]
    return "".join(rows)
