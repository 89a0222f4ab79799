"""The network: a networkx MultiDiGraph plus typed nodes, links and services.

Path queries (corridors, distances, transit days, countries crossed) and the timetable are
functions of a :class:`Network`; nothing here imports a solver or a map library.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
from geopy.distance import geodesic

from network.io import NetworkError, read_links, read_nodes, read_services
from network.model import Departure, Link, Node, Service
from network.resources import data_path


def data_dir() -> Path:
    """The bundled network folder (``data/network`` in the repository)."""
    return data_path("network")


TRAIN_MODES = frozenset({"rail", "ferry"})
#: a link may be at most this much shorter than the geodesic between its ends (rounding of
#: published kilometres and coordinates that stand for a city rather than the station).
GEODESIC_TOLERANCE = 0.97


class UnknownPlaceError(KeyError):
    """A place name that resolves to no node; the message carries a suggestion."""

    def __init__(self, name: str, suggestions: Sequence[str]) -> None:
        self.name = name
        self.suggestions = tuple(suggestions)
        hint = f"; did you mean {' or '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"unknown place {name!r}{hint}")

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, slots=True)
class Route:
    """A train's way through the network, with derived distance and time."""

    nodes: tuple[str, ...]
    distance_km: float
    hours: float
    border_hours: float
    countries: tuple[str, ...]

    @property
    def days(self) -> int:
        return max(1, math.ceil(self.hours / 24))


@dataclass(frozen=True, slots=True, kw_only=True)
class Network:
    """The curated network. Build it with :func:`load`."""

    nodes: dict[str, Node]
    links: tuple[Link, ...]
    services: tuple[Service, ...]
    graph: nx.MultiDiGraph
    train_graph: nx.Graph = field(repr=False)
    source: str = ""
    _names: dict[str, str] = field(default_factory=dict, repr=False)

    # -- names -------------------------------------------------------------------------------
    def resolve(self, name: str) -> str:
        """Return the node id for an id, English or Chinese name or alias (case-insensitive)."""
        key = name.strip().casefold()
        if key in self._names:
            return self._names[key]
        close = difflib.get_close_matches(key, list(self._names), n=3, cutoff=0.6)
        sugg = list(dict.fromkeys(self._names[c] for c in close))
        raise UnknownPlaceError(name, sugg)

    # -- paths ---------------------------------------------------------------------------------
    def route(self, stops: Sequence[str]) -> Route:
        """Shortest train route (by km) through ``stops`` in order; border dwell included."""
        g = self.train_graph
        path: list[str] = [stops[0]]
        for a, b in itertools.pairwise(stops):
            try:
                leg = nx.shortest_path(g, a, b, weight="distance_km")
            except (nx.NetworkXNoPath, nx.NodeNotFound) as e:
                raise NetworkError([f"no rail/ferry route from {a} to {b}"]) from e
            path.extend(leg[1:])
        return self._measure(tuple(path), g)

    def _measure(self, path: tuple[str, ...], g: nx.Graph) -> Route:
        km = hours = 0.0
        border_hours = -1.0
        for a, b in itertools.pairwise(path):
            km += g[a][b]["distance_km"]
            hours += g[a][b]["hours"]
            node = self.nodes[b]
            hours += node.dwell_hours
            if node.kind == "border" and node.country == "CN" and border_hours < 0:
                border_hours = hours
        countries = tuple(dict.fromkeys(self.nodes[n].country for n in path))
        return Route(path, km, hours, max(border_hours, 0.0), countries)

    def corridors(self, origin: str, destination: str, k: int = 3) -> list[Route]:
        """The ``k`` shortest loop-free train routes between two places."""
        g = self.train_graph
        a, b = self.resolve(origin), self.resolve(destination)
        paths = itertools.islice(nx.shortest_simple_paths(g, a, b, weight="distance_km"), k)
        return [self._measure(tuple(p), g) for p in paths]

    def service_route(self, svc: Service) -> Route:
        stops = [
            svc.origin,
            *svc.via,
            *([svc.border_port] if svc.border_port else []),
            svc.destination,
        ]
        return self.route(stops)

    def truck_links(self) -> list[Link]:
        return [lk for lk in self.links if lk.mode == "truck"]

    def border_quota(self, scope: str = "shanxi") -> dict[str, int]:
        """Daily train capacity of each border node for the given scope."""
        out: dict[str, int] = {}
        for n in self.nodes.values():
            v = n.trains_per_day if scope == "shanxi" else n.national_trains_per_day
            if n.kind == "border" and v is not None:
                out[n.id] = v
        return out

    # -- timetable ----------------------------------------------------------------------------
    def departures(self, start: dt.date, days: int, scope: str = "shanxi") -> list[Departure]:
        """Expand the services of ``scope`` into dated departures in ``[start, start + days)``.

        Ids are stable: ``SERVICE-YYYYMMDD``. A service with ``every_weeks=2`` runs in even
        ISO weeks only.
        """
        out: list[Departure] = []
        for svc in self.services:
            if scope != "all" and svc.scope != scope:
                continue
            r = self.service_route(svc)
            transit = svc.transit_days if svc.transit_days is not None else r.days
            offset = math.floor(r.border_hours / r.hours * transit) if r.hours else 0
            for i in range(days):
                d = start + dt.timedelta(days=i)
                if d.weekday() not in svc.weekdays:
                    continue
                if svc.every_weeks == 2 and d.isocalendar().week % 2:
                    continue
                out.append(
                    Departure(
                        departure_id=f"{svc.service_id}-{d:%Y%m%d}",
                        service_id=svc.service_id,
                        corridor=svc.corridor,
                        origin=svc.origin,
                        destination=svc.destination,
                        border_port=svc.border_port,
                        depart_date=d,
                        border_offset_days=min(offset, transit),
                        transit_days=transit,
                        capacity_teu=svc.capacity_teu,
                        max_gross_t=svc.max_gross_t,
                        fixed_cost=svc.fixed_cost_usd,
                        rate_per_teu=svc.rate_per_teu_usd,
                        min_load_teu=svc.min_load_teu,
                        reefer_plugs=svc.reefer_plugs,
                        dg_allowed=svc.dg_allowed,
                        route=r.nodes,
                        countries=r.countries,
                    )
                )
        out.sort(key=lambda d: (d.depart_date, d.departure_id))
        return out

    def summary(self) -> dict[str, object]:
        kinds: dict[str, int] = {}
        for n in self.nodes.values():
            kinds[n.kind] = kinds.get(n.kind, 0) + 1
        scopes: dict[str, int] = {}
        for s in self.services:
            scopes[s.scope] = scopes.get(s.scope, 0) + 1
        return {
            "source": self.source,
            "nodes": kinds,
            "links": len(self.links),
            "services": scopes,
            "border_ports": self.border_quota(),
        }


