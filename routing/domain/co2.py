"""CO2e of a shipment's ride, per transport chain element (ISO 14083:2023 / GLEC Framework).

The chain of a shipment on a departure, in order:

* ``first_mile``: the truck from the shipment's origin to the train's origin park (when they
  differ); ``road_truck_artic``.
* ``rail`` (and ``ferry``): the departure's route (loops cut out, :func:`without_loops`), link
  by link from the network, merged into
  sections of one country and one traction. A link's country is its end nodes' country; a link
  whose ends lie in two countries (the 4-22 km border tracks) counts wholly in the country of
  its far end in the direction of travel. Electric traction: ``rail_electric_CC`` (the
  country's grid factor x the train's energy intensity, TTW 0); diesel: ``rail_diesel_CC``.
  Where the table has no row for the country, the diesel row of the country and then
  ``rail_diesel_EU27`` are used (conservative: diesel is the higher intensity). A rail link
  with no traction in the network is taken as diesel. A ferry link uses
  ``sea_container_avg``.
* ``transshipment``: every node of the route where the rail gauge changes between two
  consecutive rail links (the Chinese border's counterpart stations, Brest/Malaszewicze,
  Khorgos/Altynkol, ...): ``hub_rail_transshipment`` per TEU.
* ``last_mile``: the truck from the train's destination to the shipment's destination.

Activity of a leg is ``t x km`` (t km): ``t`` the cargo mass, i.e. the shipment's gross mass
per container less the container's tare (:data:`TARE_T`), times the containers (ISO 14083 and
GLEC count the payload; the tare of the box is transport equipment). A shipment that gives no
mass has its container type's default gross mass (``routing.domain.model.CONTAINER_TYPES``).
Distance: the network's km (rail: the actual route km, no uplift; truck: the network's truck
link km, itself derived from the geodesic x 1.25; a truck leg of a tariff sheet the network
does not hold: great circle x 1.25). ``E = tkm x intensity`` for WTW and TTW apart; a hub:
``E = TEU x intensity`` (TTW 0 when the table gives none).

Everything here is pure: the factor table and the network's link data come in as records.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from network import Departure, Network

TRACTIONS = ("electric", "diesel")
#: the factor rows the chain uses beyond the per-country rail rows
ROAD_KEY = "road_truck_artic"
HUB_KEY = "hub_rail_transshipment"
FERRY_KEY = "sea_container_avg"
RAIL_FALLBACK_KEY = "rail_diesel_EU27"
REQUIRED_KEYS = (ROAD_KEY, HUB_KEY, FERRY_KEY, RAIL_FALLBACK_KEY)
#: road km from a great-circle distance where the network has no truck link (the network's
#: own rule for road km without a published figure)
ROAD_DETOUR = 1.25
#: typical tare per container type, tonnes (assumption: carriers' published specifications,
#: e.g. Hapag-Lloyd and Maersk container specification sheets; +-10 % between builders)
TARE_T: dict[str, float] = {
    "20GP": 2.2,
    "20RF": 3.0,
    "40GP": 3.7,
    "40HC": 3.9,
    "40RF": 4.8,
    "45HC": 4.8,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Factor:
    """One row of the factor table: WTW and TTW intensities in ``unit`` (None: not given)."""

    key: str
    mode: str
    unit: str
    wtw: float | None
    ttw: float | None
    source: str
    basis: str = ""

    @property
    def kg_per_unit(self) -> float:
        """The unit's scale to kg: 0.001 for ``g_...``, 1 for ``kg_...``."""
        return 0.001 if self.unit.startswith("g_") else 1.0


@dataclass(frozen=True, slots=True)
class FactorTable:
    """The emission factors by key, and where the table came from."""

    factors: Mapping[str, Factor]
    source: str = ""

    def get(self, key: str) -> Factor | None:
        return self.factors.get(key)


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkData:
    """What the chain needs of a network link (directed, as the route runs it)."""

    mode: str
    km: float
    traction: str
    gauge_mm: int | None


@dataclass(frozen=True, slots=True)
class NetRouteInfo:
    """The network's data the chain needs: links by (from, to) in both directions, nodes'
    countries and coordinates."""

    links: Mapping[tuple[str, str], LinkData]
    country: Mapping[str, str]
    coords: Mapping[str, tuple[float, float]] = field(default_factory=dict)


