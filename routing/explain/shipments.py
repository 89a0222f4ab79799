"""A verified reason for every unassigned and every late shipment of a plan.

For a shipment with no eligible departure the rules are re-derived one by one
(:mod:`routing.explain.eligibility`). For one with eligible departures, each train it could
ride is classified by the plan: running and full in TEU, in tonnes or in plugs; not running
with its border day at quota; not running below its minimum load; or with room (then carrying
it simply costs more than leaving it). Each candidate reason is relaxed alone on those trains
(the limit lifted by what is waiting for them, the quota raised by the trains it blocks, the
minimum load dropped, or the unassigned penalty / lateness penalty raised a hundredfold) and
the shipment's part re-solved (:class:`routing.explain.resolve.Resolver`). The reason is
printed only when that re-solve carries more of the shipment (on time, for a late one) than
the plan does.
"""

from __future__ import annotations

import dataclasses

from network import Departure
from routing.domain.costs import cost_breakdown
from routing.domain.model import MAX_UNASSIGNED_PENALTY_PER_TEU, Shipment
from routing.domain.options import build_options
from routing.domain.rules import Crossing, crossing
from routing.domain.solution import Solution
from routing.explain import eligibility
from routing.explain.codes import Finding
from routing.explain.resolve import Compared, Relaxation, Resolver, twin_groups
from routing.explain.state import PlanState

#: how much the unassigned penalty is raised to test ``CHEAPER_UNASSIGNED`` (at most
#: :data:`MAX_UNASSIGNED_PENALTY_PER_TEU`)
PENALTY_FACTOR = 100.0
#: the bonus per container on its cheapest on-time train that tests ``CHEAPER_LATE`` (as a
#: booking's stay credit, :mod:`routing.domain.replan`): above any train's fixed cost, so
#: that on time wins whenever that train can take it
LATE_FORCE_PER_CONTAINER = 1e6


@dataclasses.dataclass(frozen=True, slots=True)
class _Candidate:
    code: str
    relax: Relaxation
    detail: str


def explain_shipments(st: PlanState, res: Resolver) -> list[Finding]:
    """Every unassigned shipment's and every late shipment's verified reasons, by id."""
    twins = twin_groups(st.problem, st.opts)
    out: list[Finding] = []
    for s in range(len(st.problem.shipments)):
        if st.left(s) > 0:
            out += _unassigned(st, res, s, twins[s])
        if st.late.get(s, 0) > 0:
            out += _late(st, res, s, twins[s])
    return out


def _unassigned(st: PlanState, res: Resolver, s: int, twins: tuple[int, ...]) -> list[Finding]:
    sh = st.problem.shipments[s]
    left = st.left(s)
    base: dict[str, object] = {"kind": "unassigned", "shipment_id": sh.shipment_id}
    base["containers"] = left
    base["teu"] = left * sh.teu_per_container
    if not st.opts.by_shipment[s]:
        if not eligibility.reachable(st.problem, sh):
            detail = (
                f"no departure from {sh.origin} to {sh.destination} among the plan's "
                f"{len(st.problem.departures)} departures, directly or with one truck leg"
            )
            return [_fact(base, "NO_ROUTE", detail)]
        cands = _eligibility_candidates(st, s)
    else:
        cands = _capacity_candidates(st, s, late=False)
    return _verify(st, res, s, twins, cands, base, late=False)


def _late(st: PlanState, res: Resolver, s: int, twins: tuple[int, ...]) -> list[Finding]:
    sh = st.problem.shipments[s]
    n = st.late[s]
    base: dict[str, object] = {"kind": "late", "shipment_id": sh.shipment_id, "containers": n}
    base["teu"] = n * sh.teu_per_container
    ops = st.options_of(s)
    if sh.pinned and all(op.late_days > 0 for op in ops):
        detail = (
            f"a pinned booking on {sh.booked_on}, which arrives {ops[0].arrival_date}, "
            f"{ops[0].late_days} day(s) after its due date {sh.due_date}"
        )
        return [_fact(base, "PINNED", detail)]
    if all(op.late_days > 0 for op in ops):
        first = min(op.arrival_date for op in ops)
        detail = (
            f"due {sh.due_date}; the earliest arrival of its {len(ops)} eligible departure(s) "
            f"is {first} ({min(op.late_days for op in ops)} day(s) late)"
        )
        return [_fact(base, "DUE_BEFORE_EARLIEST_ARRIVAL", detail)]
    return _verify(st, res, s, twins, _capacity_candidates(st, s, late=True), base, late=True)


