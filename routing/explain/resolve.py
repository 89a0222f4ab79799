"""Re-solving one part of a plan with one rule relaxed, warm-started from the plan.

A relaxation changes some shipments, departures, quotas or the unassigned penalty, or adds a
departure. Only the *part* it touches is solved again: the departures joined to the changed
ones by the shipments that may ride several of them and by the border days with a quota they
share (a union of the decomposition's components, :mod:`routing.optimise.decompose`), with
every shipment that may ride them. Parts do not interact, so

    saving = z*(base part) - z*(relaxed part)

is the whole batch's saving when both re-solves are proven optimal. The base part is solved
again too (cached by its departures), so the figure never leans on a plan that was not
proven optimal.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from network import Departure
from routing.domain.costs import cost_breakdown
from routing.domain.model import Problem, Shipment
from routing.domain.options import Options, build_options
from routing.domain.rules import crossing
from routing.domain.solution import Solution
from routing.optimise import solve


@dataclass(frozen=True, slots=True, kw_only=True)
class Relaxation:
    """One rule relaxed: shipments and departures replaced (by index), departures added,
    quotas set per (port, day), and the unassigned penalty per TEU (``None``: unchanged).
    ``seed`` holds the indices of the shipments whose part must be re-solved."""

    label: str
    shipments: tuple[tuple[int, Shipment], ...] = ()
    departures: tuple[tuple[int, Departure], ...] = ()
    added: tuple[Departure, ...] = ()
    quotas: tuple[tuple[tuple[str, dt.date], int], ...] = ()
    penalty_per_teu: float | None = None
    seed: tuple[int, ...] = ()

    def apply(self, problem: Problem) -> Problem:
        ships = list(problem.shipments)
        for s, sh in self.shipments:
            ships[s] = sh
        deps = list(problem.departures)
        for t, d in self.departures:
            deps[t] = d
        by_date = dict(problem.quota_by_date)
        for key, q in self.quotas:
            by_date[key] = q
        return dataclasses.replace(
            problem,
            shipments=tuple(ships),
            departures=(*deps, *self.added),
            quota_by_date=by_date,
            unassigned_penalty_per_teu=(
                problem.unassigned_penalty_per_teu
                if self.penalty_per_teu is None
                else self.penalty_per_teu
            ),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """A part solved: its objective and bound, whether proven, containers carried and carried
    on time per shipment index, and the solution in the part's own option indices."""

    objective: float
    bound: float
    optimal: bool
    carried: dict[int, int]
    on_time: dict[int, int]
    solution: Solution
    problem: Problem
    opts: Options


@dataclass(frozen=True, slots=True, kw_only=True)
class Compared:
    """A relaxation's re-solve against the same part's base re-solve."""

    base: Outcome
    relaxed: Outcome

    @property
    def saving(self) -> float:
        return self.base.objective - self.relaxed.objective

    @property
    def max_saving(self) -> float:
        return self.base.objective - self.relaxed.bound

    @property
    def exact(self) -> bool:
        return self.base.optimal and self.relaxed.optimal


def _find(parent: list[int], a: int) -> int:
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