def net_route_info(net: Network) -> NetRouteInfo:
    """The links (rail, ferry, truck; the shortest where two join the same nodes), countries
    and coordinates of ``net``."""
    links: dict[tuple[str, str], LinkData] = {}
    for lk in net.links:
        data = LinkData(mode=lk.mode, km=lk.distance_km, traction=lk.traction, gauge_mm=lk.gauge_mm)
        train = lk.mode != "truck"
        for key in ((lk.a, lk.b), (lk.b, lk.a)):
            k = key if train else (f"truck:{key[0]}", key[1])
            if k not in links or data.km < links[k].km:
                links[k] = data
    return NetRouteInfo(
        links=links,
        country={n.id: n.country for n in net.nodes.values()},
        coords={n.id: (n.lat, n.lon) for n in net.nodes.values()},
    )


class Cargo(Protocol):
    """What the chain needs of a shipment (:class:`routing.domain.model.Shipment`)."""

    @property
    def shipment_id(self) -> str: ...
    @property
    def origin(self) -> str: ...
    @property
    def destination(self) -> str: ...
    @property
    def containers(self) -> int: ...
    @property
    def container_type(self) -> str: ...
    @property
    def gross_t(self) -> float: ...
    @property
    def teu_per_container(self) -> int: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Element:
    """One transport chain element of one (shipment, departure), with its activity and CO2e."""

    element: str  # first_mile, rail, ferry, transshipment, last_mile
    mode: str  # road, rail, sea, hub
    frm: str
    to: str
    km: float
    t: float
    tkm: float
    teu: int
    factor_key: str
    factor_note: str  # a fallback taken, if any (the factor's source is its row in the table)
    wtw_kg: float
    ttw_kg: float


@dataclass(frozen=True, slots=True)
class _Leg:
    element: str
    mode: str
    frm: str
    to: str
    km: float
    factor: Factor
    note: str = ""


def cargo_t(container_type: str, gross_t: float) -> float:
    """Cargo tonnes in one container: its gross mass less the type's tare (at least 0)."""
    return max(gross_t - TARE_T.get(container_type, 0.0), 0.0)


def _factor(factors: FactorTable, key: str) -> Factor:
    f = factors.get(key)
    if f is None:
        raise ValueError(f"emission factor {key!r}: not in the factor table {factors.source}")
    return f


def rail_factor(factors: FactorTable, country: str, traction: str) -> tuple[Factor, str]:
    """The rail row for a country and traction, with the fallback rule (module docstring);
    the note says when a fallback was taken."""
    trac = traction if traction in TRACTIONS else "diesel"
    note = "" if trac == traction else "traction not given: diesel assumed; "
    for key in (f"rail_{trac}_{country}", f"rail_diesel_{country}"):
        f = factors.get(key)
        if f is not None:
            if key != f"rail_{trac}_{country}":
                note += f"no {trac} row for {country}: diesel used; "
            return f, note
    return _factor(factors, RAIL_FALLBACK_KEY), note + f"no row for {country}: EU-27 diesel; "


def _truck_km(info: NetRouteInfo, a: str, b: str) -> tuple[float, str]:
    lk = info.links.get((f"truck:{a}", b))
    if lk is not None:
        return lk.km, ""
    (la, oa), (lb, ob) = info.coords.get(a, (0.0, 0.0)), info.coords.get(b, (0.0, 0.0))
    p1, p2, dl = math.radians(la), math.radians(lb), math.radians(ob - oa)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    km = 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h))) * ROAD_DETOUR
    return km, f"no truck link in the network: great circle x {ROAD_DETOUR}; "


def without_loops(route: tuple[str, ...]) -> tuple[str, ...]:
    """The route with every loop cut out (a node seen again: back to its first visit). The
    network's expansion of a service's ``via`` stops can run out and back (the trans-Caspian
    services go to Aktau and back to Khorgos before the ferry); the cargo is hauled once."""
    out: list[str] = []
    at: dict[str, int] = {}
    for n in route:
        if n in at:
            for m in out[at[n] + 1 :]:
                del at[m]
            del out[at[n] + 1 :]
        else:
            at[n] = len(out)
            out.append(n)
    return tuple(out)


