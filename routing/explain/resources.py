"""The binding resources of a plan, ranked by the exact saving of one more unit of each.

Candidates (what :data:`routing.explain.codes.RESOURCE_UNITS` lists): a running train with
less than one 40 ft slot of TEU (or tonnes, or no free plug) left while containers wait for
it; a border day at its quota with a train that does not run but has containers waiting; a
train not run that has a minimum load and containers waiting; and, for a full train, one more
train of its service that week. *Waiting* containers are those left unassigned that could
ride it, and late ones that would be on time on it (:meth:`PlanState.waiting`).

Ranking is in two steps. A cheap estimate, ``min(unit, waiting) x the best gain per unit``
(the penalty less the option's cost, or the lateness saved; for a whole train less its fixed
cost), picks the ``candidates`` most promising; each of those is re-solved with its unit added
(:class:`routing.explain.resolve.Resolver`) and the re-solve's saving, not the estimate, ranks
and is printed.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from network import Departure
from routing.domain.rules import Crossing, crossing
from routing.explain.codes import RESOURCE_UNITS, SLOT_TEU, SLOT_TONNES, ResourceValue
from routing.explain.resolve import Relaxation, Resolver
from routing.explain.state import PlanState


@dataclasses.dataclass(frozen=True, slots=True)
class Candidate:
    kind: str
    resource: str
    estimate: float
    relax: Relaxation
    detail: str


def _gain_per_teu(st: PlanState, t: int) -> list[tuple[float, int, float]]:
    """(gain per TEU, TEU, tonnes) of what waits for ``t``, best first."""
    out = []
    for s, n, gain in st.waiting(t):
        sh = st.problem.shipments[s]
        out.append((gain / sh.teu_per_container, n * sh.teu_per_container, n * sh.gross_t))
    return sorted(out, reverse=True)


def _fill(gains: list[tuple[float, int, float]], teu: float) -> float:
    """The best gain from ``teu`` TEU of room, filled greedily."""
    total = 0.0
    for g, n, _t in gains:
        take = min(n, teu)
        total += g * take
        teu -= take
        if teu <= 0:
            break
    return total


def candidates(st: PlanState) -> list[Candidate]:
    """Every binding-resource candidate of the plan with its estimate, best first."""
    deps = st.problem.departures
    out: list[Candidate] = []
    blocked: dict[Crossing, list[int]] = defaultdict(list)
    for t, d in enumerate(deps):
        gains = _gain_per_teu(st, t)
        if not gains:
            continue
        if t in st.runs:
            out += _train_candidates(st, t, d, gains)
        elif st.quota_full(t) and (key := crossing(d)) is not None:
            blocked[key].append(t)
        elif d.min_load_teu > 0:
            est = _fill(gains, d.capacity_teu) - d.fixed_cost
            lowered = dataclasses.replace(d, min_load_teu=max(0, d.min_load_teu - SLOT_TEU))
            waiting = sum(n for _g, n, _t in gains)
            out.append(
                Candidate(
                    "MIN_LOAD",
                    d.departure_id,
                    est,
                    Relaxation(label=f"min load of {d.departure_id}", departures=((t, lowered),)),
                    f"not run; minimum load {d.min_load_teu} TEU, {waiting} TEU waiting",
                )
            )
    for key, ts in blocked.items():
        port, day = key
        q = st.problem.quota_for(port, day) or 0
        est = max(
            _fill(_gain_per_teu(st, t), deps[t].capacity_teu) - deps[t].fixed_cost for t in ts
        )
        out.append(
            Candidate(
                "BORDER_DAY",
                f"{port}@{day}",
                est,
                Relaxation(label=f"quota {port} {day}", quotas=(((port, day), q + 1),)),
                f"quota {q} train(s)/day used; {len(ts)} train(s) with containers waiting "
                f"not run ({', '.join(deps[t].departure_id for t in ts[:3])})",
            )
        )
    return sorted(out, key=lambda c: (-c.estimate, c.kind, c.resource))


def _train_candidates(
    st: PlanState, t: int, d: Departure, gains: list[tuple[float, int, float]]
) -> list[Candidate]:
    out = []
    waiting = sum(n for _g, n, _t in gains)
    free_teu, free_t = st.free_teu(t), st.free_tonnes(t)
    full = False
    if free_teu < SLOT_TEU:
        full = True
        out.append(
            Candidate(
                "TRAIN_TEU",
                d.departure_id,
                _fill(gains, SLOT_TEU),
                Relaxation(
                    label=f"+{SLOT_TEU} TEU on {d.departure_id}",
                    departures=(
                        (t, dataclasses.replace(d, capacity_teu=d.capacity_teu + SLOT_TEU)),
                    ),
                ),
                f"{d.capacity_teu - free_teu}/{d.capacity_teu} TEU; {waiting} TEU waiting",
            )
        )
    if free_t is not None and d.max_gross_t is not None and free_t < SLOT_TONNES:
        full = True
        per_t = max((g * n / max(tn, 1e-9) for g, n, tn in gains), default=0.0)
        raised = dataclasses.replace(d, max_gross_t=d.max_gross_t + SLOT_TONNES)
        out.append(
            Candidate(
                "TRAIN_TONNES",
                d.departure_id,
                per_t * SLOT_TONNES,
                Relaxation(
                    label=f"+{SLOT_TONNES} t on {d.departure_id}", departures=((t, raised),)
                ),
                f"{d.max_gross_t - free_t:,.1f}/{d.max_gross_t:,.1f} t; {waiting} TEU waiting",
            )
        )
    reefers = [s for s, _n, _g in st.waiting(t) if st.problem.shipments[s].reefer]
    if reefers and d.reefer_plugs > 0 and st.free_plugs(t) <= 0:
        plug = dataclasses.replace(d, reefer_plugs=d.reefer_plugs + 1)
        out.append(
            Candidate(
                "TRAIN_PLUGS",
                d.departure_id,
                gains[0][0] * 2,
                Relaxation(label=f"+1 plug on {d.departure_id}", departures=((t, plug),)),
                f"{d.reefer_plugs}/{d.reefer_plugs} plugs used; {len(reefers)} reefer lot(s) waiting",
            )
        )
    if full:
        extra = dataclasses.replace(d, departure_id=f"{d.departure_id}+1")
        out.append(
            Candidate(
                "SERVICE_WEEK",
                service_week(d),
                _fill(gains, d.capacity_teu) - d.fixed_cost,
                Relaxation(label=f"a second {d.departure_id}", added=(extra,), seed=()),
                f"a copy of the full train {d.departure_id} ({d.depart_date}); "
                f"{waiting} TEU waiting",
            )
        )
    return out


def service_week(d: Departure) -> str:
    """``SERVICE@YYYY-Www``: the departure's service (its id less a trailing ``-YYYYMMDD``
    when the departure does not name it) and ISO week."""
    sid = d.service_id
    if not sid:
        head, _, tail = d.departure_id.rpartition("-")
        sid = head if head and len(tail) == 8 and tail.isdigit() else d.departure_id
    year, week, _ = d.depart_date.isocalendar()
    return f"{sid}@{year}-W{week:02d}"


def binding_resources(
    st: PlanState, res: Resolver, *, top: int, n_candidates: int
) -> tuple[list[ResourceValue], int]:
    """The ``top`` resources by the exact saving of one more unit (those saving nothing left
    out), after re-solving the ``n_candidates`` best by the estimate; and how many candidates
    there were."""
    cands = candidates(st)
    values = []
    for c in cands[:n_candidates]:
        cmp = res.compare(c.relax)
        values.append(
            ResourceValue(
                kind=c.kind,
                resource=c.resource,
                unit=RESOURCE_UNITS[c.kind],
                estimate_usd=round(c.estimate, 2),
                saving_usd=round(cmp.saving, 2),
                max_saving_usd=round(cmp.max_saving, 2),
                exact=cmp.exact,
                detail=c.detail,
            )
        )
    values = [v for v in values if v.max_saving_usd > 0.005]
    values.sort(key=lambda v: (-v.saving_usd, -v.max_saving_usd, v.kind, v.resource))
    return values[:top], len(cands)
