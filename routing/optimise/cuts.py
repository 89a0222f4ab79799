"""Interval cuts: mixed-integer rounding cuts over intervals of trains that strengthen the
relaxation's bound."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from routing.optimise.build import Builder
from routing.optimise.matrix import Row
from routing.optimise.params import DEFAULT, INF, Deadline, SolveParams
from routing.optimise.relaxation import Relaxation


def strengthen(
    b: Builder, rx: Relaxation, lp: list[float], until: Deadline, *, params: SolveParams = DEFAULT
) -> list[float]:
    """Rounds of :func:`interval_cuts` added to the relaxation ``rx`` (whose optimum is
    ``lp``; the cuts stay in it until :meth:`Relaxation.drop_added`) and solved again, until
    a round lifts it by less than ``params.cut_min_lift`` or time runs out (then the last relaxation
    solved stands). Returns the optimum of the strengthened relaxation."""
    value = b.mx.cost_of(lp)
    for _ in range(params.cut_rounds):
        if until.expired():
            break
        cuts = interval_cuts(b, lp, params.cuts_per_round)
        if not cuts:
            break
        rx.add_rows(cuts)
        nxt = rx.solve(until.remaining())
        if nxt is None:
            break
        lp, lift = nxt, b.mx.cost_of(nxt) - value
        value += lift
        if lift < params.cut_min_lift * abs(value):
            break
        rx.drop_slack(lp)  # cuts the optimum no longer touches: each round's solve stays short
    return lp


def interval_cuts(b: Builder, lp: Sequence[float], limit: int) -> list[Row]:
    """Mixed-integer rounding cuts over intervals of trains, violated by the relaxation ``lp``.

    For consecutive departures ``I`` (by date) and classes ``K``, every container of ``K`` is
    on a train of ``I``, on a train outside ``I`` or unassigned, and the trains of ``I`` carry
    at most ``C = max_I cap_t`` TEU (or kg) each: ``C Y + W >= D``, with ``Y = sum_I run_t``
    integer, ``D`` the TEU (kg) of ``K`` and ``W >= 0`` those of ``K`` outside ``I`` or
    unassigned. Its mixed-integer rounding, with ``r = D - C floor(D/C)``, is the cut
    ``r Y + W >= r ceil(D/C)``: the relaxation may not run 20.4 trains for 21 trains' load.
    For each interval, ``K`` is the best prefix of the classes by the share of their TEU the
    relaxation puts in ``I``. Returns rows ``(lb, ub, columns, coefficients)``, most violated
    first."""

    trains = b.trains_by_date
    n, nk = len(trains), len(b.classes)
    col, cls, at, dims = b.cut_arrays
    val = np.asarray(lp)[col]
    count = np.array([c.containers for c in b.classes], dtype=float)
    run = np.concatenate([[0.0], np.cumsum([lp[b.run[t]] for t in trains])])
    found: list[tuple[float, int, int, int, np.ndarray, float, float]] = []
    for d, (coef, unit, caps) in enumerate(dims):
        tot = unit * count
        flow = np.zeros((nk, n + 1))
        np.add.at(flow, (cls, at + 1), val * coef)
        np.cumsum(flow, axis=1, out=flow)
        for a in range(n):  # all intervals [a, e] at once
            cmax = np.maximum.accumulate(caps[a:])
            inside = flow[:, a + 1 :] - flow[:, a : a + 1]  # classes x ends
            share = np.where(inside > 1e-9 * tot[:, None], inside / tot[:, None], -1.0)
            order = np.argsort(-share, axis=0, kind="stable")
            ins = np.take_along_axis(inside, order, axis=0)
            dem = np.cumsum(tot[order], axis=0)
            out = np.cumsum(tot[order] - ins, axis=0)
            r = dem - cmax * np.floor(dem / cmax)
            viol = r * np.ceil(dem / cmax) - r * (run[a + 1 :] - run[a]) - out
            viol[(r < 0.5) | (np.take_along_axis(share, order, axis=0) <= 0)] = -INF
            best = np.argmax(viol, axis=0)
            for i, m in enumerate(best.tolist()):
                v, rem = viol[m, i], r[m, i]
                if v > 1e-4 * rem + 1e-6:
                    ks = order[: m + 1, i]
                    found.append((float(v / rem), d, a, a + i, ks, float(rem), float(dem[m, i])))
    found.sort(key=lambda c: -c[0])
    cuts = []
    for _v, d, a, e, ks, rem, need in found[:limit]:
        coef, unit, caps = dims[d]
        sc = 1.0 if d == 0 else 1e-3  # mass rows in tonnes: coefficients near the others'
        rhs = rem * math.ceil(need / caps[a : e + 1].max() - 1e-9)
        runs = [b.run[t] for t in trains[a : e + 1]]
        in_k = np.zeros(nk, dtype=bool)
        in_k[ks] = True
        mine = in_k[cls]
        inner = mine & (at >= a) & (at <= e)
        n_in = int(inner.sum())
        if n_in < int(mine.sum()) - n_in + len(ks):
            # the same cut through conservation, with fewer entries: F - r Y <= D - rhs,
            # F the TEU (kg) of K on the trains of I
            cuts.append(
                (
                    -INF,
                    (need - rhs) * sc,
                    col[inner].tolist() + runs,
                    (coef[inner] * sc).tolist() + [-rem * sc] * len(runs),
                )
            )
        else:
            outer = mine & ~inner
            us = [b.u[k] for k in ks.tolist()]
            cuts.append(
                (
                    rhs * sc,
                    INF,
                    col[outer].tolist() + us + runs,
                    (coef[outer] * sc).tolist() + (unit[ks] * sc).tolist() + [rem * sc] * len(runs),
                )
            )
    return cuts
