"""The rules that eligibility, the model, the greedy baseline, the decomposition and the plan's
explanations share, each written once.

* :func:`train_fit`: how many containers of one kind still fit on a train (TEU, gross tonnes,
  reefer plugs);
* :func:`crossing` and :func:`by_crossing`: trains grouped by the border port and the day
  they cross it, the unit a border quota counts; :func:`over_quota`: the groups with more
  trains than their quota allows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from network import Departure
from routing.domain.model import Problem

#: a border crossing: (border port, the day a train crosses it)
Crossing = tuple[str, dt.date]


def train_fit(
    dep: Departure,
    *,
    teu: int,
    gross_t: float,
    reefer: bool,
    used_teu: int = 0,
    used_gross_t: float = 0.0,
    used_plugs: int = 0,
) -> int:
    """Containers of ``teu`` TEU and ``gross_t`` tonnes each (reefers if ``reefer``) that
    still fit on train ``dep`` when it already carries ``used_*``: ``floor((cap - used) /
    teu)``, ``floor((max_gross - used) / gross)`` if it has a mass limit, and the free plugs
    for a reefer, the least of them (may be negative when ``used_*`` overfill it)."""
    n = (dep.capacity_teu - used_teu) // teu
    if dep.max_gross_t is not None:
        n = min(n, int((dep.max_gross_t - used_gross_t) // gross_t + 1e-9))
    if reefer:
        n = min(n, dep.reefer_plugs - used_plugs)
    return n


def crossing(dep: Departure) -> Crossing | None:
    """Where and when ``dep`` crosses a border with a quota to count against, if it does."""
    return (dep.border_port, dep.border_date) if dep.border_port else None


def by_crossing(
    departures: Sequence[Departure], trains: Iterable[int]
) -> dict[Crossing, list[int]]:
    """The trains ``trains`` (indices into ``departures``) that cross a border, grouped by
    :func:`crossing`, each group in the order of ``trains``."""
    out: dict[Crossing, list[int]] = defaultdict(list)
    for t in trains:
        key = crossing(departures[t])
        if key is not None:
            out[key].append(t)
    return dict(out)


def over_quota(
    problem: Problem, trains: Iterable[int]
) -> list[tuple[str, dt.date, int, list[int]]]:
    """The groups of :func:`by_crossing` with more of ``trains`` than the border quota of
    their port and day allows: (port, day, quota, trains), in the order the groups appear."""
    out = []
    for (port, day), ts in by_crossing(problem.departures, trains).items():
        q = problem.quota_for(port, day)
        if q is not None and len(ts) > q:
            out.append((port, day, q, ts))
    return out
