"""A plan from a fractional one: containers rounded down, trains below their minimum load
rescued or cancelled, leftovers placed where the relaxation wanted them, making room there."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from routing.optimise.build import Builder, cap_kg
from routing.optimise.params import DEFAULT, SolveParams


def round_and_repair(
    b: Builder, lp: Sequence[float], runs: set[int], *, params: SolveParams = DEFAULT
) -> list[float]:
    """A feasible plan near a fractional one that runs the trains ``runs``: containers
    rounded down; a train left below its minimum load takes leftover containers that
    can ride it, then containers moved from trains that keep their minimum, else it is
    cancelled and the pass redone; the rest placed cheapest-first where TEU, mass and
    plugs allow, else unassigned. Keeps a border quota that ``runs`` keeps."""
    runs = set(runs)
    while True:
        f = Fill(b, params=params)
        f.fill(lp, runs)
        below = {t for t in runs if f.teu[t] < b.p.departures[t].min_load_teu}
        if not below:
            break
        runs -= below
    runs = {t for t in runs if f.teu[t] > 0}  # an empty train does not run
    vals = f.vals
    for t, j in b.run.items():
        vals[j] = 1.0 if t in runs else 0.0
    for k, j in b.u.items():
        vals[j] = float(f.left[k])
    return vals


class Fill:
    """One rounding pass of :func:`round_and_repair`: loads per train as columns
    are filled."""

    def __init__(self, b: Builder, *, params: SolveParams = DEFAULT) -> None:
        self.b, self.mx = b, b.mx
        self.ejection_tries = params.ejection_tries
        self.vals = [0.0] * len(b.mx.lb)
        self.teu: dict[int, int] = defaultdict(int)
        self.kg: dict[int, int] = defaultdict(int)
        self.plugs: dict[int, int] = defaultdict(int)
        self.left = {k: c.containers for k, c in enumerate(b.classes)}
        self.by_class = b.by_class

    def put(self, j: int, t: int, n: int) -> None:
        b = self.b
        k = b.cls_of_col[j]
        self.vals[j] += n
        m = n * b.mult(j)
        self.teu[t] += n * self.b.unit_teu(j)
        self.kg[t] += n * b.kg(j)
        self.plugs[t] += m if b.classes[k].reefer else 0
        self.left[k] -= m

    def room(self, j: int, t: int) -> int:
        """Units of column ``j`` that still fit on train ``t``."""
        b = self.b
        d = b.p.departures[t]
        n = min(
            int(self.mx.ub[j] - self.vals[j]), (d.capacity_teu - self.teu[t]) // self.b.unit_teu(j)
        )
        ckg = cap_kg(d)
        if ckg is not None:
            n = min(n, (ckg - self.kg[t]) // max(1, b.kg(j)))
        if b.classes[b.cls_of_col[j]].reefer:
            n = min(n, (d.reefer_plugs - self.plugs[t]) // b.mult(j))
        return max(0, n)

    def worth(self, j: int) -> bool:
        """Cheaper per container than leaving it unassigned."""
        b = self.b
        return self.mx.cost[j] / b.mult(j) < self.mx.cost[b.u[b.cls_of_col[j]]]

    def take_leftovers(self, j: int, t: int) -> None:
        n = min(self.room(j, t), self.left[self.b.cls_of_col[j]] // self.b.mult(j))
        if n > 0 and self.worth(j):
            self.put(j, t, n)

    def fill(self, lp: Sequence[float], runs: set[int]) -> None:
        b, mx = self.b, self.mx
        for (_k, t), j in b.x.items():
            n = math.floor(lp[j] + 1e-6)
            if t in runs and n > 0:
                self.put(j, t, n)
        for t in sorted(runs):
            self.rescue(t, runs)
        # first where the relaxation wanted them, the bulkiest units (no-split lots) first:
        # the room rounding freed there is theirs
        wanted: dict[int, list[tuple[float, int, int]]] = defaultdict(list)
        for (k, t), j in b.x.items():
            if t in runs and lp[j] - math.floor(lp[j] + 1e-6) > 1e-6 and self.left[k] > 0:
                wanted[k].append((-lp[j], t, j))
        for k in sorted(wanted, key=lambda k: (-b.classes[k].teu * self.unit(k), k)):
            for _f, t, j in sorted(wanted[k]):
                self.take_leftovers(j, t)
        # where the room rounding freed is split over two trains (a 40 ft box the relaxation
        # put half on each, each train left with 1 TEU), moving a smaller box from one to the
        # other makes room for it, before it goes to a far later train
        for k in sorted(wanted, key=lambda k: (-b.classes[k].teu * self.unit(k), k)):
            for _f, t, j in sorted(wanted[k]):
                while self.left[k] >= b.mult(j) and self.eject_into(j, t, runs, elsewhere=True):
                    pass
        # then cheapest-first; the containers that lose most on the unassigned list go first
        regret = {
            k: mx.cost[b.u[k]] - self.by_class[k][0][0]
            for k in range(len(b.classes))
            if self.left[k] > 0 and self.by_class.get(k)
        }
        for k in sorted(regret, key=lambda k: (-regret[k], k)):
            for _per, t, j in self.by_class[k]:
                if self.left[k] == 0 or not self.worth(j):
                    break
                if t in runs:
                    self.take_leftovers(j, t)
        for k in sorted(regret, key=lambda k: (-regret[k], k)):
            tries = [(t, j) for _f, t, j in sorted(wanted.get(k, []))]
            tries += [(t, j) for _per, t, j in self.by_class[k] if t in runs and self.worth(j)]
            for t, j in tries[: self.ejection_tries + len(wanted.get(k, []))]:
                while self.left[k] >= b.mult(j) and self.eject_into(j, t, runs):
                    pass
        for k in sorted(regret, key=lambda k: (-regret[k], k)):  # room moves freed
            for _per, t, j in self.by_class[k]:
                if self.left[k] == 0 or not self.worth(j):
                    break
                if t in runs:
                    self.take_leftovers(j, t)

    def unit(self, k: int) -> int:
        """Containers that move together: the whole lot for a no-split shipment, else one."""
        c = self.b.classes[k]
        return 1 if c.split else c.containers

    def eject_into(self, j: int, t: int, runs: set[int], *, elsewhere: bool = False) -> bool:
        """Make room for one unit of column ``j`` on train ``t`` by moving split containers
        from ``t`` to other running trains or, where none has room, to the unassigned list,
        cheapest extra cost first, if all that costs less than leaving the unit unassigned
        (``elsewhere``: or than the cheapest running train with room for it); then place it."""
        b, mx = self.b, self.mx
        d = b.p.departures[t]
        if int(mx.ub[j] - self.vals[j]) < 1:
            return False
        k = b.cls_of_col[j]
        if b.classes[k].reefer and self.plugs[t] + b.mult(j) > d.reefer_plugs:
            return False
        ckg = cap_kg(d)
        other = mx.cost[b.u[k]] * b.mult(j)
        if elsewhere:
            for _per, t2, j2 in self.by_class[k]:
                if t2 != t and t2 in runs and self.room(j2, t2) > 0:
                    other = min(other, mx.cost[j2])
                    break
        budget = other - mx.cost[j]
        done: list[tuple[int, int, int, int]] = []
        while True:
            short_teu = self.teu[t] + self.b.unit_teu(j) - d.capacity_teu
            short_kg = self.kg[t] + b.kg(j) - ckg if ckg is not None else 0
            if short_teu <= 0 and short_kg <= 0:
                break
            best: tuple[float, int, int, int] | None = None
            for j1 in b.by_train[t]:
                k1 = b.cls_of_col[j1]
                if self.vals[j1] < 1 or not b.classes[k1].split or j1 == j:
                    continue
                # to the unassigned list (j2 = -1), or to the cheapest other train with room
                moves = [(mx.cost[b.u[k1]] - mx.cost[j1], j1, -1, -1)]
                for per, t2, j2 in self.by_class[k1]:
                    if t2 != t and t2 in runs and self.room(j2, t2) > 0:
                        moves.append((per - mx.cost[j1], j1, j2, t2))
                        break
                move = min(moves)
                if best is None or move < best:
                    best = move
            if best is None or best[0] >= budget:
                break
            extra, j1, j2, t2 = best
            budget -= extra
            self.put(j1, t, -1)
            if j2 >= 0:
                self.put(j2, t2, 1)
            done.append((j1, t, j2, t2))
        if short_teu <= 0 and short_kg <= 0 and self.teu[t] + self.b.unit_teu(j) >= d.min_load_teu:
            self.put(j, t, 1)
            return True
        for j1, _t, j2, t2 in reversed(done):
            if j2 >= 0:
                self.put(j2, t2, -1)
            self.put(j1, t, 1)
        return False

    def rescue(self, t: int, runs: set[int]) -> None:
        """Bring train ``t`` up to its minimum load if leftovers or moves can."""
        b, mx = self.b, self.mx
        need = b.p.departures[t].min_load_teu
        if self.teu[t] >= need:
            return
        cols = sorted(b.by_train[t], key=lambda j: (mx.cost[j] / b.mult(j), j))
        for j in cols:
            self.take_leftovers(j, t)
        for j in cols:  # containers moved from trains that keep their minimum
            for _per, t2, j2 in self.by_class[b.cls_of_col[j]]:
                if self.teu[t] >= need:
                    return
                if t2 == t or t2 not in runs or self.vals[j2] < 1:
                    continue
                spare = (self.teu[t2] - b.p.departures[t2].min_load_teu) // self.b.unit_teu(j2)
                short = -(-(need - self.teu[t]) // self.b.unit_teu(j))
                n = min(int(self.vals[j2]), spare, self.room(j, t), short)
                if n > 0:
                    self.put(j2, t2, -n)
                    self.put(j, t, n)
