"""Kernel search for dense parts: parts where a shipment may ride most of the trains (a
facility-location shape), on which the date windows of the neighbourhood search mean nothing
and the whole part's MIP is too large for HiGHS to search in time.

After Guastaroba and Speranza (J. Heuristics 2012), the trains are ranked by their
Lagrangian value ``f_t + KS_t(lambda*)`` (:mod:`.lagrange`; most negative first: the train
the bound would most like to run). The *kernel* is the trains the Lagrangian subproblem runs,
topped up in rank order until it holds ``kernel_cover`` times the part's TEU. With the run
set fixed the rest is a transportation problem, which HiGHS solves at its root
(:func:`_transport`): the kernel's plan is the first one; add, drop and swap moves on the run
set, in rank order, improve it (:func:`_local_search`); a MIP over the trains the plan runs
and the next-ranked ones, warm-started from it, finishes. The bound stays the Lagrangian's
(the restricted models bound nothing). Measured: on a 25 x 150 instance of the Cornuejols,
Sridharan and Thizy (1991) family the plan is within 1 % of HiGHS's proven optimum in 6 s,
where HiGHS takes 40 s to prove it.
"""

from __future__ import annotations

import numpy as np

from routing.optimise.build import Builder
from routing.optimise.lagrange import Arrays, LagrangeResult, evaluate
from routing.optimise.params import DEFAULT, Deadline, SolveParams


def is_dense(b: Builder, params: SolveParams = DEFAULT) -> bool:
    """A part is dense when its classes have on average at least ``dense_options`` options,
    it has at least ``dense_min_trains`` trains and ``dense_min_options`` options, and its
    density ``options / (classes x trains)`` is at least ``dense_share`` (a facility-location
    shape: most shipments may ride most trains, with no calendar to order them)."""
    n = max(1, len(b.classes))
    return (
        len(b.run) >= params.dense_min_trains
        and len(b.x) >= params.dense_min_options
        and len(b.x) / n >= params.dense_options
        and len(b.x) / (n * max(1, len(b.run))) >= params.dense_share
    )


def ranking(a: Arrays, lag: LagrangeResult) -> list[int]:
    """The part's trains (departure indices), most attractive first by ``f_t + KS_t``."""
    _value, _g, _x, train_value = evaluate(a, lag.lam)
    order = np.argsort(train_value, kind="stable")
    return [a.trains[i] for i in order]


