"""The quote's records: what is asked (:class:`QuoteRequest`), what the ledger or a plan folder
says is left (:class:`Capacity`), and what comes back (:class:`Quote` with its rail
:class:`Option` s, the :class:`Refusal` s of ``--explain`` and the sea and air
:class:`Alternative` s). Frozen, checked on creation; units in the names (USD, TEU, t, kg, km,
days)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from network import Departure
from routing.domain.model import (
    CONTAINER_TYPES,
    DEFAULT_CONTAINER_TYPE,
    DEFAULT_LATE_PENALTY_PER_TEU_DAY,
    Shipment,
)

#: the orders ``--sort`` knows: total price, arrival date, WTW CO2e (ties: price, then id)
SORTS = ("price", "arrival", "co2")
#: the reasons a departure on the asked corridor cannot take the request (``--explain``)
REFUSAL_CODES = (
    "cancelled",  # the train is cancelled
    "departed",  # the train has left
    "avoided_countries",  # its route crosses a country the request avoids
    "reefer",  # no (or not enough free) reefer plugs
    "dangerous_goods",  # the train takes no dangerous goods
    "too_heavy",  # the train's gross-tonne limit
    "full",  # not enough TEU left
    "quota",  # the border port's quota that day is used up and the train carries nothing yet
)
TRAIN_STATES = frozenset({"scheduled", "cancelled", "departed"})
#: the id a request's containers carry in the CO2e chain
QUOTE_SHIPMENT_ID = "quote"


def _require(cond: bool, name: str, value: object, expected: str) -> None:
    if not cond:
        raise ValueError(f"{name}={value!r}: expected {expected}")


@dataclass(frozen=True, slots=True, kw_only=True)
class QuoteRequest:
    """``containers`` boxes of ``container_type`` from ``origin`` to ``destination`` (node
    ids), ready on ``ready_date``; ``gross_t`` per container (None: the type's default)."""

    origin: str
    destination: str
    containers: int
    container_type: str = DEFAULT_CONTAINER_TYPE
    gross_t: float | None = None
    ready_date: dt.date
    due_date: dt.date | None = None
    avoid_countries: frozenset[str] = frozenset()
    dg_class: str = ""
    top: int = 5
    sort: str = "price"
    late_penalty_per_teu_day: float = DEFAULT_LATE_PENALTY_PER_TEU_DAY

    def __post_init__(self) -> None:
        _require(
            self.container_type in CONTAINER_TYPES,
            "container_type",
            self.container_type,
            f"one of {', '.join(CONTAINER_TYPES)}",
        )
        _require(
            1 <= self.containers <= 100_000,
            "containers",
            self.containers,
            "an integer from 1 to 100,000",
        )
        _require(self.top >= 1, "top", self.top, "at least 1")
        _require(self.sort in SORTS, "sort", self.sort, f"one of {', '.join(SORTS)}")
        self.shipment()  # the shipment's own checks: mass, dates

    def shipment(self) -> Shipment:
        """The request as a :class:`Shipment` (the CO2e chain and the checks of a batch row)."""
        ct = CONTAINER_TYPES[self.container_type]
        return Shipment(
            shipment_id=QUOTE_SHIPMENT_ID,
            origin=self.origin,
            destination=self.destination,
            containers=self.containers,
            container_type=self.container_type,
            gross_t=ct.default_gross_t if self.gross_t is None else self.gross_t,
            ready_date=self.ready_date,
            due_date=self.due_date,
            late_penalty_per_teu_day=self.late_penalty_per_teu_day,
            avoid_countries=self.avoid_countries,
            dg_class=self.dg_class,
        )

    @property
    def teu(self) -> int:
        return self.containers * CONTAINER_TYPES[self.container_type].teu


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainUse:
    """A dated train and what its active bookings use (from the ledger or a plan folder)."""

    departure: Departure
    state: str = "scheduled"
    used_teu: int = 0
    used_gross_t: float = 0.0
    used_plugs: int = 0
    active_bookings: int = 0

    def __post_init__(self) -> None:
        if self.state not in TRAIN_STATES:
            raise ValueError(f"state={self.state!r}: expected scheduled, cancelled or departed")
        if self.used_teu < 0:
            raise ValueError(f"used_teu={self.used_teu!r}: expected >= 0")


@dataclass(frozen=True, slots=True, kw_only=True)
class CrossingUse:
    """A border port on one day: trains that cross it carrying bookings, and its quota."""

    port: str
    day: dt.date
    trains: int
    quota: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Capacity:
    """What is left to quote on: the trains, the border days, where it was read (``source``)
    and at which ledger ``version`` (None: a plan folder). ``quota`` gives a port's trains per
    day where ``crossings`` has no row; ``rates`` contract rates (USD per TEU) by departure id
    or service id."""

    trains: tuple[TrainUse, ...]
    crossings: Mapping[tuple[str, dt.date], CrossingUse] = field(default_factory=dict)
    quota: Mapping[str, int] = field(default_factory=dict)
    rates: Mapping[str, float] = field(default_factory=dict)
    version: int | None = None
    source: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    """One train that can take the whole request, with its dates, price and CO2e."""

    departure_id: str
    service_id: str
    corridor: str
    origin_park: str
    destination_terminal: str
    depart_date: dt.date
    border_port: str
    border_date: dt.date | None
    arrival_date: dt.date
    transit_days: int
    late_days: int
    rate_per_teu_usd: float
    rate_basis: str  # "contract" or "tariff"
    freight_usd: float
    first_mile_usd: float
    last_mile_usd: float
    total_usd: float
    per_container_usd: float
    runs: bool
    teu_to_minimum: int
    left_teu_after: int
    co2e_wtw_kg: float
    co2e_ttw_kg: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Refusal:
    """A train on the asked corridor and dates that cannot take the request, and why."""

    departure_id: str
    depart_date: dt.date
    code: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Alternative:
    """An indicative sea or air chain: the route, days and cost as bands, CO2e. ``available``
    False: ``note`` says why (e.g. no sea port near a landlocked destination)."""

    mode: str  # sea or air
    available: bool
    route: tuple[str, ...] = ()
    road_km: float = 0.0
    main_km: float = 0.0
    days_low: int = 0
    days_high: int = 0
    cost_low_usd: float = 0.0
    cost_high_usd: float = 0.0
    co2e_wtw_kg: float | None = None
    co2e_ttw_kg: float | None = None
    as_of: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote:
    """The answer: the best ``request.top`` options in ``request.sort`` order, the refusals,
    the alternatives, and until when it holds (``valid_until``) on ledger ``version``."""

    request: QuoteRequest
    options: tuple[Option, ...]
    eligible: int
    refusals: tuple[Refusal, ...]
    alternatives: tuple[Alternative, ...]
    made_at: dt.datetime
    valid_until: dt.datetime
    version: int | None
    source: str
    #: why there is no option at all (empty when there is one)
    note: str = ""


def jsonable(v: object) -> object:
    """A record's :func:`dataclasses.asdict` as JSON values: dates ISO, sets sorted lists."""
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, frozenset | set):
        return sorted(v)
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [jsonable(x) for x in v]
    return v


def quote_json(q: Quote, held: Mapping[str, object] | None) -> dict[str, object]:
    """The quote as JSON: every field of every record (dates ISO, money USD, CO2e kg), and
    ``held``: the hold made of its best option, if any."""
    import dataclasses

    out = jsonable(dataclasses.asdict(q))
    assert isinstance(out, dict)
    out["held"] = None if held is None else dict(held)
    return out