def part(problem: Problem, opts: Options, departures: Iterable[int]) -> tuple[list[int], list[int]]:
    """The departures joined to ``departures`` (through shipments' options and shared
    border days with a quota) and the shipments with an option among them, sorted."""
    parent = list(range(len(problem.departures)))

    def union(a: int, b: int) -> None:
        ra, rb = _find(parent, a), _find(parent, b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    used: set[int] = set()
    for idx in opts.by_shipment:
        ts = [opts.options[o].t for o in idx]
        used.update(ts)
        for t in ts[1:]:
            union(ts[0], t)
    first: dict[tuple[str, dt.date], int] = {}
    for t in sorted(used):
        key = crossing(problem.departures[t])
        if key is not None and problem.quota_for(*key) is not None:
            union(first.setdefault(key, t), t)
    roots = {_find(parent, t) for t in departures}
    deps = sorted(t for t in used if _find(parent, t) in roots)
    inside = set(deps)
    ships = sorted(
        s for s, idx in enumerate(opts.by_shipment) if any(opts.options[o].t in inside for o in idx)
    )
    return deps, ships


@dataclass
class Resolver:
    """Re-solves parts of ``problem`` (the plan's) warm-started from ``plan_counts`` (containers
    per (shipment id, departure id)) and ``plan_runs`` (departure ids that run); base parts are
    cached by their departures, relaxations by themselves."""

    problem: Problem
    plan_counts: dict[tuple[str, str], int]
    plan_runs: frozenset[str]
    time_limit: float = 2.0
    opts: Options = field(init=False)
    base_cache: dict[tuple[str, ...], Outcome] = field(default_factory=dict)
    cache: dict[Relaxation, Compared] = field(default_factory=dict)
    resolves: int = 0
    seconds: float = 0.0

    def __post_init__(self) -> None:
        self.opts = build_options(self.problem)

    def compare(self, relax: Relaxation) -> Compared:
        """The part ``relax`` touches, solved with it and without it."""
        if relax in self.cache:
            return self.cache[relax]
        rp = relax.apply(self.problem)
        ropts = build_options(rp)
        seeds = {t for t, _ in relax.departures}
        seeds |= set(range(len(self.problem.departures), len(rp.departures)))
        for key, _q in relax.quotas:
            seeds |= {t for t, d in enumerate(rp.departures) if crossing(d) == key}
        for s in {*relax.seed, *(s for s, _ in relax.shipments)}:
            seeds |= {ropts.options[o].t for o in ropts.by_shipment[s]}
            seeds |= {self.opts.options[o].t for o in self.opts.by_shipment[s]}
        deps, ships = part(rp, ropts, seeds)
        n_base = len(self.problem.departures)
        base_deps = [t for t in deps if t < n_base]
        base = self._base(base_deps, ships)
        relaxed = self._solve(rp, deps, ships)
        out = Compared(base=base, relaxed=relaxed)
        self.cache[relax] = out
        return out

    def _base(self, deps: list[int], ships: list[int]) -> Outcome:
        key = tuple(self.problem.departures[t].departure_id for t in deps) + tuple(
            self.problem.shipments[s].shipment_id for s in ships
        )
        if key not in self.base_cache:
            self.base_cache[key] = self._solve(self.problem, deps, ships)
        return self.base_cache[key]

    def _solve(self, problem: Problem, deps: list[int], ships: list[int]) -> Outcome:
        """Solve the sub-problem of ``deps`` and ``ships``, warm-started from the plan; the
        plan itself (mapped onto it) is kept when the solver finds nothing as good."""
        sub = dataclasses.replace(
            problem,
            shipments=tuple(problem.shipments[s] for s in ships),
            departures=tuple(problem.departures[t] for t in deps),
        )
        sopts = build_options(sub)
        hint = self._hint(sub, sopts)
        t0 = time.perf_counter()
        res = solve(sub, sopts, hint=hint, time_limit=self.time_limit, seed=0, workers=1)
        self.seconds += time.perf_counter() - t0
        self.resolves += 1
        sol = res.solution or hint
        obj = cost_breakdown(sub, sopts, sol)["objective"]
        hint_obj = cost_breakdown(sub, sopts, hint)["objective"]
        if hint_obj < obj - 1e-6:
            sol, obj = hint, hint_obj
        carried: dict[int, int] = {}
        on_time: dict[int, int] = {}
        for o, n in sol.counts.items():
            op = sopts.options[o]
            s = ships[op.s]
            carried[s] = carried.get(s, 0) + n
            if op.late_days == 0:
                on_time[s] = on_time.get(s, 0) + n
        return Outcome(
            objective=obj,
            bound=min(res.bound, obj),
            optimal=res.status == "optimal",
            carried=carried,
            on_time=on_time,
            solution=sol,
            problem=sub,
            opts=sopts,
        )

    def _hint(self, sub: Problem, sopts: Options) -> Solution:
        """The plan on the sub-problem: its containers on the options that still exist (at most
        what each allows) and its running trains that still carry something."""
        counts: dict[int, int] = {}
        runs: set[int] = set()
        left = {s: sh.containers for s, sh in enumerate(sub.shipments)}
        for o, op in enumerate(sopts.options):
            sh, d = sub.shipments[op.s], sub.departures[op.t]
            n = self.plan_counts.get((sh.shipment_id, d.departure_id), 0)
            n = min(n, op.max_containers, left[op.s])
            if n > 0 and d.departure_id in self.plan_runs:
                counts[o] = n
                left[op.s] -= n
                runs.add(op.t)
        return _feasible(sub, sopts, Solution(counts, frozenset(runs)))


def _feasible(sub: Problem, sopts: Options, sol: Solution) -> Solution:
    """``sol`` with the trains dropped that break a limit of the sub-problem (a train's
    load over a lowered limit cannot occur: relaxations only raise limits), so the warm start
    is always a plan the model accepts; returns ``sol`` unchanged when it is one."""
    load: dict[int, int] = {}
    for o, n in sol.counts.items():
        t = sopts.options[o].t
        load[t] = load.get(t, 0) + n * sub.shipments[sopts.options[o].s].teu_per_container
    bad = {t for t, v in load.items() if v > sub.departures[t].capacity_teu}
    if not bad:
        return sol
    counts = {o: n for o, n in sol.counts.items() if sopts.options[o].t not in bad}
    return Solution(counts, frozenset(sol.runs - bad))


def twin_groups(problem: Problem, opts: Options) -> dict[int, tuple[int, ...]]:
    """Each shipment's twins: the shipments the model cannot tell from it (split, same TEU,
    mass and reefer, the same departures at the same cost per container). The optimiser hands
    a class's containers out in id order, so a relaxation that carries one twin carries "it"."""
    groups: dict[tuple[object, ...], list[int]] = {}
    for s, sh in enumerate(problem.shipments):
        key: tuple[object, ...] = (s,)
        if sh.split and opts.by_shipment[s]:
            key = (
                sh.teu_per_container,
                sh.gross_t,
                sh.reefer,
                tuple(
                    sorted(
                        (opts.options[o].t, round(opts.options[o].cost_per_container, 6))
                        for o in opts.by_shipment[s]
                    )
                ),
            )
        groups.setdefault(key, []).append(s)
    return {s: tuple(g) for g in groups.values() for s in g}
