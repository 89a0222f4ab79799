"""Exact decomposition of a batch into independent parts, with the border quotas coordinated
by constraint generation.

A departure serves one corridor, so departures fall into components linked only by the
shipments that can ride several of them. Border quotas link components too; they are left
out at first (a relaxation: the sum of the parts' bounds is a valid lower bound for the whole
batch). When the combined plan breaks a quota, the components that cross that port on that
day are merged, with the quota, and solved again, until no quota is broken. Each part is
solved by :func:`routing.optimise.solver.solve`, so this module does not import OR-Tools.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from routing.domain.costs import cost_breakdown, move_offset, trivial_bound
from routing.domain.model import Problem
from routing.domain.options import Option, Options
from routing.domain.rules import over_quota
from routing.domain.solution import Solution
from routing.optimise.params import DEFAULT, Deadline, SolveParams
from routing.optimise.solver import Progress, SolveResult, solve


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass(frozen=True, slots=True)
class Part:
    departures: tuple[int, ...]  # global indices
    shipments: tuple[int, ...]
    options: int


def parts(problem: Problem, opts: Options, uf: _UnionFind) -> list[Part]:
    """Components of departures joined by shipments (and by ``uf``'s earlier merges)."""
    for idx in opts.by_shipment:
        ts = {opts.options[o].t for o in idx}
        first = min(ts, default=None)
        for t in ts:
            uf.union(first, t)  # type: ignore[arg-type]
    deps: dict[int, list[int]] = defaultdict(list)
    ships: dict[int, list[int]] = defaultdict(list)
    n_opts: dict[int, int] = defaultdict(int)
    for s, idx in enumerate(opts.by_shipment):
        if idx:
            root = uf.find(opts.options[idx[0]].t)
            ships[root].append(s)
            n_opts[root] += len(idx)
    used = {opts.options[o].t for idx in opts.by_shipment for o in idx}
    for t in sorted(used):
        deps[uf.find(t)].append(t)
    return [Part(tuple(deps[r]), tuple(ships[r]), n_opts[r]) for r in sorted(deps)]


def _crossings(problem: Problem, runs: frozenset[int]) -> list[tuple[str, dt.date, list[int]]]:
    """Quota violations of a combined plan: (port, day, departures), by port and day."""
    return sorted((port, day, ts) for port, day, _q, ts in over_quota(problem, runs))


@dataclass
class _Done:
    res: SolveResult
    sub: Problem
    opts: Options
    part: Part
    hint: Solution | None


_Combined = tuple[Solution, float, list[str]]  # the whole batch's plan, bound and parts' statuses
_Violations = list[tuple[str, dt.date, list[int]]]


def solve_decomposed(
    problem: Problem,
    opts: Options,
    *,
    hint: Solution | None = None,
    time_limit: float = 30.0,
    deadline: Deadline | None = None,
    work: float | None = None,
    seed: int = 0,
    backend: str = "auto",
    workers: int = 2,
    progress: Progress | None = None,
    params: SolveParams = DEFAULT,
) -> tuple[SolveResult, int]:
    """Solve part by part on ``workers`` threads by ``deadline`` (default: ``time_limit``
    seconds from now); returns the combined result and the number of parts. Time left after
    every part has an answer goes to the parts with the largest gaps, warm-started from their
    best plan (:func:`_solve_until_quotas_hold`, then :func:`_search_largest_gaps`). With
    ``work``, each part gets ``work x its options / all options`` deterministic units and no
    second round: the plan does not depend on the clock."""
    t0 = time.perf_counter()
    deadline = deadline if deadline is not None else Deadline(time_limit)
    runs = _Runs(problem, opts, deadline, seed=seed, backend=backend, params=params, work=work)
    uf = _UnionFind(len(problem.departures))
    ps, combined, violations = _solve_until_quotas_hold(runs, uf, hint, workers, progress, t0)
    if not violations and work is None:
        combined = _search_largest_gaps(runs, ps, workers, progress, t0, combined)
    sol, bound, statuses = combined
    status = "optimal" if all(s == "optimal" for s in statuses) and not violations else "feasible"
    if violations:  # out of time: the cheaper of two repairs
        sol = _cheapest_repair(problem, opts, ps, runs.cache, sol, violations)
    build = runs.build_seconds
    rows = part_rows(problem, opts, ps, runs.cache)
    res = SolveResult(sol, status, bound, time.perf_counter() - t0 - build, build)
    res = replace(res, method="decompose", bound_source=_sources(rows), parts_detail=tuple(rows))
    return res, len(ps)


def part_rows(
    problem: Problem, opts: Options, ps: list[Part], cache: dict[tuple[int, ...], _Done]
) -> list[dict[str, object]]:
    """Per part: its size, method, status, objective, bound and where the bound comes from
    (``summary.json``'s ``parts_detail``), largest first."""
    rows = []
    for p in sorted(ps, key=lambda p: (-p.options, p.departures)):
        d = cache[p.departures]
        obj = _objective(d)
        rows.append(
            {
                "departures": len(p.departures),
                "shipments": len(p.shipments),
                "options": p.options,
                "method": d.res.method,
                "status": d.res.status,
                "objective": round(obj, 2) if math.isfinite(obj) else None,
                "bound": round(d.res.bound, 2),
                "bound_source": d.res.bound_source,
                "seconds": round(d.res.seconds + d.res.build_seconds, 3),
                "gap": round((obj - d.res.bound) / max(abs(obj), 1e-9), 6)
                if math.isfinite(obj)
                else None,
            }
        )
    return rows


def _sources(rows: list[dict[str, object]]) -> str:
    """The weakest bound source among the parts (trivial < lagrangian < lp < mip)."""
    order = ["trivial", "lagrangian", "lp", "mip"]
    return min((str(r["bound_source"]) for r in rows), key=order.index, default="mip")


@dataclass
class _Runs:
    """What the runs of the parts share: the batch, the deadline and the solve settings, the
    best result so far per part (keyed by its departures), the lock that guards it and the
    seconds spent building models."""

    problem: Problem
    opts: Options
    deadline: Deadline
    seed: int
    backend: str
    params: SolveParams
    work: float | None = None
    cache: dict[tuple[int, ...], _Done] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    build_seconds: float = 0.0

    def run(self, p: Part, share: float, start: Solution | None, local: bool = False) -> None:
        """Solve part ``p`` with ``share`` of the time left: a first pass (``local=False``,
        ``start`` a plan of the whole batch) gets quick plans and bounds with ``auto``; a
        later one (``start`` this part's plan) runs the neighbourhood search and then HiGHS's
        search from the best plan."""
        params, backend = self.params, self.backend
        left = self.deadline.remaining()
        # the back end's own overhead beyond its time limit grows with the part (about 1e-4 s
        # per option with HiGHS through MathOpt): keep the whole run within the limit
        budget = left * share - params.overhead_per_option * p.options
        if local and budget < 1.0:
            return  # too little time to search again without running over the limit
        seen = self.cache.get(p.departures)
        if seen is not None and local:  # solved before: the same sub-problem and model
            sub, sub_opts, model = seen.sub, seen.opts, seen.res.model
        else:
            sub = _sub_problem(self.problem, p)
            sub_opts = sub_options(self.opts, p)
            model = None
        small = p.options <= params.small_part_options
        if not local and backend == "auto" and small:  # first pass: quick, the rest by gap
            budget = min(budget, params.first_pass_seconds)
        if not local:  # every part gets a first attempt, within what is left
            floor = min(
                params.first_pass_floor, params.first_pass_floor_share * self.deadline.seconds
            )
            budget = min(max(budget, floor), left)
        sub_hint = (
            start
            if local
            else (_restrict(start, self.opts, sub_opts, p) if start is not None else None)
        )
        work = None
        if self.work is not None:
            work = self.work * p.options / max(1, sum(len(i) for i in self.opts.by_shipment))
        elif budget < 0.05 and sub_hint is not None:
            late = -self.deadline.remaining() > params.late_share * self.deadline.seconds
            if local or late or p.options > params.late_part_options:  # out of time: the warm start
                self._keep_hint(p, sub, sub_opts, sub_hint)  # stays, with the trivial bound
                return
            budget = params.late_part_seconds  # a small part: a moment for CP-SAT still
        until = (
            self.deadline.until(max(0.0, budget))
            if budget < params.late_part_seconds or self.deadline.remaining() >= budget
            else Deadline(budget)
        )
        res = solve(
            sub,
            sub_opts,
            hint=sub_hint,
            deadline=until,
            work=work,
            seed=self.seed,
            backend=backend,
            heuristic=not local,  # a second round starts from the first's plan, which has it
            # small parts: HiGHS's search at once, as it usually proves them in moments
            mip=local or backend != "auto" or small,
            model=model,
            params=params,
        )
        if res.solution is None and sub_hint is not None:  # nothing found in time: keep the hint
            res = replace(res, solution=sub_hint, status="feasible")
        with self.lock:
            self.build_seconds += res.build_seconds
            old = self.cache.get(p.departures)
            if old is not None:  # a second round: keep the better plan and the better bound
                res = _better(old, res)
            self.cache[p.departures] = _Done(res, sub, sub_opts, p, sub_hint)

    def _keep_hint(self, p: Part, sub: Problem, sub_opts: Options, hint: Solution) -> None:
        """A part reached after the deadline: its warm start, bounded by every container at
        its cheapest option or its unassigned penalty (fixed costs >= 0), said so."""
        res = SolveResult(
            hint,
            "feasible",
            trivial_bound(sub, sub_opts),
            0.0,
            0.0,
            method="hint",
            bound_source="trivial",
        )
        with self.lock:
            self.cache.setdefault(p.departures, _Done(res, sub, sub_opts, p, hint))


def _solve_until_quotas_hold(
    runs: _Runs,
    uf: _UnionFind,
    hint: Solution | None,
    workers: int,
    progress: Progress | None,
    t0: float,
) -> tuple[list[Part], _Combined, _Violations]:
    """Solve every part not solved yet (time shares by :func:`_small_floor`); while the
    combined plan breaks a border quota and time is left, merge the parts whose trains cross
    that port on that day and solve the merged parts. Returns the last parts, their combined
    plan and the quotas it still breaks."""
    problem, opts, cache = runs.problem, runs.opts, runs.cache
    while True:
        ps = parts(problem, opts, uf)
        todo = sorted(
            (p for p in ps if p.departures not in cache), key=lambda p: (-p.options, p.departures)
        )
        floor = _small_floor(todo, runs.params)
        _run_all(
            todo,
            runs.run,
            hint,
            workers,
            weight=functools.partial(_weight, floor=floor),
            on_done=_parts_hook(progress, len(ps) - len(todo), len(ps)),
        )
        if progress is not None:
            _report(progress, t0, problem, opts, ps, cache)
        combined = _combine(problem, opts, ps, cache)
        violations = _crossings(problem, combined[0].runs)
        if not violations or runs.deadline.remaining() < 0:
            return ps, combined, violations
        for _port, _day, ts in violations:
            for t in ts[1:]:
                uf.union(ts[0], t)


def _parts_hook(progress: Progress | None, done: int, total: int) -> Callable[[], None] | None:
    """Counts the parts solved for the progress object's optional ``parts(done, total)``
    method (the CLI's progress bar shows it); None when it has none."""
    report = getattr(progress, "parts", None)
    if report is None:
        return None
    lock = threading.Lock()
    count = [done]

    def hook() -> None:
        with lock:
            count[0] += 1
            n = count[0]
        report(n, total)

    report(done, total)
    return hook


def _small_floor(todo: list[Part], params: SolveParams) -> float:
    """The least weight of a part in the first pass: ``min(S, f O / k)`` for ``S`` =
    ``small_part_options``, ``f`` = ``small_parts_share``, ``O`` the options of all parts to
    do and ``k`` the number of small ones (at most ``S`` options).

    A part's time is in proportion to its options, but a small part's as if it had
    small_part_options (its HiGHS search needs a while: solved last, one was left 35 % open
    on 0.5 s where HiGHS closes it in 2-3 s), the small ones together at most
    small_parts_share of all options, so that many small parts do not starve the large."""
    n_small = sum(p.options <= params.small_part_options for p in todo)
    return min(
        params.small_part_options,
        params.small_parts_share * sum(p.options for p in todo) / max(1, n_small),
    )


def _search_largest_gaps(
    runs: _Runs,
    ps: list[Part],
    workers: int,
    progress: Progress | None,
    t0: float,
    combined: _Combined,
) -> _Combined:
    """Then HiGHS's search, warm-started, on the parts with the largest gaps
    (:func:`_open_gaps`), each with time in proportion to its gap, for as long as more than
    2 s are left. Returns the combined plan after the last round (``combined`` if none)."""
    problem, opts, cache = runs.problem, runs.opts, runs.cache
    while runs.deadline.remaining() > 2.0:
        gaps = _open_gaps(runs, ps, workers)
        if not gaps:
            break
        _run_all(
            sorted(gaps, key=lambda p: (-gaps[p], p.departures)),
            lambda p, share, _h: runs.run(p, share, cache[p.departures].res.solution, local=True),
            None,
            workers,
            weight=gaps.__getitem__,
        )
        if progress is not None:
            _report(progress, t0, problem, opts, ps, cache)
        combined = _combine(problem, opts, ps, cache)
    return combined


def _open_gaps(runs: _Runs, ps: list[Part], workers: int) -> dict[Part, float]:
    """The parts not proven optimal and their gaps ``objective - bound`` (USD), the smallest
    left out while its share of the CPU time left (``remaining x workers x gap / sum of
    gaps``) is under ``min_search_seconds`` and more parts than workers remain."""
    cache = runs.cache
    gaps = {
        p: _objective(d) - d.res.bound
        for p in ps
        if (d := cache[p.departures]).res.status != "optimal"
    }
    cpu = runs.deadline.remaining() * max(1, workers)
    while gaps and cpu * min(gaps.values()) / sum(gaps.values()) < runs.params.min_search_seconds:
        if len(gaps) <= max(1, workers):
            break
        del gaps[min(gaps, key=lambda p: (gaps[p], p.departures))]
    return gaps


def _run_all(
    todo: list[Part],
    run: Callable[[Part, float, Solution | None], None],
    hint: Solution | None,
    workers: int,
    *,
    weight: Callable[[Part], float] = lambda p: float(p.options),
    on_done: Callable[[], None] | None = None,
) -> None:
    """Run parts on ``workers`` threads, each with a share of the time left in proportion to
    its ``weight`` (by default its options); ``on_done()`` after each part."""
    remaining = [sum(weight(p) for p in todo) or 1.0]
    lock = threading.Lock()
    queue = list(todo)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            work()
        except BaseException as e:  # re-raised on the calling thread
            errors.append(e)
            queue.clear()

    def work() -> None:
        while True:
            with lock:
                if not queue:
                    return
                p = queue.pop(0)
                share = min(1.0, weight(p) / remaining[0] * workers)
                remaining[0] = max(1e-9, remaining[0] - weight(p))
            run(p, share, hint)
            if on_done is not None:
                on_done()

    if workers <= 1 or len(todo) <= 1:
        work()
        return
    threads = [threading.Thread(target=worker) for _ in range(min(workers, len(todo)))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise errors[0]


def _weight(p: Part, floor: float) -> float:
    """A part's weight in the first pass's time shares: its options, at least ``floor``."""
    return max(float(p.options), floor)


def _objective(d: _Done) -> float:

    return (
        cost_breakdown(d.sub, d.opts, d.res.solution)["objective"] if d.res.solution else math.inf
    )


def _better(old: _Done, res: SolveResult) -> SolveResult:

    bound = max(old.res.bound, res.bound)
    if res.solution is None or (
        old.res.solution is not None
        and cost_breakdown(old.sub, old.opts, old.res.solution)["objective"]
        <= cost_breakdown(old.sub, old.opts, res.solution)["objective"]
    ):
        return replace(
            old.res, bound=bound, status="optimal" if res.status == "optimal" else old.res.status
        )
    return replace(res, bound=bound)


def _cheapest_repair(
    problem: Problem,
    opts: Options,
    ps: list[Part],
    cache: dict[tuple[int, ...], _Done],
    sol: Solution,
    violations: _Violations,
) -> Solution:
    """A combined plan that breaks border quotas, when no time is left to merge the parts:
    the cheaper of :func:`_repair` (cancel the lightest trains) and :func:`_back_to_hints`."""
    plans = [_repair(problem, opts, sol, violations)]
    back = _back_to_hints(problem, opts, ps, cache, violations)
    if back is not None:
        plans.append(back)
    return min(plans, key=lambda x: cost_breakdown(problem, opts, x)["objective"])


def _back_to_hints(
    problem: Problem,
    opts: Options,
    ps: list[Part],
    cache: dict[tuple[int, ...], _Done],
    violations: _Violations,
) -> Solution | None:
    """Parts put back on their warm start (the batch's hint, the greedy plan, which keeps
    every quota) one at a time until no quota breaks: each round, of the parts with a train in
    a broken crossing, the one whose warm start costs the least more than its plan. At worst
    every part is back and the plan is the hint's; ``None`` if a part has no warm start or the
    warm starts themselves break a quota."""
    owner = {t: p for p in ps for t in p.departures}
    extra: dict[Part, float] = {}
    for p in ps:
        done = cache[p.departures]
        if done.hint is None or done.res.solution is None:
            return None
        hint_cost = cost_breakdown(done.sub, done.opts, done.hint)["objective"]
        extra[p] = hint_cost - cost_breakdown(done.sub, done.opts, done.res.solution)["objective"]
    back = {p for p in ps if cache[p.departures].hint == cache[p.departures].res.solution}
    while violations:
        hit = {owner[t] for _port, _day, ts in violations for t in ts} - back
        if not hit:
            return None
        back.add(min(hit, key=lambda p: (extra[p], p.departures)))
        sol = _combine(problem, opts, ps, cache, back)[0]
        violations = _crossings(problem, sol.runs)
    return sol


def _repair(problem: Problem, opts: Options, sol: Solution, violations: _Violations) -> Solution:
    load: dict[int, int] = defaultdict(int)
    for o, n in sol.counts.items():
        op = opts.options[o]
        load[op.t] += n * problem.shipments[op.s].teu_per_container
    cancel: set[int] = set()
    for port, day, ts in violations:
        q = problem.quota_for(port, day) or 0
        cancel |= set(sorted(ts, key=lambda t: (-load[t], t))[q:])
    counts = {o: n for o, n in sol.counts.items() if opts.options[o].t not in cancel}
    return Solution(counts, frozenset(sol.runs - cancel))


def _sub_problem(problem: Problem, p: Part) -> Problem:
    return replace(
        problem,
        shipments=tuple(problem.shipments[s] for s in p.shipments),
        departures=tuple(problem.departures[t] for t in p.departures),
    )


def sub_options(opts: Options, p: Part) -> Options:
    """The options of part ``p``'s sub-problem (:func:`_sub_problem`), taken from the batch's
    and re-indexed instead of built again: an option depends only on its shipment, its
    departure and the problem's tables, which the sub-problem keeps, and every option of the
    part's shipments rides one of its departures (the parts are the components of the
    options); the part's departures are in the batch's order, so each shipment's options keep
    theirs. Equal to ``build_options(_sub_problem(problem, p))``, in a fraction of its time."""
    tidx = {t: i for i, t in enumerate(p.departures)}
    out: list[Option] = []
    by: list[tuple[int, ...]] = []
    for i, s in enumerate(p.shipments):
        first = len(out)
        out += [
            replace(opts.options[o], s=i, t=tidx[opts.options[o].t]) for o in opts.by_shipment[s]
        ]
        by.append(tuple(range(first, len(out))))
    return Options(tuple(out), tuple(by), {})


def _restrict(hint: Solution, opts: Options, sub_opts: Options, p: Part) -> Solution:
    sidx = {s: i for i, s in enumerate(p.shipments)}
    tidx = {t: i for i, t in enumerate(p.departures)}
    local = {(op.s, op.t): o for o, op in enumerate(sub_opts.options)}
    counts = {}
    for o, n in hint.counts.items():
        op = opts.options[o]
        if op.s in sidx and op.t in tidx:
            counts[local[(sidx[op.s], tidx[op.t])]] = n
    return Solution(counts, frozenset(tidx[t] for t in hint.runs if t in tidx))


def _combine(
    problem: Problem,
    opts: Options,
    ps: list[Part],
    cache: dict[tuple[int, ...], _Done],
    back: set[Part] | None = None,
) -> tuple[Solution, float, list[str]]:
    """The parts' plans (the parts in ``back`` on their warm start instead) as one plan of the
    batch, the sum of their bounds and their statuses."""
    glob = {(op.s, op.t): o for o, op in enumerate(opts.options)}
    counts: dict[int, int] = {}
    runs: set[int] = set()
    left = [sh for s, sh in enumerate(problem.shipments) if not opts.by_shipment[s]]
    bound = problem.unassigned_penalty_per_teu * sum(sh.teu for sh in left) + move_offset(left)
    statuses = []
    for p in ps:
        done = cache[p.departures]
        res, sub_opts = done.res, done.opts
        statuses.append(res.status)
        bound += res.bound
        plan = done.hint if back and p in back else res.solution
        if plan is None:
            continue
        for o, n in plan.counts.items():
            op = sub_opts.options[o]
            counts[glob[(p.shipments[op.s], p.departures[op.t])]] = n
        runs |= {p.departures[t] for t in plan.runs}
    return Solution(counts, frozenset(runs)), bound, statuses


def _report(
    progress: Progress,
    t0: float,
    problem: Problem,
    opts: Options,
    ps: list[Part],
    cache: dict[tuple[int, ...], _Done],
) -> None:

    done = [p for p in ps if p.departures in cache]
    if len(done) != len(ps):
        return
    sol, bound, _ = _combine(problem, opts, ps, cache)
    progress(time.perf_counter() - t0, cost_breakdown(problem, opts, sol)["objective"], bound)
