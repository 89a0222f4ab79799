"""Relax, fix, round: a bound and plans from the linear relaxation (:class:`RelaxFixRound`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from routing.optimise.branching import branch_and_bound
from routing.optimise.build import Builder
from routing.optimise.cuts import strengthen
from routing.optimise.flips import fix_trains, flip_runs
from routing.optimise.mathopt import mathopt_model
from routing.optimise.matrix import Row
from routing.optimise.params import DEFAULT, INF, Deadline, SolveParams
from routing.optimise.relaxation import Relaxation
from routing.optimise.rounding import round_and_repair
from routing.optimise.submip import SubMip


def lp_heuristic(
    b: Builder,
    time_limit: float,
    thresholds: Sequence[float] = (0.5, 0.25),
    *,
    dive: bool = True,
    params: SolveParams = DEFAULT,
) -> tuple[list[float] | None, float]:
    """The cheapest plan relax-fix-round finds within ``time_limit`` seconds (or None) and its
    bound (-inf if the relaxation did not finish); see :class:`RelaxFixRound`."""
    return RelaxFixRound(b, time_limit, thresholds, dive=dive, params=params).run()


@dataclass
class _State:
    """Everything relax-fix-round learns as it goes."""

    lp: list[float]  # the plain relaxation's optimum
    bound: float  # the best lower bound yet
    best: list[float] | None = None  # the cheapest plan yet
    best_cost: float = INF
    best_fixed: float = INF  # the relaxation's cost with the best plan's trains fixed
    best_lp: list[float] = field(default_factory=list)  # that relaxation, before rounding
    tried: set[frozenset[int]] = field(default_factory=set)  # sets of trains rounded
    cuts: list[Row] = field(default_factory=list)  # the strengthened relaxation's cuts
    cut_basis: Any = None  # and its basis, for the branching
    polished: list[float] | None = None  # the plan the polish last started from or found


class RelaxFixRound:
    """Relax, fix, round. First the bound: the linear relaxation strengthened by interval cuts
    (:func:`~routing.optimise.cuts.strengthen`, at most ``cut_share`` of the time), which are
    then removed again. Then, on parts up to ``flip_max_columns``, the trains the strengthened
    relaxation runs, improved by switching doubtful ones (:func:`flip_runs`, at most
    ``flip_share`` of the time), fixed on and the rest off; that relaxation is solved again
    (``rounding_passes``: split no-split lots put on their likeliest train, then what it
    places whole kept), rounded to a plan (:func:`round_and_repair`) and polished: a MIP with
    the plan's trains fixed, and the classes rounding did not touch kept in place, closes what
    rounding lost (at most ``polish_seconds``). Then branching on the trains, with the cuts
    back, raises the bound (:func:`branch_and_bound`, at most ``branch_share`` of the time),
    and its cheapest leaf is rounded and polished too. Where the flips do not run or find
    nothing: plans from the trains the relaxation runs at or above each threshold and (parts
    up to ``dive_max_columns``) from those a dive settles on, the best one polished. If the
    first relaxation took over ``plan_first_share`` of the time, the thresholds' plans come
    before the cuts. The search for plans and bounds ends ``polish_share`` of the time before
    the end. On the rail parts this finds in seconds plans that HiGHS's own heuristics,
    warm-started from the greedy plan, reach only after ten or more (BENCHMARKS.md)."""

    def __init__(
        self,
        b: Builder,
        time_limit: float,
        thresholds: Sequence[float] = (0.5, 0.25),
        *,
        dive: bool = True,
        params: SolveParams = DEFAULT,
    ) -> None:
        self.b, self.p, self.time_limit = b, params, time_limit
        self.thresholds, self.dive_on = tuple(thresholds), dive
        self.total = Deadline(time_limit)
        # the search's end, leaving the polish its time
        self.search = Deadline.at(self.total.end - params.polish_share * time_limit)
        pr = mathopt_model(b.mx, integer=False)
        self.rx = Relaxation(pr, params=params)
        if "sub_mip" not in vars(b):  # the polish's and LNS's arrays, from this proto
            b.sub_mip = SubMip(b.mx, pr)
        self.s = _State(lp=[], bound=-INF)

    def relax(self) -> list[float] | None:
        return self.rx.solve(self.search.remaining())

    def run(self) -> tuple[list[float] | None, float]:
        """The cheapest plan (or None) and the bound (-inf if the relaxation did not finish)."""
        b, p = self.b, self.p
        lp = self.relax()
        if lp is None:
            return None, -INF
        bound = b.mx.cost_of(lp)
        s = self.s = _State(lp=lp, bound=bound - 1e-6 * abs(bound), best_lp=lp)
        if self.total.elapsed() > p.plan_first_share * self.time_limit:
            # a slow relaxation: plans first, so that the part has one before its time runs out
            self.by_thresholds()
            self.strengthen()
        else:
            cut_lp = self.strengthen()
            if p.flip_share > 0 and len(b.mx.lb) <= p.flip_max_columns:
                # the trains the strengthened relaxation runs, improved a train at a time
                until = self.search.until(p.flip_share * self.time_limit)
                found = flip_runs(
                    b, self.rx, self.likely(cut_lp, 0.5), cut_lp, until, reach=p.flip_pair_reach
                )
                if found is not None:
                    s.tried.add(found[0])
                    self.consider(found[1], found[0])
            if s.best is not None:  # the flips' plan, polished; then branching raises the
                # bound (the thresholds' and the dive's plans were never cheaper on
                # shanxi-year's parts)
                self.polish()
                if s.best_cost > s.bound + 1e-6:
                    self.branch()
                return s.best, s.bound
            self.by_thresholds()
        if self.dive_on and len(b.mx.lb) <= p.dive_max_columns and not self.search.expired():
            self.dive()
        if s.best is not None and s.best is not s.polished:
            self.polish()
        return s.best, s.bound

    def consider(self, fixed: list[float], runs: frozenset[int]) -> None:
        """Round the relaxation with ``runs`` fixed; keep the plan if it is the best yet."""
        b, s = self.b, self.s
        relaxed = b.mx.cost_of(fixed)
        fix_trains(b, self.rx, runs)
        raised: list[int] = []
        fixed = self.iterate_rounding(fixed, raised)
        vals = round_and_repair(b, fixed, set(runs), params=self.p)
        for j in raised:
            self.rx.fix(j, 0.0, b.mx.ub[j])
        cost = b.mx.cost_of(vals)
        if cost < s.best_cost and b.mx.feasible(vals):
            s.best, s.best_cost, s.best_lp = vals, cost, fixed
            s.best_fixed = relaxed

    def iterate_rounding(self, fixed: list[float], raised: list[int]) -> list[float]:
        """Iterated rounding of the relaxation ``fixed`` (its trains fixed): lots it splits go
        on their likeliest train, then containers it places whole stay (lower bounds) and it
        places the rest again, while it splits any. The columns whose bounds it raised are
        appended to ``raised``; returns the last relaxation solved."""
        b, rx = self.b, self.rx
        until = Deadline(self.p.rounding_share * self.time_limit)
        for _ in range(self.p.rounding_passes):
            if until.expired():
                break
            likeliest: dict[int, tuple[float, int]] = {}
            for j, k in b.cls_of_col.items():
                if not b.classes[k].split and 1e-6 < fixed[j] < 1 - 1e-6:
                    likeliest[k] = max(likeliest.get(k, (0.0, 0)), (fixed[j], -j))
            if likeliest:  # the lots it splits over trains, each on its likeliest train: all
                # it puts there at 0.5 or more at once, else (or if that fails) the likeliest
                top = max(likeliest.values())
                lots = [-j for v, j in likeliest.values() if v >= 0.5] or [-top[1]]
                raised.extend(lots)
                for lot in lots:
                    rx.fix(lot, 1.0, 1.0)
                nxt = self.relax()
                if nxt is None and len(lots) > 1:
                    for lot in lots:
                        rx.fix(lot, 0.0, b.mx.ub[lot])
                    lots = [-top[1]]
                    rx.fix(lots[0], 1.0, 1.0)
                    nxt = self.relax()
                if nxt is None:
                    rx.fix(lots[0], 0.0, 0.0)
                    nxt = self.relax()
            else:  # what it places whole stays, the rest is placed again
                more = False
                for j in b.cls_of_col:
                    whole = math.floor(fixed[j] + 1e-6)
                    if whole > rx.lb[j]:
                        rx.fix(j, float(whole), rx.ub[j])
                        raised.append(j)
                        more = True
                nxt = self.relax() if more else None
            if nxt is None:
                break
            fixed = nxt
        return fixed

    def likely(self, values: Sequence[float], th: float) -> frozenset[int]:
        """The trains ``values`` runs at ``th`` or more, within the border quotas."""
        b = self.b
        on = {j for j in b.run.values() if values[j] >= th - 1e-9}
        for q, group in b.quotas:  # keep the quota: the trains the relaxation runs most
            for j in sorted((j for j in group if j in on), key=lambda j: (-values[j], j))[q:]:
                on.discard(j)
        return frozenset(t for t, j in b.run.items() if j in on)

    def by_thresholds(self) -> None:
        """Plans from the trains the plain relaxation runs at each threshold."""
        b, s, lp = self.b, self.s, self.s.lp
        for th in self.thresholds:
            runs = self.likely(lp, th)
            if runs in s.tried:  # the same trains as a higher threshold: add the next likeliest
                rest = sorted(
                    ((lp[j], -t) for t, j in b.run.items() if t not in runs and lp[j] > 1e-6),
                    reverse=True,
                )
                if not rest or b.quotas:
                    continue
                runs = runs | {-rest[0][1]}
                if runs in s.tried:
                    continue
            s.tried.add(runs)
            fix_trains(b, self.rx, runs)
            fixed = self.relax()
            if fixed is None:  # a fixed train cannot reach its minimum load, or out of time
                if self.search.expired():
                    break
                continue
            self.consider(fixed, runs)
        fix_trains(b, self.rx, None)

    def strengthen(self) -> list[float]:
        """The bound: the relaxation strengthened by interval cuts, which then leave it again
        (the plans round the plain relaxation: from the strengthened one they cost more)."""
        b, s, rx = self.b, self.s, self.rx
        until = self.search.until(self.p.cut_share * self.time_limit)
        cut_lp = strengthen(b, rx, s.lp, until, params=self.p)
        s.bound = max(s.bound, b.mx.cost_of(cut_lp) * (1 - 1e-6))
        s.cuts, s.cut_basis = list(rx.added), rx.basis()
        rx.drop_added()
        return cut_lp

    def branch(self) -> None:
        """Branching on the trains with the cuts back raises the bound; its cheapest leaf's
        trains (run whole) are rounded and polished too."""
        b, s, rx = self.b, self.s, self.rx
        rx.add_rows(s.cuts)
        fix_trains(b, rx, None)
        rx.start_from(s.cut_basis)  # the strengthened relaxation's optimum, at once
        until = self.search.until(self.p.branch_share * self.time_limit)
        low, leaf = branch_and_bound(b, rx, s.best_cost, until)
        s.bound = max(s.bound, low * (1 - 1e-6))
        rx.drop_added()
        if leaf is not None and leaf[0] not in s.tried:  # trains the branching ran whole
            s.tried.add(leaf[0])
            self.consider(leaf[1], leaf[0])
            if s.best is not s.polished:
                self.polish()

    def polish(self) -> None:
        """What rounding lost against its relaxation: the best plan's trains, solved as a MIP
        where only the classes rounding moved and those riding the trains it touched are free
        and the rest keep their place (on a 50-train part, 7.20 M in 1.3 s where the MIP of
        all classes was still at 7.63 M after 3 s); built of the free columns alone, as the
        neighbourhood search's MIPs are (the whole part's, with the rest fixed by bounds, took
        HiGHS 4 s over a 1.5 s limit on a 26,000-column part)."""
        b, s, p = self.b, self.s, self.p
        assert s.best is not None
        best = s.polished = s.best
        left = self.total.remaining()
        if s.best_cost - s.best_fixed <= 1e-4 * abs(s.best_cost) or left <= 0.05:
            return
        moved = [j for j in b.cls_of_col if abs(best[j] - s.best_lp[j]) > 1e-6]
        hot = {b.x_train[j] for j in moved}
        loose = {b.cls_of_col[j] for j in moved}
        loose |= {b.cls_of_col[j] for t in hot for j in b.by_train[t] if best[j] > 0}
        free = [j for j, k in b.cls_of_col.items() if k in loose] + [b.u[k] for k in loose]
        if len(free) > p.polish_max_columns:
            return
        # HiGHS runs over its limit by about 1e-4 s a column (its presolve): 1.7 s on 19,000
        limit = min(left, p.polish_seconds) - p.highs_overrun_per_column * len(free)
        ans = b.sub_mip.solve(free, best, limit) if limit > 0.05 else None
        if ans is not None and ans.values is not None:
            vals = [float(round(v)) for v in ans.values]
            cost = b.mx.cost_of(vals)
            if cost < s.best_cost - 1e-6 and b.sub_mip.feasible(vals):
                s.best, s.best_cost, s.polished = vals, cost, vals

    def dive(self) -> None:
        """Fix the likeliest fractional train on (or, when none is at ``dive_up`` or more,
        the least likely off), solve again, until no train is fractional; round that."""
        b, s, rx = self.b, self.s, self.rx
        nxt: list[float] | None = s.lp
        while nxt is not None:
            cur = nxt
            free = [j for j in b.run.values() if rx.ub[j] > rx.lb[j]]
            for j in free:
                if cur[j] >= 1 - 1e-6:
                    rx.fix(j, 1.0)
                elif cur[j] <= 1e-6:
                    rx.fix(j, 0.0)
            frac = [j for j in free if 1e-6 < cur[j] < 1 - 1e-6]
            if not frac:
                runs = frozenset(t for t, j in b.run.items() if cur[j] > 0.5)
                if runs not in s.tried:  # else rounded before: the time goes to the polish
                    s.tried.add(runs)
                    self.consider(cur, runs)
                break
            up = max(frac, key=lambda j: (cur[j], -j))
            j, value = (
                (up, 1.0)
                if cur[up] >= self.p.dive_up
                else (min(frac, key=lambda j: (cur[j], j)), 0.0)
            )
            rx.fix(j, value)
            nxt = self.relax()
            if nxt is None and not self.search.expired():  # infeasible that way: the other
                rx.fix(j, 1.0 - value)
                nxt = self.relax()
        fix_trains(b, rx, None)
