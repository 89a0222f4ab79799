"""Kernel search for dense parts: parts where a shipment may ride most of the trains (a
facility-location shape), on which the date windows of the neighbourhood search mean nothing
and the whole part's MIP is too large to search.

Following Guastaroba and Speranza (J. Heuristics 2012), the trains are ranked by their
Lagrangian value ``f_t + KS_t(lambda*)`` (:mod:`.lagrange`; most negative first: the train
the bound would most like to run). The *kernel* is the trains the Lagrangian subproblem runs,
topped up in rank order until it holds ``kernel_cover`` times the part's TEU. A MIP over the
kernel's trains (every other train closed; HiGHS through :class:`~.submip.SubMip`) gives the
first plan; then *buckets* of the next-ranked trains are added one at a time, each MIP
warm-started from the best plan and only accepted when cheaper, the trains a better plan runs
joining the kernel. The bound stays the Lagrangian's (the restricted MIPs bound nothing).
"""

from __future__ import annotations

import numpy as np

from routing.optimise.build import Builder
from routing.optimise.lagrange import Arrays, LagrangeResult, evaluate
from routing.optimise.params import DEFAULT, Deadline, SolveParams


def is_dense(b: Builder, params: SolveParams = DEFAULT) -> bool:
    """A part is dense when its classes have on average at least ``dense_options`` options
    and it has at least ``dense_min_trains`` trains."""
    n = max(1, len(b.classes))
    return len(b.run) >= params.dense_min_trains and len(b.x) / n >= params.dense_options


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
    best = start
    best_cost = b.mx.cost_of(best) if best is not None else float("inf")
    size = max(2, len(kernel) // 2)
    buckets = [rest[i : i + size] for i in range(0, len(rest), size)]
    rounds = [kernel, *([*kernel, *bk] for bk in buckets)]
    for i, trains in enumerate(rounds):
        left = deadline.remaining() if work is None else work
        if left < 0.2:
            break
        share = left * (params.kernel_first_share if i == 0 else 1.0 / (len(rounds) - i))
        found = _restricted(b, trains, best, share, seed, work=share if work else None)
        if work is not None:
            work -= share
        if found is not None and b.mx.cost_of(found) < best_cost - 1e-6:
            best, best_cost = found, b.mx.cost_of(found)
            used = [t for t in trains if best[b.run[t]] > 0.5]
            kernel = list(dict.fromkeys([*kernel, *used]))
        if i + 1 < len(rounds):
            rounds[i + 1] = list(dict.fromkeys([*kernel, *buckets[i]]))
    return best


def _restricted(
    b: Builder,
    trains: list[int],
    best: list[float] | None,
    seconds: float,
    seed: int,
    work: float | None = None,
) -> list[float] | None:
    """The MIP with only ``trains`` free to run (and carry), every unassigned column free;
    warm-started from ``best`` where it uses only those trains, else from nothing placed."""
    on = set(trains)
    free = [b.run[t] for t in trains] + [j for t in trains for j in b.by_train[t]]
    free += list(b.u.values())
    vals = [0.0] * len(b.mx.lb)
    for k, j in b.u.items():  # the start: every container unassigned (always feasible)
        vals[j] = float(b.classes[k].containers)
    if best is not None and all(best[j] < 0.5 for t, j in b.run.items() if t not in on):
        vals = list(best)
    ans = b.sub_mip.solve(free, vals, seconds, seed, work=work)
    if ans.values is None:
        return None
    cand = [float(round(v)) for v in ans.values]
    return cand if b.sub_mip.feasible(cand) else None
