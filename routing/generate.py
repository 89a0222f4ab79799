"""Generated shipment batches calibrated to published statistics (see README, "Generated
batches").

Demand is drawn per departure of the bundled timetable so that every shipment has a
realistic corridor and ready date: a departure is picked with probability proportional to
its capacity, the shipment becomes ready 0-4 days before it and is due 2-10 days after its
arrival. The total is ``utilization x`` the timetable's TEU capacity, so capacity binds;
with ``demand_factor F`` (over-subscription) it is ``F x`` that capacity instead: shipments are
drawn until their TEU reach it, so the achieved factor is ``F`` plus at most one lot.

Dense-choice batches (every shipment may ride every train) are :mod:`routing.generate_dense`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from network import Departure, Network
from routing.domain.model import CONTAINER_TYPES, Shipment

#: generated batches start on the Monday of an even ISO week, so that a week holds the
#: fortnightly Shanxi lines too (they run in even weeks)
START = dt.date(2026, 12, 7)


@dataclass(frozen=True, slots=True)
class Scale:
    scope: str
    days: int
    utilization: tuple[float, float]
    mean_lot: float  # mean containers per shipment
    start: dt.date = START


SCALES: dict[str, Scale] = {
    "shanxi-week": Scale("shanxi", 7, (0.85, 0.95), 3.0),
    "shanxi-month": Scale("shanxi", 30, (0.85, 0.95), 3.0),
    "shanxi-year": Scale("shanxi", 365, (0.85, 0.95), 3.0),
    "national-week": Scale("national", 7, (0.85, 0.95), 4.5),
    "national-month": Scale("national", 30, (0.85, 0.95), 4.5),
    # twelve weeks of the national timetable (with --demand-factor 2: the over-subscribed quarter)
    "national-quarter": Scale("national", 84, (0.85, 0.95), 4.5),
    # the make-demo batch: about 2,000 TEU a month, near Shanxi's recent pace of trains
    "sample": Scale("shanxi", 30, (0.55, 0.60), 3.2, dt.date(2026, 12, 1)),
}

#: container mix by box count (40ft-dominated trade; reefers a few %): assumption calibrated
#: to the 40ft/20ft mix of observed Shanxi trains (38 x 40ft + 24 x 20ft, Houma 2023).
TYPE_MIX = (
    ("40HC", 0.52),
    ("40GP", 0.18),
    ("20GP", 0.22),
    ("45HC", 0.03),
    ("40RF", 0.03),
    ("20RF", 0.02),
)

#: synthetic customer names after the cargo the seed document names (batteries, PV and
#: storage parts, activated carbon, separator film, cars): not real companies' bookings
CUSTOMERS = (
    "Yangquan Sodium Battery Works",
    "Jinzhong NEV Assembly",
    "Taiyuan PV Components",
    "Datong Activated Carbon",
    "Changzhi Separator Film",
    "Houma Machinery Export",
    "Jiexiu Coking Chemicals",
    "Xiaoyi Aluminium Products",
    "Shanxi Storage Systems",
    "Pingyao Ceramics Trading",
)


@dataclass(frozen=True, slots=True)
class Batch:
    shipments: tuple[Shipment, ...]
    departures: tuple[Departure, ...]
    quota: dict[str, int]


def _pick_type(rng: random.Random) -> str:
    r, acc = rng.random(), 0.0
    for code, share in TYPE_MIX:
        acc += share
        if r < acc:
            return code
    return TYPE_MIX[0][0]


#: the demand factors ``generate`` accepts (demand / the timetable's TEU capacity)
DEMAND_FACTORS = (0.01, 20.0)


def generate(
    net: Network,
    scale: str,
    seed: int = 0,
    start: dt.date | None = None,
    *,
    special: bool = False,
    demand_factor: float | None = None,
) -> Batch:
    """A batch at ``scale`` (one of :data:`SCALES`). ``special`` adds the cases a planner
    meets (no-split lots, RU/BY avoiders, dangerous goods, drayage and last-mile places,
    and a few that cannot be served) in realistic small numbers. ``demand_factor F``: total
    TEU about ``F x`` the timetable's TEU capacity instead of the scale's utilization band."""
    sc = SCALES[scale]
    start = start or sc.start
    rng = random.Random(f"{scale}:{seed}")
    deps = net.departures(start, sc.days, scope=sc.scope)
    capacity = sum(d.capacity_teu for d in deps)
    target = capacity * rng.uniform(*sc.utilization)
    if demand_factor is not None:
        lo, hi = DEMAND_FACTORS
        if not lo <= demand_factor <= hi:  # also refuses nan
            raise ValueError(f"demand_factor: {demand_factor!r}: expected {lo} to {hi}")
        target = capacity * demand_factor
    weights = [d.capacity_teu for d in deps]
    first_mile: dict[str, list[str]] = defaultdict(list)
    last_mile: dict[str, list[str]] = defaultdict(list)
    for lk in net.truck_links():
        for a, b in ((lk.a, lk.b), (lk.b, lk.a)):
            if net.nodes[a].kind == "city" and net.nodes[b].kind == "park":
                first_mile[b].append(a)
            if net.nodes[b].kind == "city" and net.nodes[a].kind != "city":
                last_mile[a].append(b)
    ships: list[Shipment] = []
    teu = 0
    i = 0
    p_geom = 1.0 / sc.mean_lot
    while teu < target:
        d = rng.choices(deps, weights)[0]
        ctype = _pick_type(rng)
        ct = CONTAINER_TYPES[ctype]
        if ct.reefer and d.reefer_plugs == 0 and not (special and rng.random() < 0.15):
            ctype, ct = "40HC", CONTAINER_TYPES["40HC"]
        n = 1
        while rng.random() > p_geom and n < 40:
            n += 1
        if ct.reefer:
            n = min(n, max(1, d.reefer_plugs // 2))
        lo, hi = (8.0, ct.max_gross_t - 2) if ct.teu == 2 else (6.0, ct.max_gross_t - 2)
        gross = round(rng.uniform(lo, hi), 1)
        ready = max(start, d.depart_date - dt.timedelta(days=rng.randint(0, 4)))
        due = d.arrival_date + dt.timedelta(days=rng.randint(2, 10))
        origin, destination = d.origin, d.destination
        split, avoid, dg = True, frozenset[str](), ""
        if special:
            if first_mile.get(origin) and rng.random() < 0.08:
                origin = rng.choice(sorted(first_mile[origin]))
                ready = max(start, ready - dt.timedelta(days=1))
            if last_mile.get(destination) and rng.random() < 0.08:
                destination = rng.choice(sorted(last_mile[destination]))
                due += dt.timedelta(days=2)
            split = not (n <= 12 and rng.random() < 0.12)
            if rng.random() < 0.02:
                avoid = frozenset({"RU", "BY"})
            if rng.random() < 0.03 and (d.dg_allowed or rng.random() < 0.2):
                dg = rng.choice(("3", "8", "9"))
        i += 1
        ships.append(
            Shipment(
                shipment_id=f"{scale[:2].upper()}{seed:02d}-{i:05d}",
                origin=origin,
                destination=destination,
                containers=n,
                container_type=ctype,
                gross_t=gross,
                ready_date=ready,
                due_date=due,
                late_penalty_per_teu_day=rng.choice((50.0, 100.0, 100.0, 200.0)),
                split=split,
                avoid_countries=avoid,
                dg_class=dg,
                customer=rng.choice(CUSTOMERS),
            )
        )
        teu += n * ct.teu
    return Batch(tuple(ships), tuple(deps), net.border_quota(sc.scope))
