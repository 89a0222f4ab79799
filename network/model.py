"""Typed records of the rail network: places, links, services and dated departures.

All records are frozen dataclasses that check themselves on creation and raise a
``ValueError`` naming the field and the value. Units are in the field names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

NODE_KINDS = ("park", "border", "junction", "destination", "city")
LINK_MODES = ("rail", "ferry", "truck")
#: a rail link's traction ("" on a rail link: not given, taken as diesel for CO2e)
TRACTIONS = ("electric", "diesel")
CORRIDORS = ("northern", "mongolian", "western", "trans_caspian", "laos_vietnam")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _require(cond: bool, name: str, value: object, expected: str) -> None:
    if not cond:
        raise ValueError(f"{name}={value!r}: expected {expected}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """A place of the network: a park (origin terminal), border station, junction,
    destination terminal or a city served only by truck."""

    id: str
    name_en: str
    name_zh: str = ""
    aliases: tuple[str, ...] = ()
    kind: str
    country: str
    lat: float
    lon: float
    gauge_mm: int = 1435
    gauge_change: bool = False
    dwell_hours: float = 0.0
    trains_per_day: int | None = None
    national_trains_per_day: int | None = None
    source: str = ""

    def __post_init__(self) -> None:
        _require(bool(self.id) and self.id == self.id.lower(), "id", self.id, "a lower-case id")
        _require(self.kind in NODE_KINDS, "kind", self.kind, f"one of {', '.join(NODE_KINDS)}")
        _require(
            len(self.country) == 2 and self.country.isupper(),
            "country",
            self.country,
            "an ISO 3166-1 alpha-2 code",
        )
        _require(-90 <= self.lat <= 90, "lat", self.lat, "a latitude in [-90, 90]")
        _require(-180 <= self.lon <= 180, "lon", self.lon, "a longitude in [-180, 180]")
        _require(self.dwell_hours >= 0, "dwell_hours", self.dwell_hours, ">= 0")
        for name in ("trains_per_day", "national_trains_per_day"):
            v = getattr(self, name)
            _require(v is None or v >= 0, name, v, "an integer >= 0 or empty")


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    """An undirected link between two nodes: rail (with gauge), ferry or truck."""

    a: str
    b: str
    mode: str
    distance_km: float
    speed_kmh: float
    gauge_mm: int | None = None
    cost_per_teu: float = 0.0
    source: str = ""
    #: rail only: electric or diesel (for CO2e, see ``routing.domain.co2``); "" not given
    traction: str = ""
    traction_source: str = ""

    def __post_init__(self) -> None:
        _require(self.mode in LINK_MODES, "mode", self.mode, f"one of {', '.join(LINK_MODES)}")
        _require(
            self.traction in TRACTIONS
            if self.mode == "rail" and self.traction
            else not self.traction,
            "traction",
            self.traction,
            "electric or diesel on a rail link, empty otherwise",
        )
        _require(self.distance_km > 0, "distance_km", self.distance_km, "> 0")
        _require(self.speed_kmh > 0, "speed_kmh", self.speed_kmh, "> 0")
        _require(self.cost_per_teu >= 0, "cost_per_teu", self.cost_per_teu, ">= 0")

    @property
    def hours(self) -> float:
        return self.distance_km / self.speed_kmh


@dataclass(frozen=True, slots=True, kw_only=True)
class Service:
    """A regular train line, running on a weekly pattern."""

    service_id: str
    name: str
    scope: str
    corridor: str
    origin: str
    destination: str
    border_port: str
    via: tuple[str, ...] = ()
    weekdays: tuple[int, ...]
    every_weeks: int = 1
    capacity_teu: int
    max_gross_t: float | None
    fixed_cost_usd: float
    rate_per_teu_usd: float
    min_load_teu: int
    reefer_plugs: int
    dg_allowed: bool
    transit_days: int | None = None
    source: str = ""

    def __post_init__(self) -> None:
        _require(self.scope in ("shanxi", "national"), "scope", self.scope, "shanxi or national")
        _require(
            self.corridor in CORRIDORS, "corridor", self.corridor, f"one of {', '.join(CORRIDORS)}"
        )
        _require(
            bool(self.weekdays) and all(0 <= d <= 6 for d in self.weekdays),
            "weekdays",
            self.weekdays,
            "weekdays Mon..Sun",
        )
        _require(self.every_weeks in (1, 2), "every_weeks", self.every_weeks, "1 or 2")
        _require(self.capacity_teu > 0, "capacity_teu", self.capacity_teu, "> 0")
        _require(
            0 <= self.min_load_teu <= self.capacity_teu,
            "min_load_teu",
            self.min_load_teu,
            f"between 0 and capacity_teu ({self.capacity_teu})",
        )
        _require(self.fixed_cost_usd >= 0, "fixed_cost_usd", self.fixed_cost_usd, ">= 0")
        _require(self.rate_per_teu_usd >= 0, "rate_per_teu_usd", self.rate_per_teu_usd, ">= 0")
        _require(self.reefer_plugs >= 0, "reefer_plugs", self.reefer_plugs, ">= 0")
        _require(
            self.max_gross_t is None or self.max_gross_t > 0, "max_gross_t", self.max_gross_t, "> 0"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Departure:
    """One dated train: what a container can be assigned to.

    ``border_offset_days`` is the number of days from departure to the border crossing;
    the train uses the border port's daily quota on ``depart_date + border_offset_days``.
    """

    departure_id: str
    origin: str
    destination: str
    border_port: str = ""
    depart_date: dt.date
    border_offset_days: int = 0
    transit_days: int
    capacity_teu: int
    max_gross_t: float | None = None
    fixed_cost: float = 0.0
    rate_per_teu: float = 0.0
    min_load_teu: int = 0
    reefer_plugs: int = 0
    dg_allowed: bool = False
    service_id: str = ""
    corridor: str = ""
    route: tuple[str, ...] = field(default=())
    countries: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        _require(bool(self.departure_id), "departure_id", self.departure_id, "a non-empty id")
        _require(self.transit_days >= 0, "transit_days", self.transit_days, ">= 0")
        _require(
            0 <= self.border_offset_days <= max(self.transit_days, 0),
            "border_offset_days",
            self.border_offset_days,
            f"between 0 and transit_days ({self.transit_days})",
        )
        _require(self.capacity_teu > 0, "capacity_teu", self.capacity_teu, "> 0")
        _require(
            0 <= self.min_load_teu <= self.capacity_teu,
            "min_load_teu",
            self.min_load_teu,
            f"between 0 and capacity_teu ({self.capacity_teu})",
        )
        _require(self.fixed_cost >= 0, "fixed_cost", self.fixed_cost, ">= 0")
        _require(self.rate_per_teu >= 0, "rate_per_teu", self.rate_per_teu, ">= 0")
        _require(self.reefer_plugs >= 0, "reefer_plugs", self.reefer_plugs, ">= 0")
        _require(
            self.max_gross_t is None or self.max_gross_t > 0, "max_gross_t", self.max_gross_t, "> 0"
        )

    @property
    def border_date(self) -> dt.date:
        return self.depart_date + dt.timedelta(days=self.border_offset_days)

    @property
    def arrival_date(self) -> dt.date:
        return self.depart_date + dt.timedelta(days=self.transit_days)
