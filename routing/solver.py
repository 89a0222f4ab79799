"""The optimiser: a CP-SAT model of the assignment (the only module that imports OR-Tools).

Variables
    ``x[k,t]`` containers of shipment class ``k`` on departure ``t`` (integer),
    ``run[t]`` departure ``t`` runs (boolean), ``y[s,t]`` for ``split=false`` shipments.

Shipments with ``split=true`` and identical options (same departures, same cost per container,
same TEU, gross tonnes and reefer flag) are merged into one class; this is exact, since any
split of a class's containers among its shipments costs the same.

Objective (USD, scaled to integers in one place, :func:`_scale`)
    ``sum_t fixed_t run_t + sum_{k,t} c_kt x_kt + P * sum_k teu_k u_k``

Constraints, one function each below.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from routing.greedy import Solution
from routing.model import Problem
from routing.options import Options

Progress = Callable[[float, float, float], None]


@dataclass(frozen=True, slots=True)
class SolveResult:
    solution: Solution | None
    status: str  # optimal | feasible | unknown | error
    bound: float  # proven lower bound on the objective, USD
    seconds: float
    build_seconds: float


@dataclass
class _Class:
    shipments: list[int]
    containers: int
    teu: int
    gross_t: float
    reefer: bool
    split: bool
    options: dict[int, int]  # t -> option index of the first shipment


def _scale(values: list[float]) -> int:
    """Integer scale for costs: cents, or 1e-4 USD when a cost has finer fractions."""
    for scale in (1, 100, 10_000):
        if all(abs(v * scale - round(v * scale)) < 1e-6 for v in values):
            return scale
    return 10_000


def _classes(problem: Problem, opts: Options) -> list[_Class]:
    groups: dict[tuple[object, ...], _Class] = {}
    out: list[_Class] = []
    for s, sh in enumerate(problem.shipments):
        mine = opts.by_shipment[s]
        if not mine:
            continue
        topt = {opts.options[o].t: o for o in mine}
        if sh.split:
            key = (
                sh.teu_per_container,
                sh.gross_t,
                sh.reefer,
                tuple((t, round(opts.options[o].cost_per_container, 6)) for t, o in topt.items()),
            )
            if key in groups:
                c = groups[key]
                c.shipments.append(s)
                c.containers += sh.containers
                continue
        c = _Class([s], sh.containers, sh.teu_per_container, sh.gross_t, sh.reefer, sh.split, topt)
        out.append(c)
        if sh.split:
            groups[key] = c
    return out


class _Model:
    def __init__(self, problem: Problem, opts: Options) -> None:
        self.p, self.o = problem, opts
        self.m = cp_model.CpModel()
        self.classes = _classes(problem, opts)
        deps = problem.departures
        costs = [deps[t].fixed_cost for t in range(len(deps))]
        costs += [op.cost_per_container for op in opts.options]
        costs.append(problem.unassigned_penalty_per_teu)
        self.scale = _scale(costs)
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.y: dict[tuple[int, int], cp_model.IntVar] = {}
        self.by_train: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
        self.run: dict[int, cp_model.IntVar] = {}
        self.u: dict[int, cp_model.IntVar] = {}
        self._variables()
        self._capacity()
        self._linking()
        self._min_load()
        self._border_quota()
        self._no_split()
        self._objective()

    def _per_train_limit(self, c: _Class, t: int) -> int:
        d = self.p.departures[t]
        n = min(c.containers, d.capacity_teu // c.teu)
        if d.max_gross_t is not None:
            n = min(n, int(d.max_gross_t // c.gross_t + 1e-9))
        if c.reefer:
            n = min(n, d.reefer_plugs)
        return n

    def _variables(self) -> None:
        for k, c in enumerate(self.classes):
            for t in c.options:
                ub = self._per_train_limit(c, t)
                if ub <= 0:
                    continue
                if t not in self.run:
                    self.run[t] = self.m.new_bool_var(f"run_{t}")
                if c.split:
                    v = self.m.new_int_var(0, ub, f"x_{k}_{t}")
                else:
                    yv = self.m.new_bool_var(f"y_{k}_{t}")
                    self.y[(k, t)] = yv
                    v = yv  # containers = n * y, see _no_split
                self.x[(k, t)] = v
                self.by_train[t].append((k, v))

    def _load(self, t: int, weight: Callable[[_Class], float]) -> cp_model.LinearExpr:
        """sum_k weight(k) * containers of k on t."""
        terms = []
        for k, v in self.by_train[t]:
            c = self.classes[k]
            w = weight(c) * (c.containers if not c.split else 1)
            terms.append(w * v)
        return sum(terms)  # type: ignore[return-value]

    def _capacity(self) -> None:
        """TEU, gross tonnes (in kg) and reefer plugs of a train, only if it runs:
        ``sum_k teu_k x_kt <= cap_t run_t``, ``sum_k g_k x_kt <= G_t run_t``,
        ``sum_{k reefer} x_kt <= plugs_t run_t``."""
        for t, r in self.run.items():
            d = self.p.departures[t]
            self.m.add(self._load(t, lambda c: c.teu) <= d.capacity_teu * r)
            if d.max_gross_t is not None:
                kg = self._load(t, lambda c: round(c.gross_t * 1000))
                self.m.add(kg <= math.floor(d.max_gross_t * 1000 + 1e-6) * r)
            if any(self.classes[k].reefer for k, _ in self.by_train[t]):
                self.m.add(self._load(t, lambda c: 1 if c.reefer else 0) <= d.reefer_plugs * r)

    def _linking(self) -> None:
        """``x_kt <= min(n_k, cap_t) run_t``: the strong form of the fixed charge, which
        tightens the linear relaxation far beyond the aggregated capacity row."""
        for (k, t), v in self.x.items():
            c = self.classes[k]
            ub = 1 if not c.split else self._per_train_limit(c, t)
            self.m.add(v <= ub * self.run[t])

    def _min_load(self) -> None:
        """``sum_k teu_k x_kt >= min_load_t run_t``: a train runs only with its minimum load."""
        for t, r in self.run.items():
            d = self.p.departures[t]
            if d.min_load_teu > 0:
                self.m.add(self._load(t, lambda c: c.teu) >= d.min_load_teu * r)

    def _border_quota(self) -> None:
        """For each border port and day: ``sum_{t crossing that day} run_t <= quota``."""
        groups: dict[tuple[str, object], list[cp_model.IntVar]] = defaultdict(list)
        for t, r in self.run.items():
            d = self.p.departures[t]
            if d.border_port:
                groups[(d.border_port, d.border_date)].append(r)
        for (port, day), runs in groups.items():
            q = self.p.quota_for(port, day)  # type: ignore[arg-type]
            if q is not None and len(runs) > q:
                self.m.add(sum(runs) <= q)  # type: ignore[arg-type]

    def _no_split(self) -> None:
        """Every container is on a departure or unassigned: ``sum_t x_kt + u_k = n_k``; a
        ``split=false`` shipment takes one departure whole (``sum_t y_kt <= 1``)."""
        per_class: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for (k, _t), v in self.x.items():
            per_class[k].append(v)
        for k, c in enumerate(self.classes):
            vs = per_class.get(k, [])
            u = self.m.new_int_var(0, c.containers, f"u_{k}")
            self.u[k] = u
            if c.split:
                self.m.add(sum(vs) + u == c.containers)  # type: ignore[arg-type]
            else:
                self.m.add_at_most_one(vs)
                self.m.add(c.containers * sum(vs) + u == c.containers)  # type: ignore[arg-type]

    def _objective(self) -> None:
        """``sum_t fixed_t run_t + sum_kt cost_kt x_kt + P sum_k teu_k u_k``, all >= 0, so
        CP-SAT's relative gap is the plan's relative gap."""
        s = self.scale
        pen = round(self.p.unassigned_penalty_per_teu * s)
        terms = []
        for t, r in self.run.items():
            terms.append(round(self.p.departures[t].fixed_cost * s) * r)
        for (k, t), v in self.x.items():
            c = self.classes[k]
            op = self.o.options[c.options[t]]
            mult = c.containers if not c.split else 1
            terms.append(round(op.cost_per_container * s) * mult * v)
        for k, u in self.u.items():
            terms.append(pen * self.classes[k].teu * u)
        self.constant = 0.0
        self.m.minimize(sum(terms))  # type: ignore[arg-type]

    def hint(self, sol: Solution) -> None:
        per: dict[tuple[int, int], int] = defaultdict(int)
        cls_of = {s: k for k, c in enumerate(self.classes) for s in c.shipments}
        for o, n in sol.counts.items():
            op = self.o.options[o]
            per[(cls_of[op.s], op.t)] += n
        for (k, t), v in self.x.items():
            val = per.get((k, t), 0)
            self.m.add_hint(v, 1 if (not self.classes[k].split and val) else val)
        for t, r in self.run.items():
            self.m.add_hint(r, t in sol.runs)
        done: dict[int, int] = defaultdict(int)
        for (k, _t), val in per.items():
            done[k] += val
        for k, u in self.u.items():
            self.m.add_hint(u, self.classes[k].containers - done[k])

    def solution(self, value: Callable[[cp_model.IntVar], int]) -> Solution:
        """Disaggregate class counts to shipments (any split costs the same)."""
        counts: dict[int, int] = {}
        runs = frozenset(t for t, r in self.run.items() if value(r))
        for k, c in enumerate(self.classes):
            on = sorted(
                ((t, value(self.x[(k, t)])) for t in c.options if (k, t) in self.x),
                key=lambda tv: (self.p.departures[tv[0]].depart_date, tv[0]),
            )
            on = [(t, n * (c.containers if not c.split else 1)) for t, n in on if n]
            ships = sorted(c.shipments, key=lambda s: self.p.shipments[s].shipment_id)
            left = {s: self.p.shipments[s].containers for s in ships}
            for t, n in on:
                for s in ships:
                    if n == 0:
                        break
                    take = min(n, left[s])
                    if take:
                        o = self._option_of(s, t)
                        counts[o] = counts.get(o, 0) + take
                        left[s] -= take
                        n -= take
        return Solution(counts, runs)

    def _option_of(self, s: int, t: int) -> int:
        for o in self.o.by_shipment[s]:
            if self.o.options[o].t == t:
                return o
        raise KeyError((s, t))


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, progress: Progress, scale: int, constant: float) -> None:
        super().__init__()
        self.progress, self.scale, self.constant = progress, scale, constant

    def on_solution_callback(self) -> None:
        self.progress(
            self.wall_time,
            self.objective_value / self.scale + self.constant,
            self.best_objective_bound / self.scale + self.constant,
        )


def solve(
    problem: Problem,
    opts: Options,
    *,
    hint: Solution | None = None,
    time_limit: float = 30.0,
    seed: int = 0,
    workers: int = 1,
    progress: Progress | None = None,
) -> SolveResult:
    """Solve with CP-SAT.

    With one worker (the default) the search is deterministic: it stops on CP-SAT's
    deterministic clock (``time_limit`` deterministic seconds, about one wall second each on
    this class of machine) with a wall-clock safety cap of three times that, so the same input,
    seed and time limit give the same plan. More workers run CP-SAT's parallel portfolio,
    which is faster on large batches but not reproducible. (Interleaved, reproducible parallel
    search was measured 10-25x slower on the OR-Library set.)"""
    t0 = time.perf_counter()
    model = _Model(problem, opts)
    if hint is not None:
        model.hint(hint)
    build = time.perf_counter() - t0
    if not model.run:
        return SolveResult(Solution({}, frozenset()), "optimal", model.constant, 0.0, build)
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = workers
    prm.random_seed = seed
    prm.max_deterministic_time = time_limit
    prm.max_time_in_seconds = 3 * time_limit
    prm.linearization_level = 2
    cb = _Callback(progress, model.scale, model.constant) if progress else None
    t1 = time.perf_counter()
    status = solver.solve(model.m, cb)
    seconds = time.perf_counter() - t1
    bound = solver.best_objective_bound / model.scale + model.constant
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        sol = model.solution(solver.value)
        name = "optimal" if status == cp_model.OPTIMAL else "feasible"
        return SolveResult(sol, name, bound, seconds, build)
    if status == cp_model.UNKNOWN:
        return SolveResult(None, "unknown", bound, seconds, build)
    return SolveResult(None, "error", -math.inf, seconds, build)