def kernel_search(
    b: Builder,
    a: Arrays,
    lag: LagrangeResult,
    start: list[float] | None,
    deadline: Deadline,
    *,
    seed: int = 0,
    params: SolveParams = DEFAULT,
    work: float | None = None,
) -> list[float] | None:
    """The cheapest plan the kernel and its buckets give within ``deadline`` (column values;
    ``start`` if nothing cheaper); with ``work``, each MIP gets a deterministic share of it
    instead of time."""
    ranked = ranking(a, lag)
    need = params.kernel_cover * sum(c.containers * c.teu for c in b.classes)
    cap = {t: b.p.departures[t].capacity_teu for t in ranked}
    kernel = [t for t in ranked if t in lag.open_trains]
    rest = [t for t in ranked if t not in lag.open_trains]
    while rest and sum(cap[t] for t in kernel) < need:
        kernel.append(rest.pop(0))
    # the first plan: the kernel's trains run, the containers among them (a transportation
    # problem, fast); the restricted MIPs start from it
    inc = _transport(b, kernel, 0.2 * deadline.remaining() if work is None else 0.0, seed, work)
    inc_cost = b.mx.cost_of(inc) if inc is not None else float("inf")
    if inc is not None and work is None:
        inc = _local_search(b, ranked, inc, deadline.child(params.kernel_local_share), seed)
        inc_cost = b.mx.cost_of(inc)
    if inc is not None:  # MIPs over the trains the plan runs and the next-ranked ones
        on = [t for t in ranked if inc[b.run[t]] > 0.5]
        more = [t for t in ranked if t not in on][: max(2, len(on) // 2)]
        buckets = params.kernel_columns if work is None else (0,)
        for i, per_class in enumerate(buckets):
            left = deadline.remaining() if work is None else 0.9 * work
            if left <= 0.2:
                break
            share = left / (len(buckets) - i) if per_class else left
            trains = on + more
            cols = _kernel_columns(b, a, lag.lam, trains, inc, per_class) if per_class else None
            found = _restricted(b, trains, inc, share, seed, work=left if work else None, cols=cols)
            if found is not None and b.mx.cost_of(found) < inc_cost - 1e-6:
                inc, inc_cost = found, b.mx.cost_of(found)
    if start is not None and (inc is None or b.mx.cost_of(start) <= inc_cost):
        return start
    return inc


def _local_search(
    b: Builder, ranked: list[int], vals: list[float], until: Deadline, seed: int
) -> list[float]:
    """Add, drop and swap moves on the set of running trains, each plan priced by
    :func:`_transport`, the first improving move taken, candidates in Lagrangian rank order
    (adds: best first; drops: worst first), until no move improves or ``until``."""
    cost = b.mx.cost_of(vals)
    improved = True
    while improved and not until.expired():
        improved = False
        on = [t for t in ranked if vals[b.run[t]] > 0.5]
        off = [t for t in ranked if vals[b.run[t]] <= 0.5]
        moves = [[*on, t] for t in off[:8]] + [[u for u in on if u != t] for t in on[::-1]]
        moves += [[*(u for u in on if u != d), a] for d in on[::-1][:3] for a in off[:3]]
        for trains in moves:
            if until.expired():
                break
            cand = _transport(b, trains, min(2.0, until.remaining()), seed, None)
            if cand is not None and b.mx.cost_of(cand) < cost - 1e-6:
                vals, cost, improved = cand, b.mx.cost_of(cand), True
                break
    return vals


def _transport(
    b: Builder, trains: list[int], seconds: float, seed: int, work: float | None
) -> list[float] | None:
    """The cheapest plan on which exactly ``trains`` run: every run fixed, the containers free
    among those trains and the unassigned list (no binaries left: HiGHS solves it at the
    root)."""
    vals = [0.0] * len(b.mx.lb)
    for k, j in b.u.items():
        vals[j] = float(b.classes[k].containers)
    for t in trains:
        vals[b.run[t]] = 1.0
    free = [j for t in trains for j in b.by_train[t]] + list(b.u.values())
    ans = b.sub_mip.solve(free, vals, max(0.1, seconds), seed, work=work and 0.05 * work)
    if ans.values is None:
        return None
    cand = [float(round(v)) for v in ans.values]
    return cand if b.sub_mip.feasible(cand) else None


def _kernel_columns(
    b: Builder, a: Arrays, lam: np.ndarray, trains: list[int], vals: list[float], per_class: int
) -> list[int]:
    """The x columns a restricted MIP keeps: of each class, the ``per_class`` columns on
    ``trains`` of the smallest Lagrangian reduced cost a container ``(c_j - lambda_k m_j) /
    m_j``, and every column ``vals`` uses (the kernel of variables of Guastaroba and
    Speranza, ranked by the Lagrangian instead of the LP)."""
    cols = np.array([j for _, j in sorted(b.x.items())], dtype=np.int64)
    dense = {t: i for i, t in enumerate(a.trains)}
    on = np.isin(a.train, [dense[t] for t in trains])
    idx = np.flatnonzero(on)
    key = (a.cost[idx] - lam[a.cls[idx]] * a.mult[idx]) / a.mult[idx]
    order = idx[np.lexsort((key, a.cls[idx]))]
    cls_sorted = a.cls[order]
    rank = np.arange(len(order)) - np.searchsorted(cls_sorted, cls_sorted, side="left")
    keep = set(cols[order[rank < per_class]].tolist())
    keep.update(j for j in cols.tolist() if vals[j] > 0.5)
    return sorted(keep)


def _restricted(
    b: Builder,
    trains: list[int],
    best: list[float] | None,
    seconds: float,
    seed: int,
    work: float | None = None,
    cols: list[int] | None = None,
) -> list[float] | None:
    """The MIP with only ``trains`` free to run (and carry; only the x columns ``cols`` if
    given), every unassigned column free; warm-started from ``best`` (a plan on those trains
    only), else from nothing placed."""
    on = set(trains)
    xs = cols if cols is not None else [j for t in trains for j in b.by_train[t]]
    free = [b.run[t] for t in trains] + xs
    free += list(b.u.values())
    vals = [0.0] * len(b.mx.lb)
    for k, j in b.u.items():  # the start: every container unassigned (always feasible)
        vals[j] = float(b.classes[k].containers)
    if best is not None and all(best[j] < 0.5 for t, j in b.run.items() if t not in on):
        vals = list(best)  # (always, for the rounds after the first: the kernel only grows)
    ans = b.sub_mip.solve(free, vals, seconds, seed, work=work)
    if ans.values is None:
        return None
    cand = [float(round(v)) for v in ans.values]
    return cand if b.sub_mip.feasible(cand) else None
