"""A Lagrangian bound of a part's model, in milliseconds an iteration: the bound of a part
whose linear relaxation does not finish in its time, and the guide of the dense parts'
kernel search (:mod:`.kernel`).

The conservation rows ``sum_t m_j x_j + u_k = n_k`` (``m_j`` containers per unit of column
``j``) are moved into the objective with multipliers ``lambda_k``; the no-split rows, the
gross-mass, reefer-plug, minimum-load and border-quota rows are dropped. Dropping rows of a
minimisation only lowers its optimum, so for every ``lambda``

    L(lambda) = sum_k lambda_k n_k + sum_k n_k min(0, p_k - lambda_k)
                + sum_t min(0, f_t + KS_t(lambda))

is a lower bound of the part's optimum, where ``p_k`` is the unassigned cost per container,
``f_t`` the train's fixed cost and ``KS_t`` the continuous knapsack

    KS_t = min sum_j r_j z_j  s.t.  sum_j w_j z_j <= cap_t,  0 <= z_j <= ub_j,
    r_j = c_j - lambda_k m_j

over the train's columns (``w_j`` TEU a unit, ``ub_j`` its bound from the linking row
``x_j <= ub_j run_t``). ``KS_t`` is solved exactly by taking the columns of negative
``r_j`` in order of ``r_j / w_j``. ``L`` is concave; it is maximised by subgradient steps
``lambda += theta (U - L) g / |g|^2`` with ``g_k = n_k - sum_j m_j x_j - u_k`` (Polyak's
step towards the best known plan's cost ``U``; ``theta`` halves after a run of steps without
progress). With the strong linking rows the best ``L`` equals the linear relaxation of the
TEU-only model (Geoffrion 1974), which is what the decomposition's parts report when their
own relaxation is out of reach.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from routing.optimise.build import Builder
from routing.optimise.params import INF, Deadline


@dataclass(frozen=True, slots=True)
class Arrays:
    """The part's columns as arrays: per x column its class, train (dense index), cost,
    containers a unit, TEU a unit and upper bound; per class its containers and unassigned
    cost a container; per train its fixed cost and TEU capacity."""

    cls: np.ndarray
    train: np.ndarray
    cost: np.ndarray
    mult: np.ndarray
    teu: np.ndarray
    ub: np.ndarray
    n: np.ndarray
    pen: np.ndarray
    fixed: np.ndarray
    cap: np.ndarray
    #: per dense train index, the model's departure index
    trains: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class LagrangeResult:
    """The best bound found (matrix terms, without the model's constant), its multipliers,
    the trains its subproblem runs at that point and the iterations done."""

    bound: float
    lam: np.ndarray
    open_trains: frozenset[int]
    iterations: int


def arrays(b: Builder) -> Arrays:
    """:class:`Arrays` of a :class:`~routing.optimise.build.Builder`."""
    trains = tuple(sorted(b.run))
    pos = {t: i for i, t in enumerate(trains)}
    mx = b.mx
    items = sorted(b.x.items())
    cols = [j for _, j in items]
    classes = b.classes
    deps = b.p.departures
    return Arrays(
        cls=np.array([k for (k, _t), _ in items], dtype=np.int64),
        train=np.array([pos[t] for (_k, t), _ in items], dtype=np.int64),
        cost=np.array([mx.cost[j] for j in cols], dtype=float),
        mult=np.array([b.mult(j) for j in cols], dtype=float),
        teu=np.array([b.unit_teu(j) for j in cols], dtype=float),
        ub=np.array([mx.ub[j] for j in cols], dtype=float),
        n=np.array([c.containers for c in classes], dtype=float),
        pen=np.array([mx.cost[b.u[k]] for k in range(len(classes))], dtype=float),
        fixed=np.array([mx.cost[b.run[t]] for t in trains], dtype=float),
        cap=np.array([deps[t].capacity_teu for t in trains], dtype=float),
        trains=trains,
    )


def evaluate(a: Arrays, lam: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """``L(lambda)``, the subgradient ``g``, the x values of the subproblem's minimiser and
    the value ``f_t + KS_t`` of each train (dense index; it runs where negative)."""
    r = a.cost - lam[a.cls] * a.mult
    neg = r < 0
    idx = np.flatnonzero(neg)
    order = idx[np.lexsort((r[idx] / a.teu[idx], a.train[idx]))]
    tr = a.train[order]
    full = a.teu[order] * a.ub[order]
    cs = np.cumsum(full)
    start = np.searchsorted(tr, tr, side="left")  # first position of each item's train
    before = cs - full - (cs[start] - full[start])  # TEU taken by the train's earlier items
    z = np.clip((a.cap[tr] - before) / a.teu[order], 0.0, a.ub[order])
    ks = np.bincount(tr, weights=r[order] * z, minlength=len(a.fixed))
    value = a.fixed + ks
    runs = value < 0
    x = np.zeros(len(r))
    x[order] = np.where(runs[tr], z, 0.0)
    u_neg = a.pen - lam < 0  # unassigned cheaper than the multiplier: all of the class
    bound = float(lam @ a.n + np.minimum(0.0, a.pen - lam) @ a.n + value[runs].sum())
    placed = np.bincount(a.cls, weights=a.mult * x, minlength=len(a.n))
    g = a.n - placed - np.where(u_neg, a.n, 0.0)
    return bound, g, x, value


def initial_multipliers(a: Arrays) -> np.ndarray:
    """Each class's cheapest cost a container with its share of the train's fixed cost
    (fixed cost / capacity x TEU a container), at most its unassigned cost."""
    per = a.cost / a.mult + a.fixed[a.train] / np.maximum(a.cap[a.train], 1.0) * (a.teu / a.mult)
    best = np.full(len(a.n), INF)
    np.minimum.at(best, a.cls, per)
    out: np.ndarray = np.minimum(best, a.pen)
    return out


def lagrangian_bound(
    a: Arrays,
    deadline: Deadline,
    *,
    upper: float | None = None,
    max_iterations: int = 400,
    patience: int = 15,
    lam: np.ndarray | None = None,
    visit: Callable[[np.ndarray], object] | None = None,
) -> LagrangeResult:
    """Maximise ``L`` by subgradient steps until ``deadline``, ``max_iterations``, a step
    size under 1e-4 or a bound within 1e-6 of ``upper`` (the best known plan's cost, matrix
    terms; without it the target is 5 % above the current bound). ``visit``, if given, sees
    each step's running trains (a mask of the dense indices: the start of a Lagrangian
    heuristic)."""
    lam = initial_multipliers(a) if lam is None else lam.copy()
    best, best_lam, best_runs = -INF, lam.copy(), np.zeros(len(a.fixed), dtype=bool)
    theta, stale, it = 2.0, 0, 0
    # at least a few steps whatever the deadline (about 0.2 s of work at the most): the first
    # multipliers alone may bound below the trivial bound
    least = max(5, min(50, 2_000_000 // max(1, len(a.cost))))
    while it < max_iterations and (it < least or not deadline.expired()):
        it += 1
        value, g, _x, train_value = evaluate(a, lam)
        if visit is not None:
            visit(train_value < 0)
        if best == -INF or value > best + 1e-9 * max(1.0, abs(best)):
            best, best_lam, best_runs, stale = value, lam.copy(), train_value < 0, 0
        else:
            stale += 1
            if stale >= patience:
                theta, stale = theta / 2, 0
        target = upper if upper is not None and upper > best else best + 0.05 * abs(best) + 1.0
        norm = float(g @ g)
        if theta < 1e-4 or norm < 1e-12 or target - best <= 1e-6 * max(1.0, abs(target)):
            break
        lam = lam + theta * (target - value) / norm * g
    opened = frozenset(a.trains[i] for i in np.flatnonzero(best_runs))
    bound = best - 1e-7 * abs(best) if best > -INF else -INF
    return LagrangeResult(bound, best_lam, opened, it)