def _fact(base: dict[str, object], code: str, detail: str) -> Finding:
    return Finding(
        code=code,
        relaxed="",
        base=0,
        carried=0,
        saving_usd=0.0,
        exact=True,
        detail=detail,
        **base,  # type: ignore[arg-type]
    )


def _eligibility_candidates(st: PlanState, s: int) -> list[_Candidate]:
    sh = st.problem.shipments[s]
    n_reach = len(eligibility.reachable(st.problem, sh))
    fails = eligibility.failing(st.problem, sh)
    sole = eligibility.sole_blockers(st.problem, sh)
    cands = [
        _Candidate(
            code,
            _ship_relax(s, eligibility.relax(st.problem, sh, [code]), code),
            f"this rule refuses {fails[code]} of its {n_reach} reachable departure(s)"
            + _why(sh, code),
        )
        for code in sole
    ]
    every = [c for c in eligibility.RULES if c in fails]
    if not sole and every:
        cands.append(
            _Candidate(
                "SEVERAL_RULES",
                _ship_relax(s, eligibility.relax(st.problem, sh, every), "+".join(every)),
                f"rules {', '.join(every)} together refuse all {n_reach} reachable departure(s)",
            )
        )
    return cands


def _why(sh: Shipment, code: str) -> str:
    extra = {
        "AVOIDED_COUNTRY": f" (avoids {';'.join(sorted(sh.avoid_countries))})",
        "DANGEROUS_GOODS": f" (class {sh.dg_class})",
        "REEFER_PLUGS": f" ({sh.container_type}: no train has plugs)",
        "NO_DEPARTURE_IN_WINDOW": f" (ready {sh.ready_date})",
        "TOO_HEAVY": f" ({sh.gross_t:g} t per {sh.container_type})",
        "LOT_TOO_LARGE": f" ({sh.containers} x {sh.container_type}, split=false)",
        "PINNED": f" (pinned to {sh.booked_on})",
    }
    return extra.get(code, "")


def _ship_relax(s: int, sh: Shipment, label: str) -> Relaxation:
    return Relaxation(label=f"{label} lifted for {sh.shipment_id}", shipments=((s, sh),), seed=(s,))


def _capacity_candidates(st: PlanState, s: int, *, late: bool) -> list[_Candidate]:
    """The candidate reasons of a shipment with eligible trains: each rule relaxed on the
    trains it binds (for a late one: its on-time trains)."""
    sh = st.problem.shipments[s]
    ops = [op for op in st.options_of(s) if not late or op.late_days == 0]
    need = sh.containers if not sh.split else 1
    groups: dict[str, list[int]] = {k: [] for k in ("teu", "t", "plugs", "quota", "min", "room")}
    for op in ops:
        t = op.t
        if t in st.runs:
            free_t = st.free_tonnes(t)
            hit = False
            if st.free_teu(t) < need * sh.teu_per_container:
                groups["teu"].append(t)
                hit = True
            if free_t is not None and free_t < need * sh.gross_t - 1e-9:
                groups["t"].append(t)
                hit = True
            if sh.reefer and st.free_plugs(t) < need:
                groups["plugs"].append(t)
                hit = True
            if not hit:
                groups["room"].append(t)
        elif st.quota_full(t):
            groups["quota"].append(t)
        elif st.problem.departures[t].min_load_teu > 0:
            groups["min"].append(t)
        else:
            groups["room"].append(t)
    return _relaxations(st, s, groups, late=late)


def _ids(st: PlanState, ts: list[int]) -> str:
    names = [st.problem.departures[t].departure_id for t in ts]
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _waiting_teu(st: PlanState, t: int) -> tuple[int, float, int]:
    """TEU, tonnes and reefer containers waiting for train ``t`` (left or late elsewhere)."""
    teu = plugs = 0
    tonnes = 0.0
    for s, n, _gain in st.waiting(t):
        sh = st.problem.shipments[s]
        teu += n * sh.teu_per_container
        tonnes += n * sh.gross_t
        plugs += n if sh.reefer else 0
    return teu, tonnes, plugs