def _name_index(nodes: Iterable[Node]) -> tuple[dict[str, str], list[str]]:
    index: dict[str, str] = {}
    clashes = []
    for n in nodes:
        for name in (n.id, n.name_en, n.name_zh, *n.aliases):
            key = name.strip().casefold()
            if not key:
                continue
            if key in index and index[key] != n.id:
                clashes.append(f"nodes.csv: name {name!r} names both {index[key]} and {n.id}")
            index.setdefault(key, n.id)
    return index, clashes


def validate(
    nodes: dict[str, Node], links: Sequence[Link], services: Sequence[Service]
) -> list[str]:
    """Cross-file checks: references, geodesic lower bound of every link, service routes."""
    problems: list[str] = []
    for i, lk in enumerate(links, start=2):
        for end in (lk.a, lk.b):
            if end not in nodes:
                problems.append(f"links.csv: row {i}: unknown node {end!r}")
        if lk.a in nodes and lk.b in nodes:
            a, b = nodes[lk.a], nodes[lk.b]
            geo = geodesic((a.lat, a.lon), (b.lat, b.lon)).km
            if lk.distance_km < geo * GEODESIC_TOLERANCE:
                problems.append(
                    f"links.csv: row {i}, column distance_km: {lk.distance_km:g} km from {lk.a} to "
                    f"{lk.b} is shorter than the geodesic {geo:.0f} km"
                )
    seen: set[str] = set()
    for i, s in enumerate(services, start=2):
        if s.service_id in seen:
            problems.append(f"services.csv: row {i}, column service_id: duplicate {s.service_id!r}")
        seen.add(s.service_id)
        for col in ("origin", "destination", "border_port"):
            v = getattr(s, col)
            if v and v not in nodes:
                problems.append(f"services.csv: row {i}, column {col}: unknown node {v!r}")
        if s.border_port and s.border_port in nodes and nodes[s.border_port].kind != "border":
            problems.append(
                f"services.csv: row {i}, column border_port: {s.border_port!r} is not a border node"
            )
        for v in s.via:
            if v not in nodes:
                problems.append(f"services.csv: row {i}, column via: unknown node {v!r}")
    return problems


def load(path: str | Path | None = None) -> Network:
    """Load and validate the network from ``data/network/`` or a folder of the same format.

    Raises :class:`NetworkError` listing every problem (file, row, column, value).
    """
    folder = Path(path) if path is not None else data_dir()
    problems: list[str] = []
    if not folder.is_dir():
        raise NetworkError([f"{folder}: network folder not found"])
    node_list = read_nodes(folder / "nodes.csv", problems)
    links = read_links(folder / "links.csv", problems)
    services = read_services(folder / "services.csv", problems)
    nodes: dict[str, Node] = {}
    for n in node_list:
        if n.id in nodes:
            problems.append(f"nodes.csv: duplicate id {n.id!r}")
        nodes[n.id] = n
    problems += validate(nodes, links, services)
    names, clashes = _name_index(node_list)
    problems += clashes
    if problems:
        raise NetworkError(problems)
    graph = nx.MultiDiGraph()
    for n in node_list:
        graph.add_node(n.id, **{k: getattr(n, k) for k in Node.__slots__})
    for lk in links:
        attrs = {
            "mode": lk.mode,
            "gauge_mm": lk.gauge_mm,
            "distance_km": lk.distance_km,
            "speed_kmh": lk.speed_kmh,
            "hours": lk.hours,
            "cost_per_teu": lk.cost_per_teu,
        }
        graph.add_edge(lk.a, lk.b, key=lk.mode, **attrs)
        graph.add_edge(lk.b, lk.a, key=lk.mode, **attrs)
    train_graph = nx.Graph()
    for lk in links:
        if lk.mode in TRAIN_MODES:
            train_graph.add_edge(lk.a, lk.b, distance_km=lk.distance_km, hours=lk.hours)
    net = Network(
        nodes=nodes,
        links=tuple(links),
        services=tuple(services),
        graph=graph,
        train_graph=train_graph,
        source=str(folder),
        _names=names,
    )
    route_problems = []
    for s in services:
        try:
            net.service_route(s)
        except NetworkError as e:
            route_problems += [f"services.csv: service {s.service_id}: {p}" for p in e.problems]
    if route_problems:
        raise NetworkError(route_problems)
    return net