def _legs(
    origin: str, destination: str, dep: Departure, info: NetRouteInfo, factors: FactorTable
) -> tuple[list[_Leg], list[str]]:
    """The legs (with their factors) and the transshipment nodes of a ride, in order."""
    legs: list[_Leg] = []
    hubs: list[str] = []
    road = _factor(factors, ROAD_KEY)
    if origin != dep.origin:
        km, note = _truck_km(info, origin, dep.origin)
        legs.append(_Leg("first_mile", "road", origin, dep.origin, km, road, note))
    prev_gauge: int | None = None
    for a, b in itertools.pairwise(without_loops(dep.route)):
        lk = info.links.get((a, b))
        if lk is None:
            raise ValueError(f"departure {dep.departure_id}: no link {a}-{b} in the network")
        ca, cb = info.country.get(a, ""), info.country.get(b, "")
        country = cb or ca
        if lk.mode == "rail":
            if prev_gauge is not None and lk.gauge_mm is not None and lk.gauge_mm != prev_gauge:
                hubs.append(a)
                legs.append(_Leg("transshipment", "hub", a, a, 0.0, _factor(factors, HUB_KEY)))
            prev_gauge = lk.gauge_mm if lk.gauge_mm is not None else prev_gauge
            f, note = rail_factor(factors, country, lk.traction)
            element, mode = "rail", "rail"
        else:
            f, note, element, mode = _factor(factors, FERRY_KEY), "", "ferry", "sea"
        last = legs[-1] if legs else None
        if last is not None and last.element == element and last.factor.key == f.key:
            legs[-1] = _Leg(element, mode, last.frm, b, last.km + lk.km, f, last.note)
        else:
            legs.append(_Leg(element, mode, a, b, lk.km, f, note))
    if destination != dep.destination:
        km, note = _truck_km(info, dep.destination, destination)
        legs.append(_Leg("last_mile", "road", dep.destination, destination, km, road, note))
    return legs, hubs


def chain(
    shipment: Cargo,
    departure: Departure,
    info: NetRouteInfo,
    factors: FactorTable,
    containers: int | None = None,
    *,
    cache: dict[tuple[str, str, str], list[_Leg]] | None = None,
) -> tuple[Element, ...]:
    """The chain elements of ``containers`` (default: all) of ``shipment`` on ``departure``
    (see the module docstring for the rules). ``cache`` keeps the legs of each (origin,
    destination, departure) for the calls of one problem (the legs do not depend on mass)."""
    n = shipment.containers if containers is None else containers
    t = n * cargo_t(shipment.container_type, shipment.gross_t)
    teu = n * shipment.teu_per_container
    key = (shipment.origin, shipment.destination, departure.departure_id)
    if cache is not None and key in cache:
        legs = cache[key]
    else:
        legs, _ = _legs(shipment.origin, shipment.destination, departure, info, factors)
        if cache is not None:
            cache[key] = legs
    out = []
    for leg in legs:
        f = leg.factor
        scale = f.kg_per_unit
        if leg.element == "transshipment":
            activity, tkm = float(teu), 0.0
        else:
            activity = tkm = t * leg.km
        out.append(
            Element(
                element=leg.element,
                mode=leg.mode,
                frm=leg.frm,
                to=leg.to,
                km=leg.km,
                t=t,
                tkm=tkm,
                teu=teu,
                factor_key=f.key,
                factor_note=leg.note.strip().rstrip(";"),
                wtw_kg=activity * (f.wtw or 0.0) * scale,
                ttw_kg=activity * (f.ttw or 0.0) * scale,
            )
        )
    return tuple(out)


def totals(elements: tuple[Element, ...]) -> tuple[float, float]:
    """WTW and TTW kg CO2e of a chain."""
    return sum(e.wtw_kg for e in elements), sum(e.ttw_kg for e in elements)


def per_container_wtw_kg(
    shipment: Cargo,
    departure: Departure,
    info: NetRouteInfo,
    factors: FactorTable,
    cache: dict[tuple[object, ...], tuple[float, float]] | None = None,
) -> float:
    """WTW kg CO2e of one container of ``shipment`` on ``departure``: ``cargo t x sum(km x
    intensity) + TEU x hub intensity``; ``cache`` keeps the two sums per ride."""
    key: tuple[object, ...] = (shipment.origin, shipment.destination, departure.origin)
    key += (departure.destination, *departure.route)
    if cache is None or key not in cache:
        legs, _ = _legs(shipment.origin, shipment.destination, departure, info, factors)
        per_t = sum(
            leg.km * (leg.factor.wtw or 0.0) * leg.factor.kg_per_unit
            for leg in legs
            if leg.element != "transshipment"
        )
        per_teu = sum(
            (leg.factor.wtw or 0.0) * leg.factor.kg_per_unit
            for leg in legs
            if leg.element == "transshipment"
        )
        if cache is None:
            return (
                cargo_t(shipment.container_type, shipment.gross_t) * per_t
                + shipment.teu_per_container * per_teu
            )
        cache[key] = (per_t, per_teu)
    per_t, per_teu = cache[key]
    return (
        cargo_t(shipment.container_type, shipment.gross_t) * per_t
        + shipment.teu_per_container * per_teu
    )
