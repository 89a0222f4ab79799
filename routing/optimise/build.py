"""The model: shipment classes, and the :class:`Matrix` of a problem built one constraint
family per method of :class:`Builder`.

Variables
    ``x[k,t]`` containers of shipment class ``k`` on departure ``t`` (integer; for a
    ``split=false`` shipment a boolean ``y[k,t]``, containers = ``n_k y[k,t]``),
    ``run[t]`` departure ``t`` runs (boolean), ``u[k]`` containers of ``k`` left unassigned.

Shipments with ``split=true`` and identical options (same departures, same cost per container,
same TEU, gross tonnes and reefer flag) are merged into one class; this is exact, since any
split of a class's containers among its shipments costs the same.

Objective (USD)
    ``sum_t fixed_t run_t + sum_{k,t} c_kt x_kt + P sum_k teu_k u_k``

The constraints are the methods of :class:`Builder`, each with its mathematics in its
docstring (and in docs/model.md).
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from network import Departure
from routing.domain.costs import move_offset
from routing.domain.model import Problem
from routing.domain.options import Options
from routing.domain.rules import over_quota, train_fit
from routing.domain.solution import Solution
from routing.optimise.matrix import Matrix
from routing.optimise.params import INF
from routing.optimise.submip import SubMip


@dataclass
class ShipmentClass:
    shipments: list[int]
    containers: int
    teu: int
    gross_t: float
    reefer: bool
    split: bool
    options: dict[int, int]  # t -> option index of the first shipment


def cap_kg(d: Departure) -> int | None:
    """A train's gross-mass limit in whole kg (the mass row's right-hand side), if any."""
    return math.floor(d.max_gross_t * 1000 + 1e-6) if d.max_gross_t is not None else None


def classes(problem: Problem, opts: Options) -> list[ShipmentClass]:
    groups: dict[tuple[object, ...], ShipmentClass] = {}
    out: list[ShipmentClass] = []
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
        c = ShipmentClass(
            [s], sh.containers, sh.teu_per_container, sh.gross_t, sh.reefer, sh.split, topt
        )
        out.append(c)
        if sh.split:
            groups[key] = c
    return out


class Builder:
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
        ) + move_offset(problem.shipments)

    def _trivial_bound(self) -> float:
        """Each container at its cheapest: an option's cost or the unassigned penalty."""
        cheapest = {k: self.mx.cost[j] for k, j in self.u.items()}
        for (k, _t), j in self.x.items():
            c = self.classes[k]
            cheapest[k] = min(cheapest[k], self.mx.cost[j] / (1 if c.split else c.containers))
        return sum(self.classes[k].containers * v for k, v in cheapest.items())

    def limit(self, c: ShipmentClass, t: int) -> int:
        """Containers of class ``c`` one train ``t`` can take on its own."""
        d = self.p.departures[t]
        return min(c.containers, train_fit(d, teu=c.teu, gross_t=c.gross_t, reefer=c.reefer))

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
        """For each border port ``p`` and day ``d`` (:func:`~routing.domain.rules.crossing`) with
        more trains than its quota: ``sum_{t: border_port_t = p, border_date_t = d} run_t <=
        quota_{p,d}``."""
        for _port, _day, q, ts in over_quota(self.p, self.run):
            runs = [self.run[t] for t in ts]
            self.mx.row(-INF, q, runs, [1] * len(runs))
            self.quotas.append((q, runs))

    def kg(self, j: int) -> int:
        """Gross mass in kg of one unit of column ``j`` (the mass row's coefficient)."""
        return round(self.classes[self.cls_of_col[j]].gross_t * 1000) * self.mult(j)

    def unit_teu(self, j: int) -> int:
        """TEU of one unit of column ``j`` (the TEU row's coefficient)."""
        return self.classes[self.cls_of_col[j]].teu * self.mult(j)

    @functools.cached_property
    def sub_mip(self) -> SubMip:
        """The matrix as arrays for MIPs over some of its columns (polish, neighbourhoods)."""
        return SubMip(self.mx)

    @functools.cached_property
    def trains_by_date(self) -> list[int]:
        """The model's trains, by departure date."""
        deps = self.p.departures
        return sorted(self.run, key=lambda t: (deps[t].depart_date, t))

    @functools.cached_property
    def cut_arrays(
        self,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
        """For :func:`interval_cuts`: the columns x[k,t], their class, their train's place in
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


#: the model of a problem, built once (:class:`Builder`)
Model = Builder
