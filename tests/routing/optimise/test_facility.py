"""The min-cost-flow pricing of a dense part's train sets (:class:`Transport`) against an
exhaustive enumeration of whole-container assignments on small random parts."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from routing.optimise.facility import Transport, flow_shaped
from routing.optimise.lagrange import Arrays


def _part(rng: np.random.Generator, k: int, t: int) -> Arrays:
    n = rng.integers(1, 4, size=k).astype(float)
    cls = np.repeat(np.arange(k), t)
    train = np.tile(np.arange(t), k)
    per = rng.integers(1, 50, size=k * t).astype(float)  # USD a container
    return Arrays(
        cls=cls,
        train=train,
        cost=per * n[cls],  # a unit is the whole class (mult containers)
        mult=n[cls],
        teu=n[cls],  # one TEU a container
        ub=np.ones(k * t),
        n=n,
        pen=rng.integers(40, 120, size=k).astype(float),
        fixed=rng.integers(0, 60, size=t).astype(float),
        cap=rng.integers(1, 5, size=t).astype(float),
        trains=tuple(range(t)),
    )


def _brute(a: Arrays, runs: np.ndarray) -> float:
    """The cheapest whole-container assignment on the running trains, by enumeration."""
    per = a.cost / a.mult
    best = float("inf")
    ranges = [range(int(a.n[a.cls[j]]) + 1) if runs[a.train[j]] else [0] for j in range(len(per))]
    for y in itertools.product(*ranges):
        ys = np.array(y, dtype=float)
        placed = np.bincount(a.cls, weights=ys, minlength=len(a.n))
        load = np.bincount(a.train, weights=ys, minlength=len(a.fixed))
        if (placed > a.n).any() or (load > a.cap).any():
            continue
        cost = a.fixed[runs].sum() + per @ ys + a.pen @ (a.n - placed)
        best = min(best, float(cost))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_every_train_set_is_priced_exactly(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = _part(rng, k=3, t=2)
    assert flow_shaped(a)
    tr = Transport(a)
    for mask in itertools.product([False, True], repeat=2):
        runs = np.array(mask)
        got = tr.price(runs)
        assert got.cost == pytest.approx(_brute(a, runs), abs=1e-6), mask
        placed = np.bincount(a.cls, weights=got.y, minlength=len(a.n))
        assert (placed <= a.n + 1e-9).all() and (got.y[~runs[a.train]] == 0).all()
