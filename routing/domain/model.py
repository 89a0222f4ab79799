"""Records of a planning problem: shipments, container types, contract rates, border quotas,
trucking legs, and the :class:`Problem` that bundles them with the departures.

Units: USD, TEU, tonnes (t), calendar days.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from network import Network
from network.model import Departure
from routing.domain.co2 import FactorTable, NetRouteInfo


@dataclass(frozen=True, slots=True)
class ContainerType:
    code: str
    teu: int
    default_gross_t: float
    max_gross_t: float
    reefer: bool


#: teu per container, default and maximum gross mass. Maximum: 24 t for 20ft (China Railway's
#: rule for China-Europe trains, 20ft boxes travel in pairs of <= 24 t each); 30.48 t for 40ft
#: and 45ft (ISO 668 rating). Defaults are typical loads of this trade (assumption).
CONTAINER_TYPES: dict[str, ContainerType] = {
    c.code: c
    for c in (
        ContainerType("20GP", 1, 16.0, 24.0, False),
        ContainerType("20RF", 1, 20.0, 24.0, True),
        ContainerType("40GP", 2, 20.0, 30.48, False),
        ContainerType("40HC", 2, 20.0, 30.48, False),
        ContainerType("40RF", 2, 26.0, 30.48, True),
        ContainerType("45HC", 2, 22.0, 30.48, False),
    )
}
DEFAULT_CONTAINER_TYPE = "40HC"
#: USD per TEU per day late when a shipment gives none (assumption: about the daily cost of
#: a late container to the customer, in the range of a 40ft box's demurrage).
DEFAULT_LATE_PENALTY_PER_TEU_DAY = 100.0
#: USD per TEU left unassigned: far above any corridor's full cost per TEU, so that a container
#: is left behind only when no feasible train can take it.
DEFAULT_UNASSIGNED_PENALTY_PER_TEU = 20_000.0

#: the longest timetable planned at once (three years), in days
MAX_HORIZON_DAYS = 1096
#: the largest unassigned penalty accepted, USD per TEU
MAX_UNASSIGNED_PENALTY_PER_TEU = 1e7


def _require(cond: bool, name: str, value: object, expected: str) -> None:
    if not cond:
        raise ValueError(f"{name}={value!r}: expected {expected}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Shipment:
    """A lot of identical containers of one customer, from an origin to a destination."""

    shipment_id: str
    origin: str
    destination: str
    containers: int
    container_type: str = DEFAULT_CONTAINER_TYPE
    gross_t: float
    ready_date: dt.date
    due_date: dt.date | None = None
    late_penalty_per_teu_day: float = DEFAULT_LATE_PENALTY_PER_TEU_DAY
    split: bool = True
    avoid_countries: frozenset[str] = frozenset()
    dg_class: str = ""
    customer: str = ""
    #: re-planning: the departure these containers are confirmed on (None: not booked)
    booked_on: str | None = None
    #: a pinned booking never moves: its only eligible departure is ``booked_on``
    pinned: bool = False
    #: USD per container that leaves ``booked_on`` (for another train or the unassigned list)
    move_penalty_per_container: float = 0.0

    def __post_init__(self) -> None:
        _require(bool(self.shipment_id), "shipment_id", self.shipment_id, "a non-empty id")
        _require(
            not self.pinned or self.booked_on is not None,
            "pinned",
            self.pinned,
            "a booking (booked_on) to pin",
        )
        _require(
            0 <= self.move_penalty_per_container < math.inf,
            "move_penalty_per_container",
            self.move_penalty_per_container,
            "a finite number >= 0",
        )
        _require(self.containers >= 1, "containers", self.containers, "an integer >= 1")
        _require(
            self.container_type in CONTAINER_TYPES,
            "container_type",
            self.container_type,
            f"one of {', '.join(CONTAINER_TYPES)}",
        )
        ct = CONTAINER_TYPES[self.container_type]
        _require(
            0 < self.gross_t <= ct.max_gross_t,
            "gross_t",
            self.gross_t,
            f"> 0 and <= {ct.max_gross_t:g} t for {ct.code}",
        )
        _require(
            self.due_date is None or self.due_date >= self.ready_date,
            "due_date",
            self.due_date,
            f"on or after ready_date {self.ready_date}",
        )
        _require(
            self.late_penalty_per_teu_day >= 0,
            "late_penalty_per_teu_day",
            self.late_penalty_per_teu_day,
            ">= 0",
        )

    @property
    def teu_per_container(self) -> int:
        return CONTAINER_TYPES[self.container_type].teu

    @property
    def teu(self) -> int:
        return self.containers * self.teu_per_container

    @property
    def reefer(self) -> bool:
        return CONTAINER_TYPES[self.container_type].reefer


@dataclass(frozen=True, slots=True, kw_only=True)
class TruckLeg:
    """A drayage (first-mile) or last-mile truck leg, directed."""

    origin: str
    destination: str
    cost_per_teu: float
    days: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """Everything a solve needs, validated and with names resolved to node ids.

    ``truck_legs`` is ``None`` when the network's truck links apply, or the legs of a
    trucking tariff sheet (possibly empty: no trucking at all).
    """

    shipments: tuple[Shipment, ...]
    departures: tuple[Departure, ...]
    rates: dict[tuple[str, str], float] = field(default_factory=dict)
    quota: dict[str, int] = field(default_factory=dict)
    quota_by_date: dict[tuple[str, dt.date], int] = field(default_factory=dict)
    truck_legs: tuple[TruckLeg, ...] = ()
    unassigned_penalty_per_teu: float = DEFAULT_UNASSIGNED_PENALTY_PER_TEU
    inputs: dict[str, str] = field(default_factory=dict)
    #: CO2e (:mod:`routing.domain.co2`): the factor table and the network's link data; without
    #: both, the plan carries no CO2e (0)
    emission_factors: FactorTable | None = None
    emission_network: NetRouteInfo | None = None
    #: USD per tonne of WTW CO2e added to each option's cost (0: plans as without it)
    carbon_price_per_t: float = 0.0

    def quota_for(self, port: str, day: dt.date) -> int | None:
        """Trains per day allowed through ``port`` on ``day`` (None: no limit)."""
        if (port, day) in self.quota_by_date:
            return self.quota_by_date[(port, day)]
        return self.quota.get(port)


def network_truck_legs(net: Network) -> list[TruckLeg]:
    """The network's truck links as directed legs; a leg takes whole days (at least one)."""
    legs = []
    for lk in net.truck_links():
        days = max(1, math.ceil(lk.hours / 24))
        legs.append(
            TruckLeg(origin=lk.a, destination=lk.b, cost_per_teu=lk.cost_per_teu, days=days)
        )
        legs.append(
            TruckLeg(origin=lk.b, destination=lk.a, cost_per_teu=lk.cost_per_teu, days=days)
        )
    return legs
