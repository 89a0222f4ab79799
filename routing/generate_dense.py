"""Dense-choice batches: every shipment may ride every train (facility-location-like).

The recipe is that of Cornuéjols, Sridharan and Thizy (1991), "A comparison of heuristics and
relaxations for the capacitated plant location problem", *European Journal of Operational
Research* 50(3):280-297, in the form used by Gasse et al. (2019, NeurIPS, the ``learn2branch``
generator) and the ``geco`` package:

* customers ``j`` and facilities ``i`` are points drawn uniformly in the unit square;
* demand ``d_j ~ U{5, ..., 35}``; drawn capacity ``s_i ~ U{10, ..., 160}``;
* fixed cost ``f_i = floor(U{100, ..., 110} * sqrt(s_i) + U{0, ..., 90})`` (from the drawn
  capacity);
* capacities scaled to the capacity ratio ``r``: ``s_i <- floor(s_i * r * sum_j d_j /
  sum_i s_i)`` (so ``sum_i s_i ~ r * sum_j d_j``; the paper's ratios are 3, 5 and 10);
* transport cost of all of ``j``'s demand at ``i``: ``c_ij = 10 * d_j * ||p_j - p_i||``.

Mapped onto railplan's batch format: a facility is a train (``capacity_teu = s_i``,
``fixed_cost = f_i``, ``rate_per_teu = 0``), a customer is a shipment of ``d_j`` 20GP
containers (one TEU each, splittable, ready on the first day, no due date) and the allocation
cost is a contract rate per TEU ``c_ij / d_j = 10 ||p_j - p_i||`` (``rates.csv``). All trains
run Zhongding -> Duisburg via Alashankou (the bundled ZD-DUI-A line's route and transit days,
no gross-mass limit) over one week, and the border quota is set to the trains of a day, so no
quota binds and every shipment has every train as an option. The plan's cost is then the
CFLP objective. ``demand_factor F`` (over-subscription) is the capacity ratio ``1 / F``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
from dataclasses import dataclass

from network import Departure, Network
from routing.domain.model import Shipment

#: the line every dense train runs (origin, destination, border port), from the timetable
LINE = ("zhongding", "duisburg", "alashankou")
START = dt.date(2026, 12, 7)
#: trains run on this many consecutive days from START
DAYS = 7
#: the recipe's default capacity ratio (Gasse et al. use 5; Cornuejols et al. 3, 5 and 10)
DEFAULT_CAPACITY_RATIO = 5.0
#: the most (shipment, train) pairs a dense batch may have (its rates.csv has one row each)
MAX_PAIRS = 2_000_000
MAX_SHIPMENTS = 100_000
MAX_TRAINS = 5_000


@dataclass(frozen=True, slots=True, kw_only=True)
class DenseSpec:
    """What to draw: ``shipments`` customers, ``trains`` facilities, capacity ratio
    ``sum capacity / sum demand`` (or, given instead, ``demand_factor = 1 / ratio``)."""

    shipments: int
    trains: int
    capacity_ratio: float = DEFAULT_CAPACITY_RATIO
    seed: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.shipments <= MAX_SHIPMENTS:
            raise ValueError(f"shipments: {self.shipments!r}: expected 1 to {MAX_SHIPMENTS:,}")
        if not 1 <= self.trains <= MAX_TRAINS:
            raise ValueError(f"trains: {self.trains!r}: expected 1 to {MAX_TRAINS:,}")
        if self.shipments * self.trains > MAX_PAIRS:
            raise ValueError(
                f"shipments x trains: {self.shipments * self.trains:,}: expected at most "
                f"{MAX_PAIRS:,} shipment-train pairs"
            )
        if not (math.isfinite(self.capacity_ratio) and 0.01 <= self.capacity_ratio <= 100):
            raise ValueError(f"capacity_ratio: {self.capacity_ratio!r}: expected 0.01 to 100")


@dataclass(frozen=True, slots=True)
class DenseBatch:
    """A dense batch: the shipments, the trains, the contract rates (shipment id, departure
    id) -> USD per TEU and the border quota (port -> trains per day)."""

    shipments: tuple[Shipment, ...]
    departures: tuple[Departure, ...]
    rates: dict[tuple[str, str], float]
    quota: dict[str, int]


@dataclass(frozen=True, slots=True)
class Recipe:
    """The drawn instance in the recipe's own terms (points, demands, capacities, costs)."""

    customers: tuple[tuple[float, float], ...]
    facilities: tuple[tuple[float, float], ...]
    demand: tuple[int, ...]
    capacity: tuple[int, ...]
    fixed: tuple[float, ...]


