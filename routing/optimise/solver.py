"""The optimiser's model and its OR-Tools back ends (the only module that imports OR-Tools).

Variables
    ``x[k,t]`` containers of shipment class ``k`` on departure ``t`` (integer; for a
    ``split=false`` shipment a boolean ``y[k,t]``, containers = ``n_k y[k,t]``),
    ``run[t]`` departure ``t`` runs (boolean), ``u[k]`` containers of ``k`` left unassigned.

Shipments with ``split=true`` and identical options (same departures, same cost per container,
same TEU, gross tonnes and reefer flag) are merged into one class; this is exact, since any
split of a class's containers among its shipments costs the same.

Objective (USD)
    ``sum_t fixed_t run_t + sum_{k,t} c_kt x_kt + P sum_k teu_k u_k``

Constraints: one method each in :class:`_Builder`, with its mathematics in the docstring.
The model is built once in a neutral sparse form and handed to a back end: a linear MIP
back end bundled with OR-Tools (HiGHS by default, or SCIP) or CP-SAT.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import heapq
import math
import os
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import highspy
import numpy as np

# imported once with the module: a solve must not pay for loading the solver libraries
from ortools.linear_solver import pywraplp
from ortools.math_opt import (
    callback_pb2,
    model_parameters_pb2,
    model_pb2,
    parameters_pb2,
    result_pb2,
    solution_pb2,
)
from ortools.math_opt.core.python import solver as _core_solver
from ortools.math_opt.python import mathopt
from ortools.sat.python import cp_model

from network import Departure
from routing.domain.model import Problem
from routing.domain.options import Options
from routing.domain.solution import Solution

Progress = Callable[[float, float, float], None]
BACKENDS = ("auto", "highs", "highs-lp", "scip", "cp-sat")
#: the ``auto`` back end first gives a part of at most this many columns to CP-SAT for at most
#: this many deterministic seconds (a quarter of its budget at most), then to HiGHS
AUTO_CP_SAT_SECONDS = 1.0
AUTO_CP_SAT_MAX_COLUMNS = 5_000
#: then at most this share of the time left goes to relax-fix-round plans (:func:`_lp_heuristic`)
LP_HEURISTIC_SHARE = 0.5
#: then at most this share of the time left to large-neighbourhood search (:func:`_lns`), all of
#: it when no HiGHS search follows; LNS_WINDOW trains re-planned at a time, each window at
#: first for at most LNS_SECONDS (twice that each time it runs out)
LNS_SHARE = 0.5
LNS_WINDOW = 6
LNS_SECONDS = 0.2
#: a container the rounding could not place tries this many of its cheapest trains, making
#: room there by moving others (:meth:`_Fill.eject_into`)
EJECTION_TRIES = 4
#: at most this long for HiGHS to close what rounding lost, with the trains fixed
POLISH_SECONDS = 3.0
#: and the search for plans before it leaves it this share of relax-fix-round's budget
POLISH_SHARE = 0.15
#: a polish MIP of more free columns than this is not tried (on a 52-train part one of
#: 15,000 took 1 s and never found a cheaper plan: the time goes to branching and windows)
POLISH_MAX_COLUMNS = 10_000
#: how far HiGHS runs over its time limit per column of its model (presolve is not cut short)
HIGHS_OVERRUN_PER_COLUMN = 1e-4
#: before rounding, the relaxation is solved again at most this often: with the no-split lot
#: it splits most surely put on that train (one at a time), then keeping what it placed whole
ROUNDING_PASSES = 20
#: within this share of the relax-fix-round budget per plan
ROUNDING_SHARE = 0.1
#: a dive fixes the likeliest fractional train on while one is at least this likely
DIVE_UP = 0.3
#: and runs on parts of at most this many columns (each of its steps solves the relaxation)
DIVE_MAX_COLUMNS = 60_000
#: interval cuts (:func:`_interval_cuts`): at most this many rounds, each adding the most
#: violated of them, within this share of the relax-fix-round budget, while a round lifts the
#: bound by at least CUT_MIN_LIFT (relative)
CUT_ROUNDS = 10
CUTS_PER_ROUND = 50
CUT_SHARE = 0.4
CUT_MIN_LIFT = 2e-4
#: when the first relaxation takes more than this share of relax-fix-round's budget, plans
#: come before the interval cuts (a 90-train part: 8 s of 24 s, and no plan at the end)
PLAN_FIRST_SHARE = 0.15
#: run flips (:func:`_flip_runs`): within this share of the relax-fix-round budget
FLIP_SHARE = 0.3
#: on parts of at most this many columns (the 52-60-train ones included): on the 90-train
#: part, 59,000 columns, a solve takes a second, and a set of trains the relaxation fills to
#: the brim rounded to a plan 6 % dearer
FLIP_MAX_COLUMNS = 30_000
#: pairs switched together (one off, one on) at most this many places apart by date
FLIP_PAIR_REACH = 2
#: branching on the trains for a bound (:func:`_branch_and_bound`): within this share of the
#: relax-fix-round budget, after the flips' plan
BRANCH_SHARE = 0.25
#: a relaxation whose HiGHS fails is rebuilt at most this often, then solved by HiGHS afresh
LP_RESTARTS = 3
INF = math.inf


@dataclass(frozen=True, slots=True)
class SolveResult:
    solution: Solution | None
    status: str  # optimal | feasible | unknown | error
    bound: float  # proven lower bound on the objective, USD
    seconds: float
    build_seconds: float
    #: the model it solved, to solve again without building it (see ``solve(model=...)``)
    model: Model | None = field(default=None, repr=False, compare=False)


@dataclass
class _Class:
    shipments: list[int]
    containers: int
    teu: int
    gross_t: float
    reefer: bool
    split: bool
    options: dict[int, int]  # t -> option index of the first shipment


@dataclass
class Matrix:
    """A MIP in sparse row form; every column is integer."""

    lb: list[float] = field(default_factory=list)
    ub: list[float] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    rows: list[tuple[float, float, list[int], list[float]]] = field(default_factory=list)
    constant: float = 0.0

    def col(self, lb: float, ub: float, cost: float) -> int:
        self.lb.append(lb)
        self.ub.append(ub)
        self.cost.append(cost)
        return len(self.lb) - 1

    trivial_bound: float = 0.0

    def row(self, lb: float, ub: float, idx: Sequence[int], coef: Sequence[float]) -> None:
        self.rows.append((lb, ub, list(idx), [float(a) for a in coef]))

    def cost_of(self, vals: Sequence[float] | None) -> float:
        """The objective of column values ``vals`` (without :attr:`constant`); inf for None."""
        return INF if vals is None else sum(c * v for c, v in zip(self.cost, vals, strict=True))

    def feasible(self, vals: Sequence[float], tol: float = 1e-6) -> bool:
        """Integral ``vals`` within the bounds that satisfy every row."""
        for v, lb, ub in zip(vals, self.lb, self.ub, strict=True):
            if v < lb - tol or v > ub + tol or abs(v - round(v)) > tol:
                return False
        for lb, ub, idx, coef in self.rows:
            a = sum(c * vals[j] for j, c in zip(idx, coef, strict=True))
            if a < lb - tol * max(1.0, abs(lb)) or a > ub + tol * max(1.0, abs(ub)):
                return False
        return True


def cap_kg(d: Departure) -> int | None:
    """A train's gross-mass limit in whole kg (the mass row's right-hand side), if any."""
    return math.floor(d.max_gross_t * 1000 + 1e-6) if d.max_gross_t is not None else None


def classes(problem: Problem, opts: Options) -> list[_Class]:
    groups: dict[tuple[object, ...], _Class] = {}
    out: list[_Class] = []
    for s, sh in enumerate(problem.shipments):
        mine = opts.by_shipment[s]
        if not mine:
            continue
        topt = {opts.options[o].t: o for o in mine}
        key: tuple[object, ...] = ()
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


class _Builder:
    """Builds the :class:`Matrix` of a problem, one constraint family per method."""

    def __init__(self, problem: Problem, opts: Options) -> None:
        self.p, self.o = problem, opts
        self.classes = classes(problem, opts)
        self.mx = Matrix()
        self.x: dict[tuple[int, int], int] = {}
        self.by_train: dict[int, list[int]] = defaultdict(list)  # t -> columns x[k,t]
        self.cls_of_col: dict[int, int] = {}
        self.x_train: dict[int, int] = {}  # column x[k,t] -> t
        self.quotas: list[tuple[int, list[int]]] = []  # (trains a day, run columns)
        self.run: dict[int, int] = {}
        self.u: dict[int, int] = {}
        self._variables()
        self._conservation()
        self._capacity()
        self._linking()
        self._min_load()
        self._border_quota()
        self.mx.trivial_bound = self._trivial_bound()
        # shipments with no eligible departure are unassigned whatever the model does
        self.mx.constant = problem.unassigned_penalty_per_teu * sum(
            sh.teu for s, sh in enumerate(problem.shipments) if not opts.by_shipment[s]
        )

    def _trivial_bound(self) -> float:
        """Each container at its cheapest: an option's cost or the unassigned penalty."""
        cheapest = {k: self.mx.cost[j] for k, j in self.u.items()}
        for (k, _t), j in self.x.items():
            c = self.classes[k]
            cheapest[k] = min(cheapest[k], self.mx.cost[j] / (1 if c.split else c.containers))
        return sum(self.classes[k].containers * v for k, v in cheapest.items())

    def limit(self, c: _Class, t: int) -> int:
        """Containers of class ``c`` one train ``t`` can take on its own."""
        d = self.p.departures[t]
        n = min(c.containers, d.capacity_teu // c.teu)
        if d.max_gross_t is not None:
            n = min(n, int(d.max_gross_t // c.gross_t + 1e-9))
        if c.reefer:
            n = min(n, d.reefer_plugs)
        return n

    def mult(self, col: int) -> int:
        """Containers per unit of column ``col`` (n_k for a no-split boolean, else 1)."""
        c = self.classes[self.cls_of_col[col]]
        return 1 if c.split else c.containers

    def _variables(self) -> None:
        p, mx = self.p, self.mx
        for k, c in enumerate(self.classes):
            for t in sorted(c.options):
                ub = self.limit(c, t)
                if ub <= 0:
                    continue
                if t not in self.run:
                    self.run[t] = mx.col(0, 1, p.departures[t].fixed_cost)
                per = self.o.options[c.options[t]].cost_per_container
                j = mx.col(0, ub if c.split else 1, per * (1 if c.split else c.containers))
                self.x[(k, t)] = j
                self.cls_of_col[j] = k
                self.x_train[j] = t
                self.by_train[t].append(j)
            self.u[k] = mx.col(0, c.containers, p.unassigned_penalty_per_teu * c.teu)

    def _conservation(self) -> None:
        """Every container is on a departure or unassigned: ``sum_t x_kt + u_k = n_k``; a
        ``split=false`` shipment takes one departure whole: ``sum_t y_kt <= 1``."""
        per_class: dict[int, list[int]] = defaultdict(list)
        for (k, _t), j in self.x.items():
            per_class[k].append(j)
        for k, c in enumerate(self.classes):
            js = per_class.get(k, [])
            m = 1 if c.split else c.containers
            self.mx.row(c.containers, c.containers, [*js, self.u[k]], [m] * len(js) + [1])
            if not c.split and len(js) > 1:
                self.mx.row(-INF, 1, js, [1] * len(js))

    def _capacity(self) -> None:
        """TEU, gross mass (kg, integral) and reefer plugs, only on a running train:
        ``sum_k teu_k x_kt <= cap_t run_t``, ``sum_k kg_k x_kt <= G_t run_t``,
        ``sum_{k reefer} x_kt <= plugs_t run_t``."""
        for t, r in self.run.items():
            d = self.p.departures[t]
            js = self.by_train[t]
            teu = [self.unit_teu(j) for j in js]
            if sum(teu[i] * self.mx.ub[j] for i, j in enumerate(js)) > d.capacity_teu:
                self.mx.row(-INF, 0, [*js, r], [*teu, -d.capacity_teu])
            ckg = cap_kg(d)
            if ckg is not None:
                kg = [self.kg(j) for j in js]
                if sum(kg[i] * self.mx.ub[j] for i, j in enumerate(js)) > ckg:
                    self.mx.row(-INF, 0, [*js, r], [*kg, -ckg])
            reef = [(j, self.mult(j)) for j in js if self.classes[self.cls_of_col[j]].reefer]
            if reef and sum(m * self.mx.ub[j] for j, m in reef) > d.reefer_plugs:
                self.mx.row(
                    -INF, 0, [j for j, _ in reef] + [r], [m for _, m in reef] + [-d.reefer_plugs]
                )

    def _linking(self) -> None:
        """``x_kt <= min(n_k, cap_t) run_t``: the strong form of the fixed charge, which
        tightens the linear relaxation far beyond the aggregated capacity row."""
        for t, r in self.run.items():
            for j in self.by_train[t]:
                self.mx.row(-INF, 0, [j, r], [1, -self.mx.ub[j]])

    def _min_load(self) -> None:
        """``sum_k teu_k x_kt >= min_load_t run_t``: a train runs only with its minimum load."""
        for t, r in self.run.items():
            d = self.p.departures[t]
            if d.min_load_teu > 0:
                js = self.by_train[t]
                teu = [self.classes[self.cls_of_col[j]].teu * self.mult(j) for j in js]
                self.mx.row(0, INF, [*js, r], [*teu, -d.min_load_teu])

    def _border_quota(self) -> None:
        """For each border port and day: ``sum_{t crossing that day} run_t <= quota``."""
        groups: dict[tuple[str, object], list[int]] = defaultdict(list)
        for t, r in self.run.items():
            d = self.p.departures[t]
            if d.border_port:
                groups[(d.border_port, d.border_date)].append(r)
        for (port, day), runs in groups.items():
            q = self.p.quota_for(port, day)  # type: ignore[arg-type]
            if q is not None and len(runs) > q:
                self.mx.row(-INF, q, runs, [1] * len(runs))
                self.quotas.append((q, runs))

    def kg(self, j: int) -> int:
        """Gross mass in kg of one unit of column ``j`` (the mass row's coefficient)."""
        return round(self.classes[self.cls_of_col[j]].gross_t * 1000) * self.mult(j)

    def unit_teu(self, j: int) -> int:
        """TEU of one unit of column ``j`` (the TEU row's coefficient)."""
        return self.classes[self.cls_of_col[j]].teu * self.mult(j)

    @functools.cached_property
    def sub_mip(self) -> _SubMip:
        """The matrix as arrays for MIPs over some of its columns (polish, neighbourhoods)."""
        return _SubMip(self.mx)

    @functools.cached_property
    def trains_by_date(self) -> list[int]:
        """The model's trains, by departure date."""
        deps = self.p.departures
        return sorted(self.run, key=lambda t: (deps[t].depart_date, t))

    @functools.cached_property
    def cut_arrays(
        self,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
        """For :func:`_interval_cuts`: the columns x[k,t], their class, their train's place in
        :attr:`trains_by_date`, and per dimension (TEU, and kg if every train has a mass
        limit) the coefficient per column, per container of each class and the capacities."""
        deps, trains = self.p.departures, self.trains_by_date
        pos = {t: i for i, t in enumerate(trains)}
        xs = list(self.x.values())
        col = np.array(xs, dtype=np.int64)
        cls = np.array([self.cls_of_col[j] for j in xs], dtype=np.int64)
        at = np.array([pos[self.x_train[j]] for j in xs], dtype=np.int64)
        dims = [
            (
                np.array([self.unit_teu(j) for j in xs], dtype=float),
                np.array([c.teu for c in self.classes], dtype=float),
                np.array([deps[t].capacity_teu for t in trains], dtype=float),
            )
        ]
        kgs = [cap_kg(deps[t]) for t in trains]
        if all(k is not None for k in kgs):
            dims.append(
                (
                    np.array([self.kg(j) for j in xs], dtype=float),
                    np.array([round(c.gross_t * 1000) for c in self.classes], dtype=float),
                    np.array([k or 0 for k in kgs], dtype=float),
                )
            )
        return col, cls, at, dims

    # -- a plan from the linear relaxation ------------------------------------------------------
    @functools.cached_property
    def by_class(self) -> dict[int, list[tuple[float, int, int]]]:
        """Per class, its (cost per container, train, column), cheapest first."""
        out: dict[int, list[tuple[float, int, int]]] = defaultdict(list)
        for (k, t), j in self.x.items():
            out[k].append((self.mx.cost[j] / self.mult(j), t, j))
        for k in out:
            out[k].sort()
        return out

    def round_and_repair(self, lp: Sequence[float], runs: set[int]) -> list[float]:
        """A feasible plan near a fractional one that runs the trains ``runs``: containers
        rounded down; a train left below its minimum load takes leftover containers that
        can ride it, then containers moved from trains that keep their minimum, else it is
        cancelled and the pass redone; the rest placed cheapest-first where TEU, mass and
        plugs allow, else unassigned. Keeps a border quota that ``runs`` keeps."""
        runs = set(runs)
        while True:
            f = _Fill(self)
            f.fill(lp, runs)
            below = {t for t in runs if f.teu[t] < self.p.departures[t].min_load_teu}
            if not below:
                break
            runs -= below
        runs = {t for t in runs if f.teu[t] > 0}  # an empty train does not run
        vals = f.vals
        for t, j in self.run.items():
            vals[j] = 1.0 if t in runs else 0.0
        for k, j in self.u.items():
            vals[j] = float(f.left[k])
        return vals

    # -- between the model and plans ------------------------------------------------------------
    def hint_values(self, sol: Solution) -> list[float]:
        vals = [0.0] * len(self.mx.lb)
        cls_of = {s: k for k, c in enumerate(self.classes) for s in c.shipments}
        done: dict[int, int] = defaultdict(int)
        for o, n in sol.counts.items():
            op = self.o.options[o]
            k = cls_of[op.s]
            j = self.x.get((k, op.t))
            if j is None:
                continue
            vals[j] += 1 if not self.classes[k].split else n
            done[k] += n
        for k, j in self.u.items():
            vals[j] = self.classes[k].containers - done[k]
        for t, j in self.run.items():
            vals[j] = 1.0 if t in sol.runs else 0.0
        return vals

    def solution(self, vals: list[float]) -> Solution:
        """Disaggregate class counts to shipments (any split costs the same)."""
        counts: dict[int, int] = {}
        runs = frozenset(t for t, j in self.run.items() if round(vals[j]) >= 1)
        for k, c in enumerate(self.classes):
            on = [(t, round(vals[self.x[(k, t)]])) for t in c.options if (k, t) in self.x]
            on = [(t, n * (1 if c.split else c.containers)) for t, n in on if n > 0]
            on.sort(key=lambda tv: (self.p.departures[tv[0]].depart_date, tv[0]))
            ships = sorted(c.shipments, key=lambda s: self.p.shipments[s].shipment_id)
            left = {s: self.p.shipments[s].containers for s in ships}
            for t, n in on:
                for s in ships:
                    if n == 0:
                        break
                    take = min(n, left[s])
                    if take:
                        o = next(o for o in self.o.by_shipment[s] if self.o.options[o].t == t)
                        counts[o] = counts.get(o, 0) + take
                        left[s] -= take
                        n -= take
        return Solution(counts, runs)


class _Fill:
    """One rounding pass of :meth:`_Builder.round_and_repair`: loads per train as columns
    are filled."""

    def __init__(self, b: _Builder) -> None:
        self.b, self.mx = b, b.mx
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
            for t, j in tries[: EJECTION_TRIES + len(wanted.get(k, []))]:
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


#: the model of a problem, built once (:class:`_Builder`)
Model = _Builder


# -- back ends ---------------------------------------------------------------------------------
_silence_lock = threading.Lock()
_silence_depth = 0
_silence_saved: int | None = None


@contextlib.contextmanager
def _native_stdout_silenced() -> Iterator[None]:
    """HiGHS prints its banner on the process's standard output from C++; the library
    must not print, so file descriptor 1 points at /dev/null while any solve runs (reentrant
    and thread-safe: parts are solved on several threads)."""
    global _silence_depth, _silence_saved
    with _silence_lock:
        if _silence_depth == 0:
            sys.stdout.flush()
            try:
                saved = os.dup(1)
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.close(devnull)
                _silence_saved = saved
            except OSError:  # pragma: no cover - no stdout at all
                _silence_saved = None
        _silence_depth += 1
    try:
        yield
    finally:
        with _silence_lock:
            _silence_depth -= 1
            if _silence_depth == 0 and _silence_saved is not None:
                os.dup2(_silence_saved, 1)
                os.close(_silence_saved)
                _silence_saved = None


def _solve_linear(
    mx: Matrix, hint: list[float] | None, backend: str, time_limit: float, seed: int, workers: int
) -> tuple[str, list[float] | None, float]:

    solver = pywraplp.Solver.CreateSolver(backend.upper())
    if solver is None:  # pragma: no cover - every OR-Tools wheel bundles HiGHS and SCIP
        raise RuntimeError(f"OR-Tools back end {backend} is not available")
    cols = [solver.IntVar(lb, ub, "") for lb, ub in zip(mx.lb, mx.ub, strict=True)]
    inf = solver.infinity()
    for lb, ub, idx, coef in mx.rows:
        ct = solver.Constraint(-inf if lb == -INF else lb, inf if ub == INF else ub)
        for j, a in zip(idx, coef, strict=True):
            ct.SetCoefficient(cols[j], a)
    obj = solver.Objective()
    for j, c in enumerate(mx.cost):
        if c:
            obj.SetCoefficient(cols[j], c)
    obj.SetMinimization()
    if hint is not None and backend != "highs":  # OR-Tools 9.15's HiGHS wrapper crashes on hints
        solver.SetHint(cols, hint)
    solver.SetTimeLimit(max(1, int(time_limit * 1000)))
    solver.SetNumThreads(workers)
    params = pywraplp.MPSolverParameters()
    params.SetDoubleParam(params.RELATIVE_MIP_GAP, 1e-7)
    if backend == "highs":
        solver.SetSolverSpecificParametersAsString(f"random_seed={seed}\nmip_rel_gap=1e-7\n")
    status = solver.Solve(params)
    if status in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        vals = [v.solution_value() for v in cols]
        bound = obj.BestBound() if status == pywraplp.Solver.FEASIBLE else obj.Value()
        return ("optimal" if status == pywraplp.Solver.OPTIMAL else "feasible"), vals, bound
    if status == pywraplp.Solver.NOT_SOLVED:
        return "unknown", None, -INF
    return "error", None, -INF


def _mathopt_model(mx: Matrix, *, integer: bool) -> model_pb2.ModelProto:
    """The matrix as a MathOpt model proto (integer columns, or their linear relaxation),
    built from whole arrays: thirteen times faster than a model built variable by variable
    (3.1 s against 0.23 s on a 27,000-column part), which matters since it holds the GIL."""

    pr = model_pb2.ModelProto()
    n = len(mx.lb)
    pr.variables.ids.extend(range(n))
    pr.variables.lower_bounds.extend(mx.lb)
    pr.variables.upper_bounds.extend(mx.ub)
    pr.variables.integers.extend([integer] * n)
    nz = [j for j, c in enumerate(mx.cost) if c]
    pr.objective.linear_coefficients.ids.extend(nz)
    pr.objective.linear_coefficients.values.extend(mx.cost[j] for j in nz)
    pr.linear_constraints.ids.extend(range(len(mx.rows)))
    pr.linear_constraints.lower_bounds.extend(r[0] for r in mx.rows)
    pr.linear_constraints.upper_bounds.extend(r[1] for r in mx.rows)
    rows, cols, vals = [], [], []
    for i, (_lb, _ub, idx, coef) in enumerate(mx.rows):
        for j, a in sorted(zip(idx, coef, strict=True)):
            rows.append(i)
            cols.append(j)
            vals.append(a)
    pr.linear_constraint_matrix.row_ids.extend(rows)
    pr.linear_constraint_matrix.column_ids.extend(cols)
    pr.linear_constraint_matrix.coefficients.extend(vals)
    return pr


@dataclass(frozen=True, slots=True)
class _Answer:
    reason: str  # optimal | feasible | infeasible | no_solution | error
    values: list[float] | None  # a feasible point, if any
    objective: float
    bound: float


def _run_highs(
    pr: model_pb2.ModelProto,
    time_limit: float,
    *,
    hint: Sequence[float] | None = None,
    seed: int = 0,
    gap: float = 1e-7,
) -> _Answer:
    """HiGHS through OR-Tools MathOpt's solver core, proto in and proto out: no Python model
    and no Python parsing of the basis (which cost 0.4-0.6 s per solve on the largest parts)."""
    params = mathopt.SolveParameters(
        time_limit=dt.timedelta(seconds=max(0.01, time_limit)),
        enable_output=False,
        random_seed=seed,
        relative_gap_tolerance=gap,
    ).to_proto()
    mp = model_parameters_pb2.ModelSolveParametersProto()
    mp.dual_values_filter.filter_by_ids = True  # no duals or reduced costs back
    mp.reduced_costs_filter.filter_by_ids = True
    if hint is not None:
        h = mp.solution_hints.add()
        nz = [j for j, v in enumerate(hint) if v]
        h.variable_values.ids.extend(nz)
        h.variable_values.values.extend(float(hint[j]) for j in nz)
    res = _core_solver.solve(
        pr,
        mathopt.SolverType.HIGHS.value,
        parameters_pb2.SolverInitializerProto(),
        params,
        mp,
        None,
        callback_pb2.CallbackRegistrationProto(),
        None,
        None,
    )
    return _answer(res, len(pr.variables.ids))


def _answer(res: Any, n: int) -> _Answer:
    """A MathOpt result proto of ``n`` columns as an :class:`_Answer`."""
    reason = {
        result_pb2.TERMINATION_REASON_OPTIMAL: "optimal",
        result_pb2.TERMINATION_REASON_FEASIBLE: "feasible",
        result_pb2.TERMINATION_REASON_INFEASIBLE: "infeasible",
        result_pb2.TERMINATION_REASON_NO_SOLUTION_FOUND: "no_solution",
    }.get(res.termination.reason, "error")
    values = None
    for sol in res.solutions:
        ps = sol.primal_solution
        if sol.HasField("primal_solution") and ps.feasibility_status == (
            solution_pb2.SOLUTION_STATUS_FEASIBLE
        ):
            values = [0.0] * n
            for j, v in zip(ps.variable_values.ids, ps.variable_values.values, strict=True):
                values[j] = v
            break
    bounds = res.termination.objective_bounds
    obj = bounds.primal_bound if values is not None else INF
    return _Answer(reason, values, obj, bounds.dual_bound)


def _solve_mathopt(
    mx: Matrix, hint: list[float] | None, time_limit: float, seed: int, workers: int
) -> tuple[str, list[float] | None, float]:
    """HiGHS through OR-Tools MathOpt (which, unlike the older wrapper, takes a MIP start)."""

    ans = _run_highs(_mathopt_model(mx, integer=True), time_limit, hint=hint, seed=seed)
    if ans.values is not None:
        optimal = ans.reason == "optimal"
        return (
            ("optimal" if optimal else "feasible"),
            ans.values,
            (ans.objective if optimal else ans.bound),
        )
    return ("unknown" if ans.reason == "no_solution" else "error"), None, ans.bound


#: a row of a linear model: (lower bound, upper bound, columns, coefficients)
_Row = tuple[float, float, list[int], list[float]]


def _append_rows(con: Any, mat: Any, rows: Sequence[_Row], first: int) -> None:
    """Append ``rows`` with ids from ``first`` to a MathOpt constraints proto ``con`` and its
    sparse matrix ``mat`` (entries row-major, columns ascending, as MathOpt requires)."""
    for i, (lb, ub, idx, coef) in enumerate(rows, first):
        con.ids.append(i)
        con.lower_bounds.append(lb)
        con.upper_bounds.append(ub)
        for j, c in sorted(zip(idx, coef, strict=True)):
            mat.row_ids.append(i)
            mat.column_ids.append(j)
            mat.coefficients.append(c)


class _Relaxation:
    """The linear relaxation of a model kept in one HiGHS instance (``highspy``) between
    solves: after bounds change or rows are added, it re-solves by dual simplex from its last
    basis. On a 26,000-column part that takes 0.05 s with the trains fixed and 0.06 s with
    them freed again, where GLOP through MathOpt took 0.35 s and 0.78 s (BENCHMARKS.md)."""

    def __init__(self, pr: model_pb2.ModelProto) -> None:
        self.n, self.rows = len(pr.variables.ids), len(pr.linear_constraints.ids)
        self.lb = list(pr.variables.lower_bounds)
        self.ub = list(pr.variables.upper_bounds)
        self.pr = model_pb2.ModelProto()
        self.pr.CopyFrom(pr)
        self.restarts = 0
        self.added: list[_Row] = []
        self.pending: dict[int, tuple[float, float]] = {}  # bounds not yet given to HiGHS
        self.solver: Any = _highs_lp(pr)

    def fix(self, j: int, lb: float, ub: float | None = None) -> None:
        """Bound column ``j`` to ``[lb, ub]`` (``ub`` = ``lb`` if not given)."""
        ub = lb if ub is None else ub
        if lb != self.lb[j] or ub != self.ub[j]:
            self.lb[j], self.ub[j] = lb, ub
            self.pending[j] = (lb, ub)

    def drop_added(self) -> None:
        """Remove the rows :meth:`add_rows` added."""
        self._remove_added(range(len(self.added)))

    def _remove_added(self, which: Sequence[int]) -> None:
        """Remove the added rows at positions ``which`` (ascending) of :attr:`added`."""
        if not which:
            return
        first = self.rows - len(self.added)
        if self.solver is not None:
            gone = np.array([first + i for i in which], dtype=np.int32)
            self.solver.deleteRows(len(gone), gone)
        out = set(which)
        self.added = [r for i, r in enumerate(self.added) if i not in out]
        self.rows -= len(which)

    def drop_slack(self, vals: Sequence[float], tol: float = 1e-6) -> None:
        """Remove the rows :meth:`add_rows` added that ``vals`` (the last optimum) keeps with
        room to spare: the optimum stays one, and later solves are shorter."""
        slack = []
        for i, (lb, ub, idx, coef) in enumerate(self.added):
            act = sum(c * vals[j] for j, c in zip(idx, coef, strict=True))
            scale = tol * max(1.0, abs(act))
            if (lb == -INF or act > lb + scale) and (ub == INF or act < ub - scale):
                slack.append(i)
        self._remove_added(slack)

    def add_rows(self, rows: Sequence[_Row]) -> None:
        self.added.extend(rows)
        self.rows += len(rows)
        if self.solver is not None and rows:
            starts: list[int] = []
            idx: list[int] = []
            coef: list[float] = []
            for _lb, _ub, cols, vals in rows:
                starts.append(len(idx))
                idx.extend(cols)
                coef.extend(vals)
            self.solver.addRows(
                len(rows),
                np.array([r[0] for r in rows], dtype=float),
                np.array([r[1] for r in rows], dtype=float),
                len(idx),
                np.array(starts, dtype=np.int32),
                np.array(idx, dtype=np.int32),
                np.array(coef, dtype=float),
            )

    def basis(self) -> Any:
        """The last solve's basis (None if there is none to give)."""
        return self.solver.getBasis() if self.solver is not None else None

    def start_from(self, basis: Any) -> None:
        """Solve next from ``basis`` (of this relaxation with the same bounds and rows)."""
        if self.solver is not None and basis is not None and basis.valid:
            self._apply_bounds()
            self.solver.setBasis(basis)

    def solve(self, time_limit: float) -> list[float] | None:
        """The optimum's column values, or None (infeasible, or out of time)."""
        if time_limit <= 0:
            return None
        if self.solver is not None:
            try:
                return self._solve(time_limit)
            except Exception:  # HiGHS gave up (a solve error, rarely): a new instance from the
                # model as it now is, up to LP_RESTARTS times, then HiGHS afresh for every solve
                self.solver = None
                self.restarts += 1
                if self.restarts <= LP_RESTARTS:
                    try:
                        self.solver = _highs_lp(self._current())
                        self.pending.clear()
                        return self._solve(time_limit)
                    except Exception:
                        self.solver = None
        ans = _run_highs(self._current(), time_limit)
        return ans.values if ans.reason == "optimal" else None

    def _current(self) -> model_pb2.ModelProto:
        """The relaxation as it now is (bounds and added rows), as a new proto."""
        pr = model_pb2.ModelProto()
        pr.CopyFrom(self.pr)
        del pr.variables.lower_bounds[:], pr.variables.upper_bounds[:]
        pr.variables.lower_bounds.extend(self.lb)
        pr.variables.upper_bounds.extend(self.ub)
        del pr.variables.integers[:]
        pr.variables.integers.extend([False] * self.n)
        con = pr.linear_constraints
        _append_rows(con, pr.linear_constraint_matrix, self.added, len(con.ids))
        return pr

    def _apply_bounds(self) -> None:
        if self.pending:
            idx = sorted(self.pending)
            self.solver.changeColsBounds(
                len(idx),
                np.array(idx, dtype=np.int32),
                np.array([self.pending[j][0] for j in idx], dtype=float),
                np.array([self.pending[j][1] for j in idx], dtype=float),
            )
            self.pending.clear()

    def _solve(self, time_limit: float) -> list[float] | None:
        h = self.solver
        self._apply_bounds()
        # HiGHS's time limit counts the instance's run time over all its solves
        h.setOptionValue("time_limit", h.getRunTime() + max(0.01, time_limit))
        if h.run() == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS failed on the relaxation")
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return list(h.getSolution().col_value)
        if status in _LP_NO_ANSWER:
            return None
        raise RuntimeError(f"HiGHS ended the relaxation with {h.modelStatusToString(status)}")


#: how a relaxation ends without an optimum, but without failing: infeasible, out of time
_LP_NO_ANSWER = (
    highspy.HighsModelStatus.kInfeasible,
    highspy.HighsModelStatus.kUnboundedOrInfeasible,
    highspy.HighsModelStatus.kTimeLimit,
    highspy.HighsModelStatus.kIterationLimit,
    highspy.HighsModelStatus.kInterrupt,
)


def _highs_lp(pr: model_pb2.ModelProto) -> Any:
    """A HiGHS instance holding the linear model ``pr`` (its integrality ignored)."""
    n, m = len(pr.variables.ids), len(pr.linear_constraints.ids)
    mat = pr.linear_constraint_matrix
    r = np.array(mat.row_ids, dtype=np.int64)
    c = np.array(mat.column_ids, dtype=np.int64)
    a = np.array(mat.coefficients, dtype=float)
    order = np.lexsort((r, c))  # column-major
    cost = np.zeros(n)
    cost[np.array(pr.objective.linear_coefficients.ids, dtype=np.int64)] = np.array(
        pr.objective.linear_coefficients.values, dtype=float
    )
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    lp.col_cost_ = cost
    lp.col_lower_ = np.array(pr.variables.lower_bounds, dtype=float)
    lp.col_upper_ = np.array(pr.variables.upper_bounds, dtype=float)
    lp.row_lower_ = np.array(pr.linear_constraints.lower_bounds, dtype=float)
    lp.row_upper_ = np.array(pr.linear_constraints.upper_bounds, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(np.bincount(c, minlength=n))]).astype(
        np.int32
    )
    lp.a_matrix_.index_ = r[order].astype(np.int32)
    lp.a_matrix_.value_ = a[order]
    with _native_stdout_silenced():  # HiGHS's banner, on the first instance
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", "simplex")
    h.passModel(lp)
    return h


def _fix_trains(b: _Builder, rx: _Relaxation, trains: frozenset[int] | None) -> None:
    """Fix every train of ``rx`` on (those in ``trains``) or off, or free them all (None)."""
    for t, j in b.run.items():
        if trains is None:
            rx.fix(j, 0.0, 1.0)
        else:
            rx.fix(j, float(t in trains))


def _lp_heuristic(
    b: _Builder,
    time_limit: float,
    thresholds: Sequence[float] = (0.5, 0.25),
    *,
    dive: bool = True,
) -> tuple[list[float] | None, float]:
    """Relax, fix, round. First the bound: the linear relaxation strengthened by interval cuts
    (:func:`_strengthen`, at most CUT_SHARE of the time), which are then removed again. Then,
    on parts up to FLIP_MAX_COLUMNS, the trains the strengthened relaxation runs, improved by
    switching doubtful ones (:func:`_flip_runs`, at most FLIP_SHARE of the time), fixed on
    and the rest off; that relaxation is solved again (ROUNDING_PASSES: split no-split lots
    put on their likeliest train, then what it places whole kept), rounded to a plan
    (:meth:`_Builder.round_and_repair`) and polished: a MIP with the plan's trains fixed, and
    the classes rounding did not touch kept in place, closes what rounding lost (at most
    POLISH_SECONDS). Then branching on the trains, with the cuts back, raises the bound
    (:func:`_branch_and_bound`, at most BRANCH_SHARE of the time), and its cheapest leaf is
    rounded and polished too. Where the flips do not run or find nothing: plans from the
    trains the relaxation runs at or above each threshold and (parts up to DIVE_MAX_COLUMNS)
    from those a dive settles on, the best one polished. If the first relaxation took over
    PLAN_FIRST_SHARE of the time, the thresholds' plans come before the cuts. The search for
    plans and bounds ends POLISH_SHARE of the time before the end.
    Returns the cheapest plan (or None) and the bound (-inf if the relaxation did not finish).
    On the rail parts this finds in seconds plans that HiGHS's own heuristics, warm-started
    from the greedy plan, reach only after ten or more (BENCHMARKS.md)."""

    t_start = time.perf_counter()
    t_end = t_start + time_limit
    stop = t_end - POLISH_SHARE * time_limit  # the search's end, leaving the polish its time
    pr = _mathopt_model(b.mx, integer=False)
    rx = _Relaxation(pr)
    if "sub_mip" not in vars(b):  # the polish's and LNS's arrays, from this proto
        b.sub_mip = _SubMip(b.mx, pr)

    def relax() -> list[float] | None:
        return rx.solve(stop - time.perf_counter())

    lp = relax()
    if lp is None:
        return None, -INF
    bound = b.mx.cost_of(lp)
    bound -= 1e-6 * abs(bound)
    best: list[float] | None = None
    best_cost = best_fixed = INF
    best_lp: list[float] = lp
    tried: set[frozenset[int]] = set()

    def consider(fixed: list[float], runs: frozenset[int]) -> None:
        """Round the relaxation with ``runs`` fixed; keep the plan if it is the best yet."""
        nonlocal best, best_cost, best_fixed, best_lp
        relaxed = b.mx.cost_of(fixed)
        # iterated rounding: lots it splits go on their likeliest train, then containers it
        # places whole stay (lower bounds) and it places the rest again, while it splits any
        _fix_trains(b, rx, runs)
        raised: list[int] = []
        until = time.perf_counter() + ROUNDING_SHARE * time_limit
        for _ in range(ROUNDING_PASSES):
            if time.perf_counter() >= until:
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
                nxt = relax()
                if nxt is None and len(lots) > 1:
                    for lot in lots:
                        rx.fix(lot, 0.0, b.mx.ub[lot])
                    lots = [-top[1]]
                    rx.fix(lots[0], 1.0, 1.0)
                    nxt = relax()
                if nxt is None:
                    rx.fix(lots[0], 0.0, 0.0)
                    nxt = relax()
            else:  # what it places whole stays, the rest is placed again
                more = False
                for j in b.cls_of_col:
                    whole = math.floor(fixed[j] + 1e-6)
                    if whole > rx.lb[j]:
                        rx.fix(j, float(whole), rx.ub[j])
                        raised.append(j)
                        more = True
                nxt = relax() if more else None
            if nxt is None:
                break
            fixed = nxt
        vals = b.round_and_repair(fixed, set(runs))
        for j in raised:
            rx.fix(j, 0.0, b.mx.ub[j])
        cost = b.mx.cost_of(vals)
        if cost < best_cost and b.mx.feasible(vals):
            best, best_cost, best_lp = vals, cost, fixed
            best_fixed = relaxed

    def likely(values: Sequence[float], th: float) -> frozenset[int]:
        """The trains ``values`` runs at ``th`` or more, within the border quotas."""
        on = {j for j in b.run.values() if values[j] >= th - 1e-9}
        for q, group in b.quotas:  # keep the quota: the trains the relaxation runs most
            for j in sorted((j for j in group if j in on), key=lambda j: (-values[j], j))[q:]:
                on.discard(j)
        return frozenset(t for t, j in b.run.items() if j in on)

    def by_thresholds() -> None:
        """Plans from the trains the plain relaxation runs at each threshold."""
        for th in thresholds:
            runs = likely(lp, th)
            if runs in tried:  # the same trains as a higher threshold: add the next likeliest one
                rest = sorted(
                    ((lp[j], -t) for t, j in b.run.items() if t not in runs and lp[j] > 1e-6),
                    reverse=True,
                )
                if not rest or b.quotas:
                    continue
                runs = runs | {-rest[0][1]}
                if runs in tried:
                    continue
            tried.add(runs)
            _fix_trains(b, rx, runs)
            fixed = relax()
            if fixed is None:  # a fixed train cannot reach its minimum load, or out of time
                if time.perf_counter() >= stop:
                    break
                continue
            consider(fixed, runs)
        _fix_trains(b, rx, None)

    cuts: list[_Row] = []  # the strengthened relaxation's cuts and basis, for the branching
    cut_basis: Any = None

    def strengthen() -> list[float]:
        """The bound: the relaxation strengthened by interval cuts, which then leave it again
        (the plans round the plain relaxation: from the strengthened one they cost more)."""
        nonlocal bound, cuts, cut_basis
        cut_lp = _strengthen(b, rx, lp, min(stop, time.perf_counter() + CUT_SHARE * time_limit))
        bound = max(bound, b.mx.cost_of(cut_lp) * (1 - 1e-6))
        cuts, cut_basis = list(rx.added), rx.basis()
        rx.drop_added()
        return cut_lp

    polished: list[float] | None = None

    def polish() -> None:
        """What rounding lost against its relaxation: the best plan's trains, solved as a MIP
        where only the classes rounding moved and those riding the trains it touched are free
        and the rest keep their place (on a 50-train part, 7.20 M in 1.3 s where the MIP of
        all classes was still at 7.63 M after 3 s); built of the free columns alone, as the
        neighbourhood search's MIPs are (the whole part's, with the rest fixed by bounds, took
        HiGHS 4 s over a 1.5 s limit on a 26,000-column part)."""
        nonlocal best, best_cost, polished
        assert best is not None
        polished = best
        left = t_end - time.perf_counter()
        if best_cost - best_fixed <= 1e-4 * abs(best_cost) or left <= 0.05:
            return
        moved = [j for j in b.cls_of_col if abs(best[j] - best_lp[j]) > 1e-6]
        hot = {b.x_train[j] for j in moved}
        loose = {b.cls_of_col[j] for j in moved}
        loose |= {b.cls_of_col[j] for t in hot for j in b.by_train[t] if best[j] > 0}
        free = [j for j, k in b.cls_of_col.items() if k in loose] + [b.u[k] for k in loose]
        if len(free) > POLISH_MAX_COLUMNS:
            return
        # HiGHS runs over its limit by about 1e-4 s a column (its presolve): 1.7 s on 19,000
        limit = min(left, POLISH_SECONDS) - HIGHS_OVERRUN_PER_COLUMN * len(free)
        ans = b.sub_mip.solve(free, best, limit) if limit > 0.05 else None
        if ans is not None and ans.values is not None:
            vals = [float(round(v)) for v in ans.values]
            cost = b.mx.cost_of(vals)
            if cost < best_cost - 1e-6 and b.sub_mip.feasible(vals):
                best, best_cost, polished = vals, cost, vals

    if time.perf_counter() - t_start > PLAN_FIRST_SHARE * time_limit:
        # a slow relaxation: plans first, so that the part has one before its time runs out
        by_thresholds()
        strengthen()
    else:
        cut_lp = strengthen()
        if FLIP_SHARE > 0 and len(b.mx.lb) <= FLIP_MAX_COLUMNS:
            # the trains the strengthened relaxation runs, improved a train at a time
            flip_end = min(stop, time.perf_counter() + FLIP_SHARE * time_limit)
            found = _flip_runs(b, rx, likely(cut_lp, 0.5), cut_lp, flip_end)
            if found is not None:
                tried.add(found[0])
                consider(found[1], found[0])
        if best is not None:  # the flips' plan, polished; then branching raises the bound
            # (the thresholds' and the dive's plans were never cheaper on shanxi-year's parts)
            polish()
            if best_cost > bound + 1e-6:
                rx.add_rows(cuts)
                _fix_trains(b, rx, None)
                rx.start_from(cut_basis)  # the strengthened relaxation's optimum, at once
                low, leaf = _branch_and_bound(
                    b, rx, best_cost, min(stop, time.perf_counter() + BRANCH_SHARE * time_limit)
                )
                bound = max(bound, low * (1 - 1e-6))
                rx.drop_added()
                if leaf is not None and leaf[0] not in tried:  # trains the branching ran whole
                    tried.add(leaf[0])
                    consider(leaf[1], leaf[0])
                    if best is not polished:
                        polish()
            return best, bound
        by_thresholds()
    if dive and len(b.mx.lb) <= DIVE_MAX_COLUMNS and time.perf_counter() < stop:
        # dive: fix the likeliest fractional train on (or, when none is at DIVE_UP or more,
        # the least likely off), solve again, until no train is fractional
        nxt: list[float] | None = lp
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
                if runs not in tried:  # else rounded before: the time goes to the polish
                    tried.add(runs)
                    consider(cur, runs)
                break
            up = max(frac, key=lambda j: (cur[j], -j))
            j, value = (
                (up, 1.0) if cur[up] >= DIVE_UP else (min(frac, key=lambda j: (cur[j], j)), 0.0)
            )
            rx.fix(j, value)
            nxt = relax()
            if nxt is None and time.perf_counter() < stop:  # infeasible that way: the other
                rx.fix(j, 1.0 - value)
                nxt = relax()
        _fix_trains(b, rx, None)
    if best is not None and best is not polished:
        polish()
    return best, bound


def _flip_runs(
    b: _Builder, rx: _Relaxation, runs: frozenset[int], order_by: Sequence[float], until: float
) -> tuple[frozenset[int], list[float]] | None:
    """Local search over the set of trains that run: from ``runs``, each train the relaxation
    ``order_by`` runs fractionally (nearest one half first) is switched on or off, and the
    switch kept if the relaxation with those trains fixed gets cheaper; when a sweep finds
    none, pairs of such trains at most FLIP_PAIR_REACH apart by date, one switched off and
    the other on, are tried. Sweeps repeat while one improves and time lasts. The bound of
    the strengthened relaxation ranks the trains well, but which of the doubtful ones to run
    is a choice among many that only a solve settles (on 26-train rail parts 50 solves reach
    the best set of trains that HiGHS's MIP finds in 2-16 s). Leaves the trains free again;
    returns the best set and its relaxation (or None: out of time, or no set tried could be
    planned)."""

    def value(trains: frozenset[int]) -> tuple[float, list[float] | None]:
        _fix_trains(b, rx, trains)
        vals = rx.solve(until - time.perf_counter())
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
    while improved and time.perf_counter() < until:
        improved = False
        for t in doubtful:
            if time.perf_counter() >= until:
                break
            improved |= attempt([t])
        if not improved:  # one train off and another near it on
            for t in [t for t in doubtful if t in runs]:
                for s in doubtful:
                    if time.perf_counter() >= until:
                        break
                    if t in runs and s not in runs and abs(pos[s] - pos[t]) <= FLIP_PAIR_REACH:
                        improved |= attempt([t, s])
    _fix_trains(b, rx, None)
    return (runs, best) if best is not None else None


def _branch_and_bound(
    b: _Builder, rx: _Relaxation, incumbent: float, until: float
) -> tuple[float, tuple[frozenset[int], list[float]] | None]:
    """A lower bound by branching on the trains, best bound first: each node fixes some
    trains on or off, its bound is its relaxation (``rx``, with the cuts added), and a node
    whose relaxation is not below ``incumbent`` (a plan's cost) holds nothing better and is
    closed; a node whose relaxation runs every train whole is a leaf (containers are not
    branched on). Returns the least bound over the nodes still open and the leaves (at most
    ``incumbent``), when the tree is done or at ``until``, and the cheapest leaf below
    ``incumbent`` (its trains and relaxation), a set of trains worth rounding. On a 26-train
    shanxi-year part, 41 nodes (3 s) raised the cut-strengthened relaxation's 7.060 M to
    7.116 M, against an optimum of 7.117 M that HiGHS's own search needed 54 s to prove."""

    def node(fixed: dict[int, float]) -> list[float] | None:
        """Fix the trains ``fixed`` and free the rest, each bound changed only where it
        differs (freeing all first would hand HiGHS every fixed train's bounds again)."""
        for t, j in b.run.items():
            v = fixed.get(t)
            if v is None:
                rx.fix(j, 0.0, 1.0)
            else:
                rx.fix(j, v)
        return rx.solve(until - time.perf_counter())

    _fix_trains(b, rx, None)
    root = rx.solve(until - time.perf_counter())
    if root is None:
        return -INF, None
    # (bound, -depth, order, fixed trains): best bound first, the deeper of equals first
    heap: list[tuple[float, int, int, dict[int, float]]] = [(b.mx.cost_of(root), 0, 0, {})]
    leaves: list[float] = []
    leaf: tuple[float, frozenset[int], list[float]] | None = None
    made = 1
    try:
        while heap and time.perf_counter() < until:
            value, depth, _order, fixed = heap[0]
            if value >= incumbent - 1e-6:
                heap.clear()  # every node left is as dear as the plan
                break
            vals = root if not fixed else node(fixed)
            if vals is None:
                if time.perf_counter() >= until:
                    break  # out of time: the node stays open with its parent's bound
                heapq.heappop(heap)  # no plan runs these trains
                continue
            heapq.heappop(heap)
            value = max(value, b.mx.cost_of(vals))
            if value >= incumbent - 1e-6:
                continue
            frac = [
                (abs(vals[j] - 0.5), t)
                for t, j in b.run.items()
                if t not in fixed and 1e-6 < vals[j] < 1 - 1e-6
            ]
            if not frac:
                leaves.append(value)
                if leaf is None or value < leaf[0]:
                    runs = frozenset(t for t, j in b.run.items() if vals[j] > 0.5)
                    leaf = (value, runs, vals)
                continue
            t = min(frac)[1]
            for side in (0.0, 1.0):
                heapq.heappush(heap, (value, depth - 1, made, {**fixed, t: side}))
                made += 1
    finally:
        _fix_trains(b, rx, None)
    low = min([h[0] for h in heap] + leaves + [incumbent])
    return low, (leaf[1], leaf[2]) if leaf is not None else None


def _strengthen(b: _Builder, rx: _Relaxation, lp: list[float], until: float) -> list[float]:
    """Rounds of :func:`_interval_cuts` added to the relaxation ``rx`` (whose optimum is
    ``lp``; the cuts stay in it until :meth:`_Relaxation.drop_added`) and solved again, until
    a round lifts it by less than CUT_MIN_LIFT or time runs out (then the last relaxation
    solved stands). Returns the optimum of the strengthened relaxation."""
    value = b.mx.cost_of(lp)
    for _ in range(CUT_ROUNDS):
        if time.perf_counter() >= until:
            break
        cuts = _interval_cuts(b, lp, CUTS_PER_ROUND)
        if not cuts:
            break
        rx.add_rows(cuts)
        nxt = rx.solve(until - time.perf_counter())
        if nxt is None:
            break
        lp, lift = nxt, b.mx.cost_of(nxt) - value
        value += lift
        if lift < CUT_MIN_LIFT * abs(value):
            break
        rx.drop_slack(lp)  # cuts the optimum no longer touches: each round's solve stays short
    return lp


def _interval_cuts(b: _Builder, lp: Sequence[float], limit: int) -> list[_Row]:
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


def _lp_bound(mx: Matrix, time_limit: float) -> float:
    """The optimum of the linear relaxation (HiGHS through MathOpt): a valid lower bound; if
    it does not finish in time, the trivial bound that every container costs at least its
    cheapest option or its unassigned penalty (fixed costs >= 0), which is valid too."""

    ans = _run_highs(_mathopt_model(mx, integer=False), time_limit)
    if ans.reason == "optimal":
        return ans.objective - 1e-6 * abs(ans.objective)
    return mx.trivial_bound


def _solve_cpsat(
    mx: Matrix,
    hint: list[float] | None,
    time_limit: float,
    seed: int,
    workers: int,
    progress: Progress | None,
    *,
    deterministic: bool = False,
) -> tuple[str, list[float] | None, float]:

    scale = 1
    for sc in (1, 100, 10_000):
        scale = sc
        if all(abs(c * sc - round(c * sc)) < 1e-6 for c in mx.cost):
            break
    # the model proto is written directly, whole arrays at a time: building it through
    # CP-SAT's Python expressions took 0.1 s of the 0.8 s cap113 needs (BENCHMARKS.md)
    m = cp_model.CpModel()
    pm = m.proto
    for lb, ub in zip(mx.lb, mx.ub, strict=True):
        pm.variables.add().domain.extend((int(lb), int(ub)))
    for lb, ub, idx, coef in mx.rows:
        lin = pm.constraints.add().linear
        lin.vars.extend(idx)
        lin.coeffs.extend(int(a) for a in coef)
        lin.domain.extend(
            (
                cp_model.INT_MIN if lb == -INF else math.ceil(lb),
                cp_model.INT_MAX if ub == INF else math.floor(ub),
            )
        )
    nz = [j for j, c in enumerate(mx.cost) if c]
    pm.objective.vars.extend(nz)
    pm.objective.coeffs.extend(round(mx.cost[j] * scale) for j in nz)
    if hint is not None:
        pm.solution_hint.vars.extend(range(len(hint)))
        pm.solution_hint.values.extend(round(h) for h in hint)
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = workers
    prm.random_seed = seed
    prm.linearization_level = 2
    # no probing in presolve: on OR-Library the 37 proofs took 7.5-8.6 s in all instead of
    # 9.7-11.0 s, with the same answers (BENCHMARKS.md)
    prm.cp_model_probing_level = 0
    if deterministic:  # the same input and seed give the same answer, however busy the machine
        prm.max_deterministic_time = time_limit
        prm.max_time_in_seconds = 5 * time_limit
    else:
        prm.max_time_in_seconds = time_limit

    class _Cb(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            if progress is not None:
                progress(
                    self.wall_time,
                    self.objective_value / scale + mx.constant,
                    self.best_objective_bound / scale + mx.constant,
                )

    status = solver.solve(m, _Cb())
    bound = solver.best_objective_bound / scale
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        vals = [float(v) for v in solver.response_proto.solution]
        return ("optimal" if status == cp_model.OPTIMAL else "feasible"), vals, bound
    return ("unknown" if status == cp_model.UNKNOWN else "error"), None, bound


def solve(
    problem: Problem,
    opts: Options,
    *,
    hint: Solution | None = None,
    time_limit: float = 30.0,
    seed: int = 0,
    workers: int = 1,
    backend: str = "auto",
    progress: Progress | None = None,
    heuristic: bool = True,
    mip: bool = True,
    model: Model | None = None,
) -> SolveResult:
    """Solve the assignment MIP with an OR-Tools back end (see :data:`BACKENDS`).

    ``auto`` runs CP-SAT (small models), relax-fix-round (:func:`_lp_heuristic`), then
    large-neighbourhood search from the best plan (:func:`_lns`), then HiGHS's search from it.
    ``heuristic=False`` skips the quick starts, CP-SAT's and relax-fix-round's (for a re-solve
    whose hint already holds them), and the relaxation's bound when HiGHS stops before its
    root (the caller has the first solve's bound); ``mip=False`` stops before HiGHS's search,
    leaving the time after relax-fix-round to the neighbourhood search (a first pass over many
    parts, whose time then goes where the gaps are).
    ``model`` is the one an earlier result of the same problem and options returned."""
    t0 = time.perf_counter()
    b = model if model is not None else _Builder(problem, opts)
    hint_vals = b.hint_values(hint) if hint is not None else None
    build = time.perf_counter() - t0
    const = b.mx.constant
    if not b.run:
        return SolveResult(
            Solution({}, frozenset()), "optimal", const + _u_cost(b), 0.0, build, model=b
        )
    t1 = time.perf_counter()
    if backend == "auto":
        # CP-SAT proves small and facility-location-like parts fast; HiGHS, warm-started from
        # CP-SAT's best plan, closes the larger time-structured ones (BENCHMARKS.md)
        status, vals, bound = "unknown", None, -INF
        if heuristic and len(b.mx.lb) <= AUTO_CP_SAT_MAX_COLUMNS:
            quick = min(AUTO_CP_SAT_SECONDS, 0.25 * time_limit)
            status, vals, bound = _solve_cpsat(
                b.mx, hint_vals, quick, seed, 1, progress, deterministic=True
            )
        if status != "optimal":
            start = _cheapest(b.mx, [vals, hint_vals])
            with _native_stdout_silenced():
                if heuristic:
                    share = LP_HEURISTIC_SHARE if mip else 1.0
                    lp_vals, lp_bound = _lp_heuristic(
                        b, share * max(0.0, time_limit - (time.perf_counter() - t1))
                    )
                    bound = max(bound, lp_bound)
                    start = _cheapest(b.mx, [start, lp_vals])
                if start is not None and b.mx.cost_of(start) > bound + 1e-6:
                    # windows of trains planned again while one improves
                    left = max(0.0, time_limit - (time.perf_counter() - t1))
                    until = time.perf_counter() + (LNS_SHARE if mip else 1.0) * left
                    start = _lns(b, start, until, seed=seed)
                status2, vals2, bound2 = "unknown", None, -INF
                if mip:
                    rest = max(0.5, time_limit - (time.perf_counter() - t1))
                    status2, vals2, bound2 = _solve_mathopt(b.mx, start, rest, seed, workers)
            if vals2 is not None and (
                status2 == "optimal" or b.mx.cost_of(vals2) <= b.mx.cost_of(start)
            ):
                status, vals = status2, vals2
            elif start is not None:  # HiGHS found nothing better than the start it was given
                status, vals = "feasible", start
            bound = max(bound, bound2)
            if status != "optimal" and vals is not None and b.mx.cost_of(vals) <= bound + 1e-6:
                status = "optimal"  # the plan meets the bound
    elif backend == "cp-sat":
        status, vals, bound = _solve_cpsat(b.mx, hint_vals, time_limit, seed, workers, progress)
    elif backend == "highs":
        with _native_stdout_silenced():
            status, vals, bound = _solve_mathopt(b.mx, hint_vals, time_limit, seed, workers)
    elif backend in ("highs-lp", "scip"):
        with _native_stdout_silenced():
            status, vals, bound = _solve_linear(
                b.mx, hint_vals, backend.removesuffix("-lp"), time_limit, seed, workers
            )
    else:
        raise ValueError(f"backend={backend!r}: expected one of {', '.join(BACKENDS)}")
    if (
        status != "optimal" and not bound >= b.mx.trivial_bound and heuristic
    ):  # stopped before its root: the LP bounds it (a re-solve's caller has its bound)
        with _native_stdout_silenced():
            bound = max(bound, _lp_bound(b.mx, max(1.0, 0.2 * time_limit)))
    seconds = time.perf_counter() - t1
    sol = b.solution(vals) if vals is not None else None
    return SolveResult(sol, status, bound + const, seconds, build, model=b)


def _cheapest(mx: Matrix, candidates: Sequence[list[float] | None]) -> list[float] | None:
    """The feasible candidate plan (column values) of least cost."""
    best, best_cost = None, INF
    for vals in candidates:
        if vals is not None and mx.feasible(vals) and mx.cost_of(vals) < best_cost:
            best, best_cost = vals, mx.cost_of(vals)
    return best


def _u_cost(b: _Builder) -> float:
    return sum(b.mx.cost[j] * b.mx.ub[j] for j in b.u.values())


class _SubMip:
    """MIPs of a matrix with all but some columns fixed, built with only the free columns and
    the rows they are in (the fixed columns' part moved into the row bounds): HiGHS then
    reads and presolves a model the size of the neighbourhood, not of the whole part."""

    def __init__(self, mx: Matrix, pr: model_pb2.ModelProto | None = None) -> None:
        """``pr``: the matrix as a MathOpt proto already built (integer or not), if any."""
        if pr is None:
            pr = _mathopt_model(mx, integer=True)  # entries row-major, columns ascending
        mat, con = pr.linear_constraint_matrix, pr.linear_constraints
        self.r = np.array(mat.row_ids, dtype=np.int64)
        self.c = np.array(mat.column_ids, dtype=np.int64)
        self.a = np.array(mat.coefficients, dtype=float)
        self.row_lb = np.array(con.lower_bounds, dtype=float)
        self.row_ub = np.array(con.upper_bounds, dtype=float)
        self.lb, self.ub = np.array(mx.lb, dtype=float), np.array(mx.ub, dtype=float)
        self.cost = np.array(mx.cost, dtype=float)

    def feasible(self, vals: Sequence[float], tol: float = 1e-6) -> bool:
        """:meth:`Matrix.feasible` with arrays: integral, within bounds, every row kept."""
        x = np.asarray(vals, dtype=float)
        if np.any(np.abs(x - np.round(x)) > tol) or np.any(x < self.lb - tol):
            return False
        if np.any(x > self.ub + tol):
            return False
        act = np.bincount(self.r, weights=self.a * x[self.c], minlength=len(self.row_lb))
        lo = self.row_lb - tol * np.maximum(1.0, np.abs(self.row_lb))
        hi = self.row_ub + tol * np.maximum(1.0, np.abs(self.row_ub))
        return bool(np.all(act >= lo) and np.all(act <= hi))

    def solve(
        self, free: Sequence[int], vals: Sequence[float], time_limit: float, seed: int = 0
    ) -> _Answer:
        """The best plan that changes only the columns ``free`` of ``vals`` (a feasible plan),
        as whole-matrix values; its objective is the sub-MIP's, without the fixed part."""
        n, m = len(self.lb), len(self.row_lb)
        cols = np.unique(np.asarray(free, dtype=np.int64))
        x = np.asarray(vals, dtype=float)
        mask = np.zeros(n, dtype=bool)
        mask[cols] = True
        on = mask[self.c]
        fixed = np.bincount(self.r[~on], weights=self.a[~on] * x[self.c[~on]], minlength=m)
        rows = np.unique(self.r[on])
        new_row = np.full(m, -1, dtype=np.int64)
        new_row[rows] = np.arange(len(rows))
        new_col = np.full(n, -1, dtype=np.int64)
        new_col[cols] = np.arange(len(cols))
        pr = model_pb2.ModelProto()
        pr.variables.ids.extend(range(len(cols)))
        pr.variables.lower_bounds.extend(self.lb[cols].tolist())
        pr.variables.upper_bounds.extend(self.ub[cols].tolist())
        pr.variables.integers.extend([True] * len(cols))
        cost = self.cost[cols]
        nz = np.nonzero(cost)[0]
        pr.objective.linear_coefficients.ids.extend(nz.tolist())
        pr.objective.linear_coefficients.values.extend(cost[nz].tolist())
        pr.linear_constraints.ids.extend(range(len(rows)))
        pr.linear_constraints.lower_bounds.extend((self.row_lb[rows] - fixed[rows]).tolist())
        pr.linear_constraints.upper_bounds.extend((self.row_ub[rows] - fixed[rows]).tolist())
        mat = pr.linear_constraint_matrix
        mat.row_ids.extend(new_row[self.r[on]].tolist())
        mat.column_ids.extend(new_col[self.c[on]].tolist())
        mat.coefficients.extend(self.a[on].tolist())
        ans = _run_highs(pr, time_limit, hint=x[cols].tolist(), seed=seed)
        if ans.values is None:
            return ans
        full = x.copy()
        full[cols] = ans.values
        return replace(ans, values=full.tolist())


def _lns(
    b: _Builder,
    vals: list[float],
    until: float,
    *,
    window: int = LNS_WINDOW,
    seconds: float = LNS_SECONDS,
    seed: int = 0,
) -> list[float]:
    """Large-neighbourhood search over windows of consecutive trains: the trains of a window
    free to run or not, the containers on them or left unassigned (of the classes that can
    ride them) free to move among them or to the unassigned list, everything else kept as in
    ``vals``; each neighbourhood a MIP for HiGHS (:class:`_SubMip`). Windows slide by half
    their width, round after round, until each is proven optimal around the current plan
    (or failed) or ``until``; a window is open again when a change elsewhere touches one of
    its trains or classes, or a train in a border quota with one of its trains; a window that
    runs out of time (at first ``seconds``) gets twice as long next time. Returns the
    cheapest plan found."""
    assert window >= 1
    if until - time.perf_counter() < 0.05:
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
    while time.perf_counter() < until - 0.05 and any(todo):
        for i, cols in enumerate(free_cols):
            left = until - time.perf_counter()
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