def _relaxations(
    st: PlanState, s: int, groups: dict[str, list[int]], *, late: bool
) -> list[_Candidate]:
    deps = st.problem.departures
    out: list[_Candidate] = []

    def lift(code: str, ts: list[int], field: str, what: str) -> None:
        if not ts:
            return
        changed = []
        for t in ts:
            teu, tonnes, plugs = _waiting_teu(st, t)
            d = deps[t]
            if field == "capacity_teu":
                d = dataclasses.replace(d, capacity_teu=d.capacity_teu + max(teu, 2))
            elif field == "max_gross_t":
                d = dataclasses.replace(d, max_gross_t=(d.max_gross_t or 0) + max(tonnes, 1.0))
            else:
                d = dataclasses.replace(d, reefer_plugs=d.reefer_plugs + max(plugs, 1))
            changed.append((t, d))
        label = f"{what} lifted on {_ids(st, ts)}"
        out.append(
            _Candidate(code, Relaxation(label=label, departures=tuple(changed), seed=(s,)), label)
        )

    lift("TRAIN_FULL_TEU", groups["teu"], "capacity_teu", "TEU limit")
    lift("TRAIN_FULL_TONNES", groups["t"], "max_gross_t", "gross-tonne limit")
    lift("REEFER_PLUGS", groups["plugs"], "reefer_plugs", "reefer plugs")
    if groups["quota"]:
        keys: dict[Crossing, int] = {}
        for t in groups["quota"]:
            key = crossing(deps[t])
            assert key is not None
            keys[key] = keys.get(key, 0) + 1
        quotas = tuple(
            (key, (st.problem.quota_for(*key) or 0) + n) for key, n in sorted(keys.items())
        )
        days = ", ".join(f"{p} {d}" for (p, d), _q in quotas)
        label = f"border quota raised on {days} (blocking {_ids(st, groups['quota'])})"
        out.append(
            _Candidate("BORDER_QUOTA", Relaxation(label=label, quotas=quotas, seed=(s,)), label)
        )
    if groups["min"]:
        changed = tuple((t, dataclasses.replace(deps[t], min_load_teu=0)) for t in groups["min"])
        label = f"minimum load dropped on {_ids(st, groups['min'])}"
        out.append(
            _Candidate("MIN_LOAD", Relaxation(label=label, departures=changed, seed=(s,)), label)
        )
    out.append(_cheaper(st, s, late=late))
    return out


def _cheaper(st: PlanState, s: int, *, late: bool) -> _Candidate:
    sh = st.problem.shipments[s]
    if late:
        on_time = [op for op in st.options_of(s) if op.late_days == 0]
        best = min(on_time, key=lambda op: (op.cost_per_container, op.t))
        dep = st.problem.departures[best.t].departure_id
        raised = dataclasses.replace(
            sh, booked_on=dep, pinned=False, move_penalty_per_container=LATE_FORCE_PER_CONTAINER
        )
        label = (
            f"{sh.shipment_id} given a bonus of {LATE_FORCE_PER_CONTAINER:,.0f} USD per "
            f"container on time on {dep}"
        )
        return _Candidate("CHEAPER_LATE", Relaxation(label=label, shipments=((s, raised),)), label)
    pen = min(
        st.problem.unassigned_penalty_per_teu * PENALTY_FACTOR, MAX_UNASSIGNED_PENALTY_PER_TEU
    )
    label = f"unassigned penalty raised to {pen:,.0f} USD/TEU in its part"
    return _Candidate(
        "CHEAPER_UNASSIGNED", Relaxation(label=label, penalty_per_teu=pen, seed=(s,)), label
    )


def _verify(
    st: PlanState,
    res: Resolver,
    s: int,
    twins: tuple[int, ...],
    cands: list[_Candidate],
    base: dict[str, object],
    *,
    late: bool,
) -> list[Finding]:
    """The candidates whose re-solve carries more of the shipment and its twins (on time for
    a late one) than the base re-solve; ``UNEXPLAINED`` when none does."""
    out = []
    for c in cands:
        cmp = res.compare(c.relax)
        got = cmp.relaxed.on_time if late else cmp.relaxed.carried
        had = cmp.base.on_time if late else cmp.base.carried
        n_got = sum(got.get(i, 0) for i in twins)
        n_had = sum(had.get(i, 0) for i in twins)
        if n_got <= n_had:
            continue
        saving = _saving(st, s, cmp)
        if c.code in ("CHEAPER_UNASSIGNED", "CHEAPER_LATE"):
            what = "its lateness penalty" if late else "leaving it at the unassigned penalty"
            sentence = (
                f"carrying it{' on time' if late else ''} costs {-saving:,.0f} USD more than {what}"
            )
        else:
            how = "together" if c.code == "SEVERAL_RULES" else "alone"
            gain = f"saves {saving:,.0f} USD" if saving >= 0 else f"costs {-saving:,.0f} USD more"
            sentence = (
                f"relaxing {'these' if how == 'together' else 'this'} {how} carries "
                f"{n_got - n_had} more{' on time' if late else ''} and {gain}"
            )
        out.append(
            Finding(
                code=c.code,
                relaxed=c.relax.label,
                base=n_had,
                carried=n_got,
                saving_usd=round(saving, 2),
                exact=cmp.exact,
                detail=f"{c.detail}; {sentence}",
                **base,  # type: ignore[arg-type]
            )
        )
    codes = {c.code for c in cands}
    if not out and cands and "SEVERAL_RULES" not in codes:
        out = [
            f
            for f in _combined(st, res, s, twins, cands, base, late=late)
            if f.code != "UNEXPLAINED"
        ]
    if not out:
        tried = "; ".join(f"{c.code}: {c.relax.label}" for c in cands) or "no rule to relax"
        out.append(_fact(base, "UNEXPLAINED", f"no single relaxation carries it ({tried})"))
        out[-1] = dataclasses.replace(out[-1], exact=False)
    return out