def draw(spec: DenseSpec) -> Recipe:
    """The Cornuejols-Sridharan-Thizy draw for ``spec`` (deterministic by its seed)."""
    rng = random.Random(f"dense:{spec.shipments}x{spec.trains}:{spec.seed}")
    cust = tuple((rng.random(), rng.random()) for _ in range(spec.shipments))
    fac = tuple((rng.random(), rng.random()) for _ in range(spec.trains))
    demand = tuple(rng.randint(5, 35) for _ in range(spec.shipments))
    drawn = [rng.randint(10, 160) for _ in range(spec.trains)]
    fixed = tuple(
        float(math.floor(rng.randint(100, 110) * math.sqrt(s) + rng.randint(0, 90))) for s in drawn
    )
    scale = spec.capacity_ratio * sum(demand) / sum(drawn)
    capacity = tuple(max(1, math.floor(s * scale)) for s in drawn)
    return Recipe(cust, fac, demand, capacity, fixed)


def _template(net: Network) -> Departure:
    origin, destination, port = LINE
    for d in net.departures(START, 14, scope="all"):
        if (d.origin, d.destination, d.border_port) == (origin, destination, port):
            return d
    raise ValueError(f"network: no {origin} -> {destination} via {port} line for dense batches")


def generate_dense(net: Network, spec: DenseSpec) -> DenseBatch:
    """A dense batch drawn by :func:`draw` and mapped onto trains and shipments (see the
    module's docstring)."""
    rec = draw(spec)
    tpl = _template(net)
    deps = tuple(
        dataclasses.replace(
            tpl,
            departure_id=f"DENSE-T{i + 1:04d}",
            service_id="DENSE",
            depart_date=START + dt.timedelta(days=i % DAYS),
            capacity_teu=rec.capacity[i],
            max_gross_t=None,
            fixed_cost=rec.fixed[i],
            rate_per_teu=0.0,
            min_load_teu=0,
            reefer_plugs=0,
        )
        for i in range(spec.trains)
    )
    ships = tuple(
        Shipment(
            shipment_id=f"DENSE-C{j + 1:05d}",
            origin=tpl.origin,
            destination=tpl.destination,
            containers=rec.demand[j],
            container_type="20GP",
            gross_t=10.0,
            ready_date=START,
            customer=f"customer {j + 1}",
        )
        for j in range(spec.shipments)
    )
    rates = {
        (s.shipment_id, d.departure_id): round(
            10 * math.dist(rec.customers[j], rec.facilities[i]), 4
        )
        for j, s in enumerate(ships)
        for i, d in enumerate(deps)
    }
    per_day = math.ceil(spec.trains / DAYS)
    return DenseBatch(ships, deps, rates, {tpl.border_port: per_day})


#: the columns of ``rates.csv`` (as :func:`routing.io.read_rates` reads them)
RATE_COLUMNS = ("shipment_id", "departure_id", "rate_per_teu")


def rate_rows(batch: DenseBatch) -> list[dict[str, object]]:
    """The rows of the batch's ``rates.csv`` (one per shipment and train)."""
    return [
        {"shipment_id": s, "departure_id": d, "rate_per_teu": repr(r)}
        for (s, d), r in batch.rates.items()
    ]


def achieved_ratio(batch: DenseBatch) -> float:
    """``sum capacity / sum demand`` of the batch's trains and shipments (TEU)."""
    return sum(d.capacity_teu for d in batch.departures) / sum(s.teu for s in batch.shipments)
