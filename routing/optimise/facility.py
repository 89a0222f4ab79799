"""Fast choice of the running trains of a dense part: the part seen as a capacitated facility
location problem (a train is a facility, a shipment class a customer), each set of running
trains priced by a min-cost flow in milliseconds instead of a HiGHS LP.

With the set ``S`` of running trains fixed, and every container of the part the same TEU
``w`` (the dense families: one TEU each), what is left of the model once its no-split, mass,
plug, minimum-load and quota rows are dropped is the transportation problem

    T(S) = min sum_j (c_j / m_j) y_j + sum_k p_k v_k
           s.t. sum_{j of k} y_j + v_k = n_k,  sum_{j on t} y_j <= floor(cap_t / w)  (t in S),
                0 <= y_j <= m_j ub_j,  y_j = 0 off S

in containers ``y_j = m_j x_j`` (``v_k`` unassigned, at ``p_k`` a container), a min-cost
flow whose optimum is integral (:class:`Transport`; ortools' network simplex). A plan's cost
is ``F(S) = sum_{t in S} f_t + T(S)``. The search (:func:`choose_trains`) is a local search
on ``S`` by add, drop and swap moves, each priced exactly by ``T``, screened by the
Lagrangian values ``f_t + KS_t(lambda)`` of :mod:`.lagrange` (adds, swaps' added trains) and
by each running train's load (drops), with ``lambda`` moved on by the subgradient between
rounds. The plan it gives is confirmed on the whole model by the caller (the dropped rows),
so nothing here bounds anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from routing.optimise.build import Builder
from routing.optimise.lagrange import Arrays, LagrangeResult, evaluate, lagrangian_bound
from routing.optimise.params import DEFAULT, Deadline, SolveParams

#: costs are scaled to integers for the network simplex (rates carry four decimals)
SCALE = 10_000


@dataclass(frozen=True, slots=True)
class Priced:
    """A set of running trains (dense indices, as a boolean mask), its cost ``F(S)`` and the
    containers the flow puts on each column (``y``, per x column of :class:`Arrays`)."""

    runs: np.ndarray
    cost: float
    y: np.ndarray


def flow_shaped(a: Arrays) -> bool:
    """Whether every column carries the same TEU a container and whole containers (the
    shape :class:`Transport` prices exactly)."""
    if len(a.cost) == 0:
        return False
    per = a.teu / a.mult
    return bool(np.allclose(per, per[0]) and np.allclose(a.mult * a.ub, np.round(a.mult * a.ub)))


class Transport:
    """``T(S)`` of the module's docstring for any set ``S`` of running trains (``F(S)``
    with the fixed costs)."""

    def __init__(self, a: Arrays) -> None:
        self.a = a
        w = float(a.teu[0] / a.mult[0])
        self.per = a.cost / a.mult  # cost a container
        self.icost = np.round(self.per * SCALE).astype(np.int64)
        self.icap = np.round(a.mult * a.ub).astype(np.int64)
        self.tcap = np.floor(a.cap / w + 1e-9).astype(np.int64)
        self.n = np.round(a.n).astype(np.int64)
        self.ipen = np.round(a.pen * SCALE).astype(np.int64)
        self.k, self.t = len(a.n), len(a.fixed)
        # columns grouped by train, to take a set's columns by concatenation
        self.by_train = [np.flatnonzero(a.train == i) for i in range(self.t)]
        self.evaluations = 0

    def price(self, runs: np.ndarray) -> Priced:
        """``F(S)`` for the mask ``runs`` (exact; integral flows)."""
        self.evaluations += 1
        a, k = self.a, self.k
        on = np.flatnonzero(runs)
        cols = np.concatenate([self.by_train[i] for i in on]) if len(on) else np.array([], int)
        sink = k + self.t
        f = min_cost_flow.SimpleMinCostFlow()
        cls = np.arange(k, dtype=np.int64)
        # class -> train (the columns), class -> sink (unassigned), train -> sink (capacity)
        tails = np.concatenate([a.cls[cols], cls, k + on])
        heads = np.concatenate([k + a.train[cols], np.full(k, sink), np.full(len(on), sink)])
        caps = np.concatenate([self.icap[cols], self.n, self.tcap[on]])
        costs = np.concatenate([self.icost[cols], self.ipen, np.zeros(len(on), np.int64)])
        f.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        supplies = np.zeros(sink + 1, dtype=np.int64)
        supplies[:k] = self.n
        supplies[sink] = -int(self.n.sum())
        f.set_nodes_supplies(np.arange(sink + 1), supplies)
        status = f.solve()
        if status != f.OPTIMAL:
            raise RuntimeError(f"min-cost flow: status {status}")
        flows = f.flows(np.arange(len(cols) + k))
        y = np.zeros(len(a.cost))
        y[cols] = flows[: len(cols)]
        unassigned = flows[len(cols) :]
        cost = float(a.fixed[on].sum() + self.per @ y + a.pen @ unassigned)
        return Priced(runs.copy(), cost, y)


def prices(tr: Transport, p: Priced) -> np.ndarray:
    """Each class's marginal cost a container in plan ``p``: the dearest column it uses, or
    its unassigned cost if some of it is left (the transportation problem's dual, read off
    the flow where no train is full)."""
    a = tr.a
    lam = np.zeros(tr.k)
    used = p.y > 0.5
    np.maximum.at(lam, a.cls[used], tr.per[used])
    placed = np.bincount(a.cls, weights=p.y, minlength=tr.k)
    short = placed < a.n - 0.5
    lam[short] = a.pen[short]
    return lam


def train_values(tr: Transport, lam: np.ndarray) -> np.ndarray:
    """``f_t + KS_t(lambda)`` of every train (:func:`.lagrange.evaluate`): negative where
    running it would pay at the prices ``lambda``."""
    return evaluate(tr.a, lam)[3]


def local_search(
    tr: Transport, start: Priced, until: Deadline, *, adds: int = 10, swaps: int = 8
) -> Priced:
    """Add, drop and swap moves on ``start``'s running trains, each priced by
    :meth:`Transport.price`, until no move improves or ``until``. Per round: every drop and
    the ``adds`` closed trains of the least value ``f_t + KS_t(lambda)`` at the current plan's
    prices (:func:`prices`), the best of them taken if it improves; else swaps of those
    ``swaps`` best closed trains against the running ones (least loaded first), the first
    improving one taken."""
    best = start
    while not until.expired():
        lam = prices(tr, best)
        value = train_values(tr, lam)
        on = np.flatnonzero(best.runs)
        off = np.flatnonzero(~best.runs)
        off = off[np.argsort(value[off], kind="stable")]
        load = np.bincount(tr.a.train, weights=best.y, minlength=tr.t)
        on = on[np.argsort(load[on] / np.maximum(tr.tcap[on], 1), kind="stable")]
        cand = [_flip(best.runs, [t]) for t in on] + [_flip(best.runs, [t]) for t in off[:adds]]
        step = _first_better(tr, cand, best, until, first=False)
        if step is None:
            swap = (_flip(best.runs, [d, t]) for t in off[:swaps] for d in on)
            step = _first_better(tr, swap, best, until, first=True)
        for t in off[:adds] if step is None else ():
            chain = _drop_chain(tr, tr.price(_flip(best.runs, [t])), until)
            if chain.cost < best.cost - 1e-6:
                step = chain
                break
        if step is None:
            break
        best = step
    return best


def _drop_chain(tr: Transport, p: Priced, until: Deadline) -> Priced:
    """``p`` with its running trains dropped one at a time, the best drop each time, while
    a drop makes it cheaper (the second half of an add-then-drop move, which can replace two
    small trains by one large one)."""
    while not until.expired():
        cand = [_flip(p.runs, [d]) for d in np.flatnonzero(p.runs)]
        step = _first_better(tr, cand, p, until, first=False)
        if step is None:
            break
        p = step
    return p


def _flip(runs: np.ndarray, trains: Sequence[int | np.integer]) -> np.ndarray:
    """``runs`` with ``trains`` switched (run <-> not run)."""
    out = runs.copy()
    idx = np.asarray(trains, dtype=np.int64)
    out[idx] = ~out[idx]
    return out


def _first_better(
    tr: Transport, cands: Iterable[np.ndarray], best: Priced, until: Deadline, *, first: bool
) -> Priced | None:
    """The first (``first``) or the cheapest of ``cands`` cheaper than ``best``, or None."""
    found: Priced | None = None
    for runs in cands:
        if until.expired():
            break
        p = tr.price(runs)
        if p.cost < (found.cost if found is not None else best.cost) - 1e-6:
            found = p
            if first:
                break
    return found


def to_values(b: Builder, a: Arrays, p: Priced) -> list[float]:
    """The model's column values of plan ``p``: its trains run, ``x_j = y_j / m_j``, the rest
    of each class unassigned."""
    vals = [0.0] * len(b.mx.lb)
    cols = [j for _, j in sorted(b.x.items())]
    x = p.y / a.mult
    for j, v in zip(cols, x.tolist(), strict=True):
        vals[j] = float(round(v))
    for i in np.flatnonzero(p.runs).tolist():
        vals[b.run[a.trains[i]]] = 1.0
    placed = np.bincount(a.cls, weights=p.y, minlength=len(a.n))
    for k, j in b.u.items():
        vals[j] = float(round(a.n[k] - placed[k]))
    return vals


def choose_trains(
    tr: Transport,
    starts: list[Priced],
    until: Deadline,
    *,
    seed: int = 0,
    adds: int = 10,
    swaps: int = 8,
) -> Priced | None:
    """The cheapest set of running trains found by :func:`local_search` from ``starts``
    (priced plans, cheapest first), until ``until``: the cheapest start first, then in turn
    the next start and a kick of the best plan so far. A kick runs one or two of the closed
    trains, drawn among the best by value at the best plan's prices, and closes none to three
    random running ones; the local search starts again from the kicked plan."""
    if not starts:
        return None
    queue = sorted(starts, key=lambda p: p.cost)
    best = local_search(tr, queue.pop(0), until, adds=adds, swaps=swaps)
    rng = np.random.default_rng(seed)
    turn = 0
    while not until.expired():
        turn += 1
        cand = queue.pop(0) if queue and turn % 2 else _kick(tr, best, rng)
        if cand is None:
            break
        found = local_search(tr, cand, until, adds=adds, swaps=swaps)
        if found.cost < best.cost - 1e-6:
            best = found
    return best


def _kick(tr: Transport, best: Priced, rng: np.random.Generator) -> Priced | None:
    value = train_values(tr, prices(tr, best))
    on = np.flatnonzero(best.runs)
    off = np.flatnonzero(~best.runs)
    if len(on) == 0 or len(off) == 0:
        return None
    off = off[np.argsort(value[off], kind="stable")]
    q = int(rng.integers(1, min(2, len(off)) + 1))
    open_ = rng.choice(off[: 2 * q + 2], size=q, replace=False)
    close = rng.choice(on, size=int(rng.integers(0, min(3, len(on)) + 1)), replace=False)
    return tr.price(_flip(best.runs, [*close.tolist(), *open_.tolist()]))


def flow_search(
    b: Builder,
    a: Arrays,
    start: list[float] | None,
    deadline: Deadline,
    *,
    seed: int = 0,
    params: SolveParams = DEFAULT,
) -> tuple[LagrangeResult, list[float] | None]:
    """A dense part of :func:`flow_shaped` columns: the Lagrangian bound in
    ``lagrange_share`` of the time, every distinct set of trains its steps run priced by
    :class:`Transport` (a Lagrangian heuristic), then :func:`choose_trains` from the
    ``flow_starts`` cheapest of them (and ``start``'s trains) in the rest; the bound and the
    best plan as the model's column values, checked against every row of the model (None if
    it breaks one: the rows the flow leaves out)."""
    tr = Transport(a)
    seen: dict[bytes, Priced] = {}
    until = deadline.child(params.lagrange_share)

    def visit(runs: np.ndarray) -> None:
        key = runs.tobytes()
        if key not in seen and not until.expired():
            seen[key] = tr.price(runs)

    upper = b.mx.cost_of(start) if start is not None else None
    lag = lagrangian_bound(a, until, upper=upper, visit=visit)
    starts = sorted(seen.values(), key=lambda p: p.cost)[: params.flow_starts]
    if start is not None:
        starts.append(tr.price(np.array([start[b.run[t]] > 0.5 for t in a.trains])))
    best = choose_trains(tr, starts, deadline, seed=seed)
    if best is None:
        return lag, None
    vals = to_values(b, a, best)
    return lag, vals if b.mx.feasible(vals) else None
