"""Large-neighbourhood search: windows of consecutive trains planned again as MIPs."""

from __future__ import annotations

from collections import defaultdict

from routing.optimise.build import Builder
from routing.optimise.params import DEFAULT, Deadline


def lns(
    b: Builder,
    vals: list[float],
    until: Deadline,
    *,
    window: int = DEFAULT.lns_window,
    seconds: float = DEFAULT.lns_seconds,
    seed: int = 0,
) -> list[float]:
    """Large-neighbourhood search over windows of consecutive trains: the trains of a window
    free to run or not, the containers on them or left unassigned (of the classes that can
    ride them) free to move among them or to the unassigned list, everything else kept as in
    ``vals``; each neighbourhood a MIP for HiGHS (:class:`SubMip`). Windows slide by half
    their width, round after round, until each is proven optimal around the current plan
    (or failed) or ``until``; a window is open again when a change elsewhere touches one of
    its trains or classes, or a train in a border quota with one of its trains; a window that
    runs out of time (at first ``seconds``) gets twice as long next time. Returns the
    cheapest plan found."""
    assert window >= 1
    if until.remaining() < 0.05:
        return vals
    sub = b.sub_mip
    trains = b.trains_by_date
    train_of = {j: t for t, j in b.run.items()}
    peers: dict[int, set[int]] = defaultdict(set)  # trains sharing a border quota
    for _q, group in b.quotas:
        ts = {train_of[j] for j in group}
        for t in ts:
            peers[t] |= ts
    step = max(1, window // 2)
    wins = [trains[a : a + window] for a in range(0, max(1, len(trains) - window + step), step)]
    free_cols, touches = [], []
    for w in wins:
        xs = [j for t in w for j in b.by_train[t]]
        loose = {b.cls_of_col[j] for j in xs}
        free_cols.append([b.run[t] for t in w] + xs + sorted(b.u[k] for k in loose))
        touches.append((set(w), loose))
    best, best_cost = list(vals), b.mx.cost_of(vals)
    todo = [True] * len(wins)  # not proven optimal around the current plan yet
    limit = [seconds] * len(wins)
    while until.remaining() > 0.05 and any(todo):
        for i, cols in enumerate(free_cols):
            left = until.remaining()
            if left < 0.05:
                return best
            if not todo[i]:
                continue
            ans = sub.solve(cols, best, min(left, limit[i]), seed)
            if ans.values is not None:
                cand = [float(round(v)) for v in ans.values]
                cost = b.mx.cost_of(cand)
                if cost < best_cost - 1e-6 and sub.feasible(cand):
                    moved = [j for j in cols if cand[j] != best[j]]
                    ts = {b.x_train[j] for j in moved if j in b.x_train}
                    ts |= {t for t in wins[i] if cand[b.run[t]] != best[b.run[t]]}
                    ts |= {p for t in ts for p in peers.get(t, ())}
                    ks = {b.cls_of_col[j] for j in moved if j in b.cls_of_col}
                    for m, (wt, wk) in enumerate(touches):  # windows sharing a moved train
                        if ts & wt or ks & wk:  # (or one in its quota) or class: open again
                            todo[m] = True
                    best, best_cost = cand, cost
            if ans.reason in ("feasible", "no_solution"):  # out of time: longer next time
                limit[i] *= 2
            else:  # proven optimal around the plan (or failed: not tried again)
                todo[i] = False
    return best
