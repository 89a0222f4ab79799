"""The greedy baseline: what a planner does by hand.

Shipments in order of ready date take the earliest feasible departure, first fit; a train that
does not reach its minimum load is cancelled and the plan is redone without it. It is kept as a
reference in the benchmarks and as the warm start (hint) of the optimiser.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from routing.domain.model import Problem
from routing.domain.options import Options
from routing.domain.rules import Crossing, crossing, train_fit
from routing.domain.solution import Solution


def greedy(problem: Problem, opts: Options) -> Solution:
    deps = problem.departures
    ships = problem.shipments
    order = sorted(
        range(len(ships)),
        key=lambda s: (
            not ships[s].pinned,  # pinned bookings first: they have one train and must stay
            ships[s].booked_on is None,  # then the other booked lots, then new shipments
            ships[s].ready_date,
            ships[s].due_date or dt.date.max,
            ships[s].shipment_id,
        ),
    )
    ranked = {
        s: sorted(
            opts.by_shipment[s],
            key=lambda o: (
                # a booked lot tries its own train first, whatever the move penalty: the
                # planner's baseline of a re-plan is the plan it had
                deps[opts.options[o].t].departure_id != ships[s].booked_on,
                deps[opts.options[o].t].depart_date,
                opts.options[o].cost_per_container,
                o,
            ),
        )
        for s in range(len(ships))
    }
    closed: set[int] = set()
    while True:
        teu = [0] * len(deps)
        gross = [0.0] * len(deps)
        plugs = [0] * len(deps)
        crossed: dict[Crossing, int] = defaultdict(int)
        counts: dict[int, int] = {}
        for s in order:
            sh = ships[s]
            left = sh.containers
            for o in ranked[s]:
                op = opts.options[o]
                t = op.t
                d = deps[t]
                if t in closed:
                    continue
                border = crossing(d) if teu[t] == 0 else None
                if border is not None:
                    q = problem.quota_for(*border)
                    if q is not None and crossed[border] >= q:
                        continue
                room = train_fit(
                    d,
                    teu=sh.teu_per_container,
                    gross_t=sh.gross_t,
                    reefer=sh.reefer,
                    used_teu=teu[t],
                    used_gross_t=gross[t],
                    used_plugs=plugs[t],
                )
                fit = min(left, op.max_containers, room)
                if fit <= 0 or (not sh.split and fit < sh.containers):
                    continue
                if border is not None:
                    crossed[border] += 1
                counts[o] = fit
                teu[t] += fit * sh.teu_per_container
                gross[t] += fit * sh.gross_t
                plugs[t] += fit if sh.reefer else 0
                left -= fit
                if left == 0:
                    break
        below = {t for t in range(len(deps)) if 0 < teu[t] < deps[t].min_load_teu}
        if not below:
            runs = frozenset(t for t in range(len(deps)) if teu[t] > 0)
            return Solution(counts, runs)
        closed |= below
