"""Indicative sea and air alternatives to a rail quote, every figure from the dated tables of
:mod:`routing.quote.tables`.

Sea: a truck from the origin to the nearest Chinese export port (road km = great circle x
``road_detour``), the sea leg to the import port nearest the destination (km from searoute,
through Suez; the high end of the days band goes round the Cape), a truck to the destination.
Days: ``truck + 2 x port_dwell + km / (speed_kn x 1.852 x 24) + calls + truck`` (low and high
figures; ceiling). Cost: ``sea_freight (USD/FEU) x TEU / 2 + trucks``, with a truck leg
``max(truck_minimum, truck_rate x km)`` per TEU. No sea alternative when no import port lies
within ``max_port_km`` of the destination (Almaty, Tashkent).

Air: a truck to the cargo airport nearest the origin, the flight to the one nearest the
destination (km = great circle + ``air_distance_uplift``, GLEC), a truck to the destination.
Days: ``air_door_days_long`` above 1,500 km, else ``air_door_days_short``. Cost: ``air_freight
(USD/kg) x cargo kg + trucks``.

CO2e (WTW and TTW, the factor table of :mod:`routing.domain.co2`): road ``t x km x
road_truck_artic``; sea ``t x km x sea_distance_adjustment x sea_container_avg`` plus
``hub_port_container_handling`` per TEU at both ports; air ``t x km x air_longhaul_desnz``.
``t`` is the cargo mass (gross less tare, :func:`routing.domain.co2.cargo_t`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from routing.domain.co2 import FERRY_KEY, ROAD_KEY, FactorTable, NetRouteInfo, cargo_t
from routing.domain.model import Shipment
from routing.quote.records import Alternative
from routing.quote.tables import AlternativeTables, Place, SeaLeg

EARTH_RADIUS_KM = 6371.0088
KM_PER_NM = 1.852
PORT_HANDLING_KEY = "hub_port_container_handling"
AIR_KEY = "air_longhaul_desnz"
#: above this great circle (km) a flight counts as long haul (GLEC's split)
LONG_HAUL_KM = 1500.0


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance between two (lat, lon) points in degrees, km."""
    la1, lo1, la2, lo2 = map(math.radians, (*a, *b))
    h = (
        math.sin((la2 - la1) / 2) ** 2
        + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def nearest(places: Sequence[Place], role: str, at: tuple[float, float]) -> tuple[Place, float]:
    """The place of ``role`` nearest ``at`` (great circle) and its distance, km."""
    best = min(
        (p for p in places if p.role == role), key=lambda p: great_circle_km(at, (p.lat, p.lon))
    )
    return best, great_circle_km(at, (best.lat, best.lon))


@dataclass(frozen=True, slots=True)
class _Truck:
    km: float
    usd_per_teu: float
    days: int


def _truck(t: AlternativeTables, gc_km: float) -> _Truck:
    if gc_km < 1.0:
        return _Truck(0.0, 0.0, 0)
    km = gc_km * t.fig("road_detour").low
    usd = max(t.fig("truck_minimum").low, t.fig("truck_rate").low * km)
    return _Truck(km, usd, max(1, math.ceil(km / t.fig("truck_speed").low / 24)))


def _co2(
    factors: FactorTable, key: str, activity: float, missing: list[str]
) -> tuple[float, float]:
    f = factors.get(key)
    if f is None or f.wtw is None:
        missing.append(key)
        return 0.0, 0.0
    return activity * f.wtw * f.kg_per_unit, activity * (f.ttw or 0.0) * f.kg_per_unit


def _sum_co2(
    parts: list[tuple[float, float]], missing: list[str]
) -> tuple[float | None, float | None]:
    if missing:
        return None, None
    return sum(p[0] for p in parts), sum(p[1] for p in parts)


def _fig_dates(t: AlternativeTables, keys: Sequence[str]) -> str:
    return "; ".join(f"{k} {t.fig(k).as_of}" for k in keys)


def _passage(leg: SeaLeg) -> str:
    if leg.km_cape > leg.km_suez + 1:
        return f" (through Suez; the high days round the Cape, {leg.km_cape:,.0f} km)"
    return ""


def sea(
    sh: Shipment,
    at_o: tuple[float, float],
    at_d: tuple[float, float],
    t: AlternativeTables,
    factors: FactorTable,
) -> Alternative:
    """The sea alternative of ``sh`` from ``at_o`` to ``at_d`` (lat, lon)."""
    pol, gc_o = nearest(t.ports, "export", at_o)
    pod, gc_d = nearest(t.ports, "import", at_d)
    limit = t.fig("max_port_km").low
    if gc_d > limit:
        return Alternative(
            mode="sea",
            available=False,
            note=f"no import port within {limit:,.0f} km of {sh.destination} "
            f"(nearest {pod.name}, {gc_d:,.0f} km)",
        )
    leg = t.sea_legs.get((pol.code, pod.code))
    if leg is None:
        return Alternative(
            mode="sea", available=False, note=f"no sea leg {pol.code} -> {pod.code} in sea_legs.csv"
        )
    first, last = _truck(t, gc_o), _truck(t, gc_d)
    day_km = t.fig("sea_speed").low * KM_PER_NM * 24
    dwell, calls = t.fig("port_dwell"), t.fig("sea_calls")
    low = first.days + 2 * dwell.low + leg.km_suez / day_km + calls.low + last.days
    high = first.days + 2 * dwell.high + leg.km_cape / day_km + calls.high + last.days
    trucks = (first.usd_per_teu + last.usd_per_teu) * sh.teu
    freight = t.fig("sea_freight")
    mass = sh.containers * cargo_t(sh.container_type, sh.gross_t)
    missing: list[str] = []
    sea_tkm = mass * leg.km_suez * t.fig("sea_distance_adjustment").low
    parts = [
        _co2(factors, ROAD_KEY, mass * (first.km + last.km), missing),
        _co2(factors, FERRY_KEY, sea_tkm, missing),
        _co2(factors, PORT_HANDLING_KEY, 2.0 * sh.teu, missing),
    ]
    wtw, ttw = _sum_co2(parts, missing)
    keys = ("sea_freight", "sea_speed", "sea_calls", "port_dwell", "truck_rate")
    return Alternative(
        mode="sea",
        available=True,
        route=(sh.origin, pol.code, pod.code, sh.destination),
        road_km=first.km + last.km,
        main_km=leg.km_suez,
        days_low=math.ceil(low),
        days_high=math.ceil(high),
        cost_low_usd=freight.low * sh.teu / 2 + trucks,
        cost_high_usd=freight.high * sh.teu / 2 + trucks,
        co2e_wtw_kg=wtw,
        co2e_ttw_kg=ttw,
        as_of=_fig_dates(t, keys),
        note=f"truck to {pol.name}, sea to {pod.name}{_passage(leg)}, truck to {sh.destination}"
        + (f"; no factor {', '.join(missing)}: no CO2e" if missing else ""),
    )


def air(
    sh: Shipment,
    at_o: tuple[float, float],
    at_d: tuple[float, float],
    t: AlternativeTables,
    factors: FactorTable,
) -> Alternative:
    """The air alternative of ``sh`` from ``at_o`` to ``at_d`` (lat, lon)."""
    apo, gc_o = nearest(t.airports, "origin", at_o)
    apd, gc_d = nearest(t.airports, "destination", at_d)
    limit = t.fig("max_port_km").low
    if gc_d > limit:
        return Alternative(
            mode="air",
            available=False,
            note=f"no cargo airport within {limit:,.0f} km of {sh.destination}",
        )
    gc = great_circle_km((apo.lat, apo.lon), (apd.lat, apd.lon))
    km = gc + t.fig("air_distance_uplift").low
    first, last = _truck(t, gc_o), _truck(t, gc_d)
    days = t.fig("air_door_days_long" if gc > LONG_HAUL_KM else "air_door_days_short")
    mass = sh.containers * cargo_t(sh.container_type, sh.gross_t)
    trucks = (first.usd_per_teu + last.usd_per_teu) * sh.teu
    rate = t.fig("air_freight")
    missing: list[str] = []
    parts = [
        _co2(factors, ROAD_KEY, mass * (first.km + last.km), missing),
        _co2(factors, AIR_KEY, mass * km, missing),
    ]
    wtw, ttw = _sum_co2(parts, missing)
    keys = ("air_freight", days.key, "air_distance_uplift", "truck_rate")
    return Alternative(
        mode="air",
        available=True,
        route=(sh.origin, apo.code, apd.code, sh.destination),
        road_km=first.km + last.km,
        main_km=km,
        days_low=math.ceil(days.low),
        days_high=math.ceil(days.high),
        cost_low_usd=rate.low * mass * 1000 + trucks,
        cost_high_usd=rate.high * mass * 1000 + trucks,
        co2e_wtw_kg=wtw,
        co2e_ttw_kg=ttw,
        as_of=_fig_dates(t, keys),
        note=f"truck to {apo.name} ({apo.code}), fly to {apd.name} ({apd.code}), truck to "
        f"{sh.destination}; charged on {mass:,.1f} t cargo"
        + (f"; no factor {', '.join(missing)}: no CO2e" if missing else ""),
    )


def alternatives(
    sh: Shipment, info: NetRouteInfo, t: AlternativeTables, factors: FactorTable
) -> tuple[Alternative, ...]:
    """The sea and the air alternative of ``sh`` (its origin and destination node ids)."""
    at_o, at_d = info.coords.get(sh.origin), info.coords.get(sh.destination)
    if at_o is None or at_d is None:
        note = "no coordinates for the origin or the destination"
        return (
            Alternative(mode="sea", available=False, note=note),
            Alternative(mode="air", available=False, note=note),
        )
    return sea(sh, at_o, at_d, t, factors), air(sh, at_o, at_d, t, factors)
