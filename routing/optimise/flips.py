"""Run flips: local search over the set of trains that run, each set valued by the relaxation
with those trains fixed."""

from __future__ import annotations

from collections.abc import Sequence

from routing.optimise.build import Builder
from routing.optimise.params import DEFAULT, INF, Deadline
from routing.optimise.relaxation import Relaxation


def fix_trains(b: Builder, rx: Relaxation, trains: frozenset[int] | None) -> None:
    """Fix every train of ``rx`` on (those in ``trains``) or off, or free them all (None)."""
    for t, j in b.run.items():
        if trains is None:
            rx.fix(j, 0.0, 1.0)
        else:
            rx.fix(j, float(t in trains))


def flip_runs(
    b: Builder,
    rx: Relaxation,
    runs: frozenset[int],
    order_by: Sequence[float],
    until: Deadline,
    *,
    reach: int = DEFAULT.flip_pair_reach,
) -> tuple[frozenset[int], list[float]] | None:
    """Local search over the set of trains that run: from ``runs``, each train the relaxation
    ``order_by`` runs fractionally (nearest one half first) is switched on or off, and the
    switch kept if the relaxation with those trains fixed gets cheaper; when a sweep finds
    none, pairs of such trains at most ``reach`` places apart by date, one switched off and
    the other on, are tried. Sweeps repeat while one improves and time lasts. The bound of
    the strengthened relaxation ranks the trains well, but which of the doubtful ones to run
    is a choice among many that only a solve settles (on 26-train rail parts 50 solves reach
    the best set of trains that HiGHS's MIP finds in 2-16 s). Leaves the trains free again;
    returns the best set and its relaxation (or None: out of time, or no set tried could be
    planned)."""

    def value(trains: frozenset[int]) -> tuple[float, list[float] | None]:
        fix_trains(b, rx, trains)
        vals = rx.solve(until.remaining())
        return (b.mx.cost_of(vals), vals) if vals is not None else (INF, None)

    doubtful = sorted(
        (t for t, j in b.run.items() if 1e-6 < order_by[j] < 1 - 1e-6),
        key=lambda t: (abs(order_by[b.run[t]] - 0.5), t),
    )
    pos = {t: i for i, t in enumerate(b.trains_by_date)}
    best_cost, best = value(runs)

    def attempt(switch: Sequence[int]) -> bool:
        """Switch the trains ``switch``; keep it if the relaxation gets cheaper."""
        nonlocal runs, best_cost, best
        trial = runs.symmetric_difference(switch)
        cost, vals = value(trial)
        if cost < best_cost - (1e-6 * abs(best_cost) if best_cost < INF else 0.0):
            runs, best_cost, best = trial, cost, vals
            return True
        return False

    improved = True
    while improved and not until.expired():
        improved = False
        for t in doubtful:
            if until.expired():
                break
            improved |= attempt([t])
        if not improved:  # one train off and another near it on
            for t in [t for t in doubtful if t in runs]:
                for s in doubtful:
                    if until.expired():
                        break
                    if t in runs and s not in runs and abs(pos[s] - pos[t]) <= reach:
                        improved |= attempt([t, s])
    fix_trains(b, rx, None)
    return (runs, best) if best is not None else None