def _combined(
    st: PlanState,
    res: Resolver,
    s: int,
    twins: tuple[int, ...],
    cands: list[_Candidate],
    base: dict[str, object],
    *,
    late: bool,
) -> list[Finding]:
    """``SEVERAL_RULES``: for eligibility rules, all of them lifted with each rule that binds
    once it is eligible (then with all of those); otherwise every candidate at once, with
    the penalty raised."""
    codes = {c.code for c in cands}
    if codes <= set(eligibility.RULES):
        lifted = _merge(st, [c.relax for c in cands])
        rst = st.with_problem(lifted.apply(st.problem))
        then = _capacity_candidates(rst, s, late=late)
        combos = [[*cands, c] for c in then] + ([[*cands, *then]] if len(then) > 1 else [])
    else:
        extra = (
            [] if codes & {"CHEAPER_UNASSIGNED", "CHEAPER_LATE"} else [_cheaper(st, s, late=late)]
        )
        combos = [[*cands, *extra]]
    for combo in combos:
        both = _Candidate(
            "SEVERAL_RULES",
            _merge(st, [c.relax for c in combo]),
            f"{' + '.join(c.code for c in combo)} together",
        )
        found = _verify(st, res, s, twins, [both], base, late=late)
        if found[0].code != "UNEXPLAINED":
            return found
    return []


def _saving(st: PlanState, s: int, cmp: Compared) -> float:
    """``base - relaxed`` objective, the relaxed plan priced at the plan's own unassigned
    penalty and with the shipment's own booking (a ``CHEAPER_*`` test raises the one or moves
    the other only to steer the re-solve): negative when carrying it costs more than leaving
    it, or than its lateness."""
    b, r = cmp.base, cmp.relaxed
    orig = st.problem.shipments[s]
    ships = tuple(
        dataclasses.replace(
            x,
            booked_on=orig.booked_on,
            move_penalty_per_container=orig.move_penalty_per_container,
        )
        if x.shipment_id == orig.shipment_id and x.booked_on != orig.booked_on
        else x
        for x in r.problem.shipments
    )
    ev = dataclasses.replace(
        r.problem, shipments=ships, unassigned_penalty_per_teu=st.problem.unassigned_penalty_per_teu
    )
    ev_opts = build_options(ev)
    at = {(op.s, op.t): o for o, op in enumerate(ev_opts.options)}
    counts = {
        at[(r.opts.options[o].s, r.opts.options[o].t)]: n for o, n in r.solution.counts.items()
    }
    priced = Solution(counts, r.solution.runs)
    return b.objective - cost_breakdown(ev, ev_opts, priced)["objective"]


def _merge(st: PlanState, relaxations: list[Relaxation]) -> Relaxation:
    """The relaxations at once: each departure with every limit any of them lifts, the
    highest quota and penalty, the shipments' changes (all of the same shipment here)."""
    deps = st.problem.departures
    merged: dict[int, Departure] = {}
    for r in relaxations:
        for t, d in r.departures:
            cur = merged.get(t, deps[t])
            changes = {
                f: getattr(d, f)
                for f in ("capacity_teu", "max_gross_t", "reefer_plugs", "min_load_teu")
                if getattr(d, f) != getattr(deps[t], f)
            }
            merged[t] = dataclasses.replace(cur, **changes)
    quotas: dict[Crossing, int] = {}
    for r in relaxations:
        for key, q in r.quotas:
            quotas[key] = max(q, quotas.get(key, 0))
    pens = [r.penalty_per_teu for r in relaxations if r.penalty_per_teu is not None]
    return Relaxation(
        label=" + ".join(r.label for r in relaxations),
        shipments=tuple(x for r in relaxations for x in r.shipments),
        departures=tuple(sorted(merged.items(), key=lambda kv: kv[0])),
        quotas=tuple(sorted(quotas.items())),
        penalty_per_teu=max(pens) if pens else None,
        seed=tuple(sorted({x for r in relaxations for x in r.seed})),
    )
