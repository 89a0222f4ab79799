"""What the plan leaves on every train and for every shipment: the loads, the free room, the
containers left and late, and what is waiting for each train. Shared by the shipments'
reasons (:mod:`routing.explain.shipments`) and the binding resources
(:mod:`routing.explain.resources`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from routing.domain.model import Problem
from routing.domain.options import Option, Options, build_options
from routing.domain.plan import Plan
from routing.domain.rules import Crossing, by_crossing, crossing


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanState:
    """The plan in the optimiser's indices: per departure index the TEU, tonnes and reefer
    containers on it and whether it runs; per shipment index the containers assigned, left
    and late; running trains per border day."""

    problem: Problem
    opts: Options
    runs: frozenset[int]
    teu: dict[int, int]
    tonnes: dict[int, float]
    plugs: dict[int, int]
    assigned: dict[int, int]
    late: dict[int, int]
    crossings: dict[Crossing, int]
    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    #: option indices per departure index
    by_train: dict[int, tuple[int, ...]] = field(default_factory=dict)

    def with_problem(self, problem: Problem) -> PlanState:
        """The same plan on ``problem``, the same shipments and departures with some rules
        changed (its options rebuilt)."""
        opts = build_options(problem)
        by_train: dict[int, list[int]] = defaultdict(list)
        for o, op in enumerate(opts.options):
            by_train[op.t].append(o)
        return replace(
            self,
            problem=problem,
            opts=opts,
            by_train={t: tuple(v) for t, v in by_train.items()},
        )

    def left(self, s: int) -> int:
        return self.problem.shipments[s].containers - self.assigned.get(s, 0)

    def free_teu(self, t: int) -> int:
        return self.problem.departures[t].capacity_teu - self.teu.get(t, 0)

    def free_tonnes(self, t: int) -> float | None:
        cap = self.problem.departures[t].max_gross_t
        return None if cap is None else cap - self.tonnes.get(t, 0.0)

    def free_plugs(self, t: int) -> int:
        return self.problem.departures[t].reefer_plugs - self.plugs.get(t, 0)

    def quota_full(self, t: int) -> bool:
        """Whether ``t`` (not running) would cross a border day its quota already fills."""
        key = crossing(self.problem.departures[t])
        if key is None:
            return False
        q = self.problem.quota_for(*key)
        return q is not None and self.crossings.get(key, 0) >= q

    def options_of(self, s: int) -> list[Option]:
        return [self.opts.options[o] for o in self.opts.by_shipment[s]]

    def waiting(self, t: int) -> list[tuple[int, int, float]]:
        """Who would gain from room on ``t``: (shipment, containers, USD per container
        gained): its containers left (the penalty less the option's cost), and its late
        containers on other trains when ``t`` is on time (the lateness saved)."""
        out = []
        pen = self.problem.unassigned_penalty_per_teu
        for o in self.by_train.get(t, ()):
            op = self.opts.options[o]
            s, sh = op.s, self.problem.shipments[op.s]
            if self.left(s) > 0:
                out.append((s, self.left(s), pen * sh.teu_per_container - op.cost_per_container))
            if self.late.get(s, 0) > 0 and op.late_days == 0:
                gain = self._late_cost(s) - op.cost_per_container
                out.append((s, self.late[s], gain))
        return [w for w in out if w[2] > 0]

    def _late_cost(self, s: int) -> float:
        """The cost per container of ``s``'s dearest late option in the plan."""
        sh = self.problem.shipments[s]
        costs = [
            op.cost_per_container
            for op in self.options_of(s)
            if op.late_days > 0
            and self.counts.get((sh.shipment_id, self.problem.departures[op.t].departure_id), 0)
        ]
        return max(costs, default=0.0)


def plan_state(plan: Plan, problem: Problem, opts: Options) -> PlanState:
    """The :class:`PlanState` of ``plan`` (whose assignments name ``problem``'s shipments and
    departures)."""
    ship = {sh.shipment_id: s for s, sh in enumerate(problem.shipments)}
    dep = {d.departure_id: t for t, d in enumerate(problem.departures)}
    teu: dict[int, int] = defaultdict(int)
    tonnes: dict[int, float] = defaultdict(float)
    plugs: dict[int, int] = defaultdict(int)
    assigned: dict[int, int] = defaultdict(int)
    late: dict[int, int] = defaultdict(int)
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for a in plan.assignments:
        s, t = ship[a.shipment_id], dep[a.departure_id]
        sh = problem.shipments[s]
        teu[t] += a.containers * sh.teu_per_container
        tonnes[t] += a.containers * sh.gross_t
        plugs[t] += a.containers if sh.reefer else 0
        assigned[s] += a.containers
        late[s] += a.containers if a.late_days > 0 else 0
        counts[(a.shipment_id, a.departure_id)] += a.containers
    by_train: dict[int, list[int]] = defaultdict(list)
    for o, op in enumerate(opts.options):
        by_train[op.t].append(o)
    runs = frozenset(dep[tr.departure_id] for tr in plan.trains if tr.runs)
    cross = {k: len(v) for k, v in by_crossing(problem.departures, sorted(runs)).items()}
    return PlanState(
        problem=problem,
        opts=opts,
        runs=runs,
        teu=dict(teu),
        tonnes=dict(tonnes),
        plugs=dict(plugs),
        assigned=dict(assigned),
        late=dict(late),
        crossings=cross,
        counts=dict(counts),
        by_train={t: tuple(v) for t, v in by_train.items()},
    )
