"""The fixed list of reason codes and resource kinds of ``railplan explain``, and the records
an explanation is made of.

Each code names one rule of the model (:mod:`routing.domain.options` decides eligibility,
:mod:`routing.optimise.build` states the capacity, minimum-load and quota constraints,
:mod:`routing.domain.costs` the objective). A code is printed only when it is verified: by
re-computation against the inputs (``NO_ROUTE``, ``DUE_BEFORE_EARLIEST_ARRIVAL``) or by a
re-solve with only that rule relaxed that carries the shipment (or gets it there on time).
"""

from __future__ import annotations

from dataclasses import dataclass

#: code -> what it means (the README glossary repeats these)
SHIPMENT_CODES: dict[str, str] = {
    "NO_ROUTE": "no departure between its origin and destination in the timetable, directly "
    "or with one truck leg (verified by re-computation)",
    "NO_DEPARTURE_IN_WINDOW": "departures on its corridor exist, but none leaves on or after "
    "its ready date (plus the first-mile truck days)",
    "AVOIDED_COUNTRY": "every departure that could take it crosses a country it avoids",
    "REEFER_PLUGS": "reefer containers and no free powered plug: the eligible trains have no "
    "plugs, or the running ones have them all taken",
    "DANGEROUS_GOODS": "dangerous goods and no eligible departure accepts them",
    "TOO_HEAVY": "one container is over every eligible train's TEU or gross-tonne limit",
    "LOT_TOO_LARGE": "split=false and no eligible train can take the whole lot",
    "PINNED": "a pinned booking whose train can no longer take it (or, late, whose train is "
    "late: verified by re-computation)",
    "TRAIN_FULL_TEU": "its eligible running trains have no TEU left for it",
    "TRAIN_FULL_TONNES": "its eligible running trains have no gross tonnes left for it",
    "BORDER_QUOTA": "its eligible trains that do not run would cross a border port on a day "
    "whose quota the running trains use up",
    "MIN_LOAD": "its eligible trains do not run: their minimum load is not reached",
    "CHEAPER_UNASSIGNED": "carrying it costs more than the unassigned penalty (freight, "
    "trucking, lateness, or a train's fixed cost)",
    "DUE_BEFORE_EARLIEST_ARRIVAL": "late: no eligible departure arrives by its due date "
    "(verified by re-computation)",
    "CHEAPER_LATE": "late: an on-time train could take it, but its lateness penalty is below "
    "what carrying it on time costs",
    "SEVERAL_RULES": "no single rule keeps it off; relaxing the listed rules together carries it",
    "UNEXPLAINED": "no relaxation tried carries it (the detail lists what was tried)",
}

#: resource kind -> the unit relaxed by one in its re-solve
RESOURCE_UNITS: dict[str, str] = {
    "TRAIN_TEU": "one 40 ft slot (+2 TEU) on that train",
    "TRAIN_TONNES": "one 40 ft box at its ISO limit (+30.48 t) on that train's mass limit",
    "TRAIN_PLUGS": "one more reefer plug on that train",
    "BORDER_DAY": "one more train through that port that day (+1 on the quota)",
    "MIN_LOAD": "that train's minimum load lowered by one 40 ft box (-2 TEU)",
    "SERVICE_WEEK": "one more train of that service that week (a copy of the full train, same day)",
}

#: what one unit of each train resource adds: TEU, tonnes, plugs
SLOT_TEU = 2
SLOT_TONNES = 30.48


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """Why a shipment's containers are left (``kind`` ``unassigned``) or late (``late``).

    ``carried`` is the containers of the shipment (with its twins: shipments the model cannot
    tell apart, see :func:`routing.explain.resolve.twins`) carried (on time, for ``late``) in the
    relaxed re-solve, against ``base`` in the plan's; ``saving_usd`` the objective's fall from
    relaxing the rule (for ``CHEAPER_*``: the extra cost of carrying it, as a positive number).
    """

    kind: str
    shipment_id: str
    code: str
    containers: int
    teu: int
    relaxed: str
    base: int
    carried: int
    saving_usd: float
    exact: bool
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceValue:
    """A binding resource and the exact saving of one more unit of it (a re-solve of its part
    with the resource increased, against the part's optimum without): ``saving_usd`` is
    ``base - relaxed`` objective; ``max_saving_usd`` is ``base - relaxed bound`` (equal when
    ``exact``); ``estimate_usd`` the cheap figure that chose which ones to re-solve."""

    kind: str
    resource: str
    unit: str
    estimate_usd: float
    saving_usd: float
    max_saving_usd: float
    exact: bool
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Explanation:
    """Everything ``railplan explain`` reports, with the re-solves' count and time."""

    findings: tuple[Finding, ...]
    resources: tuple[ResourceValue, ...]
    candidates: int
    resolves: int
    seconds: float
