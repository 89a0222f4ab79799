"""Scenarios planned on Dask.distributed: an embedded ``LocalCluster`` of worker processes
(one thread each, a memory limit each) or any cluster by its scheduler's address.

The base (problem and network) is one task of the graph, so a cluster that loses it
recomputes it; each scenario is one task on it. A worker that dies takes its tasks to
another worker (Dask reschedules them, up to ``allowed-failures`` deaths, then the scenario
is reported failed with the reason; a LocalCluster's workers hold only the scenario they
plan, so that a scenario that kills its workers takes no other down with it); a task that
raises is retried :data:`RETRIES` times.
Every scenario ends in the results exactly once, failed or planned."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, Protocol

from railplan.sweep.results import best
from railplan.sweep.scenarios import Loaded
from railplan.sweep.spec import Scenario
from railplan.sweep.task import Base, Outcome, failed, run_scenario
from routing.domain.plan import Plan
from routing.io import InputError

#: retries of a scenario whose task raised (a worker's death is counted by Dask apart)
RETRIES = 1
#: how many workers may die running one scenario before it is reported failed
ALLOWED_FAILURES = 3
#: how long to wait for a remote scheduler, seconds
CONNECT_TIMEOUT_S = 15


class Watch(Protocol):
    """What hears of a sweep's progress (the CLI's bar)."""

    def start(self, total: int, slots: int) -> None: ...

    def done(self, outcome: Outcome, running: int) -> None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterSpec:
    """Where scenarios run: ``scheduler`` (an address such as ``tcp://10.0.0.5:8786``), else
    an embedded ``LocalCluster`` of ``workers`` processes with ``memory_limit`` each."""

    scheduler: str | None = None
    workers: int = 2
    memory_limit: str | float = "auto"
    #: worker deaths one scenario may cause before it is reported failed (a LocalCluster's;
    #: a remote scheduler keeps its own ``distributed.scheduler.allowed-failures``)
    allowed_failures: int = ALLOWED_FAILURES


@dataclass(frozen=True, slots=True, kw_only=True)
class SweepRun:
    """A finished sweep: every scenario's outcome in the file's order, the plans drawn in the
    report (scenario id -> plan), the wall time, the cluster and its worker threads."""

    outcomes: tuple[Outcome, ...]
    plans: dict[str, Plan] = field(default_factory=dict)
    wall_seconds: float = 0.0
    where: str = "sequential"
    slots: int = 1
    #: seconds to get the cluster ready (LocalCluster started, or the scheduler reached)
    start_seconds: float = 0.0
    #: seconds from the cluster ready to the last scenario's outcome
    sweep_seconds: float = 0.0


def _map_ids(loaded: Loaded, map_scenario: str | None) -> set[str]:
    ids = {loaded.sweep.scenarios[0].scenario_id}
    if map_scenario is not None:
        ids.add(map_scenario)
    return ids


def _chosen(
    loaded: Loaded, outs: Sequence[Outcome], map_scenario: str | None, rank_by: str
) -> str | None:
    """The scenario mapped beside the base: ``map_scenario``, else the best-ranked other."""
    if map_scenario is not None:
        return map_scenario
    return best(outs, rank_by, besides=loaded.sweep.scenarios[0].scenario_id)


def run_sequential(
    loaded: Loaded,
    *,
    plans_dir: str | None = None,
    map_scenario: str | None = None,
    rank_by: str = "objective",
    watch: Watch | None = None,
) -> SweepRun:
    """Every scenario in this process, one after another (the reference a cluster's run is
    compared with)."""
    t0 = time.perf_counter()
    base = Base(problem=loaded.problem, net=loaded.net)
    wanted = _map_ids(loaded, map_scenario)
    if watch is not None:
        watch.start(len(loaded.sweep.scenarios), 1)
    outs = []
    for sc in loaded.sweep.scenarios:
        try:
            out = run_scenario(base, sc, plans_dir=plans_dir, want_plan=sc.scenario_id in wanted)
        except Exception as e:  # the same rule as on a cluster: the scenario fails, not the sweep
            out = failed(sc, f"{type(e).__name__}: {e}", "driver")
        outs.append(out)
        if watch is not None:
            watch.done(out, 0)
    plans = {o.scenario_id: o.plan for o in outs if o.plan is not None}
    top = _chosen(loaded, outs, map_scenario, rank_by)
    if top is not None and top not in plans:
        sc = next(s for s in loaded.sweep.scenarios if s.scenario_id == top)
        plan = run_scenario(base, sc, want_plan=True).plan
        if plan is not None:
            plans[top] = plan
    return SweepRun(outcomes=tuple(outs), plans=plans, wall_seconds=time.perf_counter() - t0)


def _client(stack: ExitStack, spec: ClusterSpec) -> Any:
    """A client of the remote scheduler, else of a new LocalCluster (closed with ``stack``)."""
    import dask
    from distributed import Client, LocalCluster

    # worker-saturation 1.0: a worker holds only the scenario it plans, so when a scenario
    # kills its worker, no other scenario queued there is counted as a suspect of the death
    settings = {
        "distributed.scheduler.allowed-failures": spec.allowed_failures,
        "distributed.scheduler.worker-saturation": 1.0,
    }
    stack.enter_context(dask.config.set(settings))
    if spec.scheduler:
        try:
            client = Client(spec.scheduler, timeout=CONNECT_TIMEOUT_S)  # type: ignore[no-untyped-call]
            return stack.enter_context(client)
        except (OSError, TimeoutError) as e:
            raise InputError(
                [f"--scheduler {spec.scheduler!r}: cannot reach a Dask scheduler there ({e})"]
            ) from None
    cluster = stack.enter_context(
        LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=spec.workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=spec.memory_limit,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
    )
    return stack.enter_context(Client(cluster))  # type: ignore[no-untyped-call]


def _hold(base: Base) -> Base:
    """The base as a task of the graph (recomputed by the scheduler if a worker loses it)."""
    return base


def _task(base: Base, scenario: Scenario, want_plan: bool, *, plans_dir: str | None) -> Outcome:
    """:func:`run_scenario` with its positional arguments as ``Client.map`` passes them."""
    return run_scenario(base, scenario, plans_dir=plans_dir, want_plan=want_plan)


def _reason(e: BaseException) -> str:
    from distributed import KilledWorker

    if isinstance(e, KilledWorker):
        return f"workers died while planning it, each time (Dask: {str(e).split('. ')[0]})"
    return f"{type(e).__name__}: {e}"


def _running(client: Any, slots: int) -> int:
    """Scenarios being planned now: those the scheduler gave the workers (queued ones on a
    worker included), at most the worker threads."""
    try:
        return min(slots, sum(len(keys) for keys in client.processing().values()))
    except Exception:  # progress only: a scheduler busy or gone must not end the sweep
        return 0


def _collect(
    client: Any, futures: dict[Any, Scenario], watch: Watch | None, slots: int
) -> dict[str, Outcome]:
    """Each future's outcome as it completes (each exactly once)."""
    from distributed import as_completed

    outcomes: dict[str, Outcome] = {}
    for fut in as_completed(list(futures)):  # type: ignore[no-untyped-call]
        sc = futures[fut]
        try:
            out = fut.result()
        except Exception as e:
            out = failed(sc, _reason(e))
        if sc.scenario_id in outcomes:  # pragma: no cover - as_completed yields each once
            raise RuntimeError(f"scenario {sc.scenario_id} completed twice")
        outcomes[sc.scenario_id] = out
        fut.release()
        if watch is not None:
            watch.done(out, _running(client, slots))
    return outcomes


def run_sweep(
    loaded: Loaded,
    cluster: ClusterSpec | None = None,
    *,
    plans_dir: str | None = None,
    map_scenario: str | None = None,
    rank_by: str = "objective",
    watch: Watch | None = None,
) -> SweepRun:
    """Every scenario of ``loaded`` as a Dask task; the plans the report draws (the base's,
    and ``map_scenario``'s, else the best-ranked one's) come back with their outcomes."""
    spec = cluster or ClusterSpec()
    t0 = time.perf_counter()
    wanted = _map_ids(loaded, map_scenario)
    token = uuid.uuid4().hex[:10]
    with ExitStack() as stack:
        stack.enter_context(_quiet_logs())
        client = _client(stack, spec)
        slots = sum(client.nthreads().values()) or 1
        ready = time.perf_counter() - t0
        base = client.submit(
            _hold,
            Base(problem=loaded.problem, net=loaded.net),
            key=f"sweep-base-{token}",
            pure=False,
        )
        scenarios = loaded.sweep.scenarios
        submitted = client.map(  # in one message: the scheduler queues them as one group
            _task,
            [base] * len(scenarios),
            scenarios,
            [sc.scenario_id in wanted for sc in scenarios],
            plans_dir=plans_dir,
            key=[(f"sweep-scenario-{token}", i) for i in range(len(scenarios))],
            retries=RETRIES,
            pure=False,
        )
        futures = dict(zip(submitted, scenarios, strict=True))
        if watch is not None:
            watch.start(len(futures), slots)
        outcomes = _collect(client, futures, watch, slots)
        swept = time.perf_counter() - t0 - ready
        outs = tuple(outcomes[sc.scenario_id] for sc in loaded.sweep.scenarios)
        plans = {o.scenario_id: o.plan for o in outs if o.plan is not None}
        top = _chosen(loaded, outs, map_scenario, rank_by)
        if top is not None and top not in plans:
            sc = next(s for s in loaded.sweep.scenarios if s.scenario_id == top)
            again = client.submit(
                run_scenario, base, sc, want_plan=True, key=f"sweep-{token}-map", pure=False
            )
            plan = again.result().plan
            if plan is not None:
                plans[top] = plan
        where = spec.scheduler or f"LocalCluster of {spec.workers} workers"
    wall = time.perf_counter() - t0
    return SweepRun(
        outcomes=outs,
        plans=plans,
        wall_seconds=wall,
        where=where,
        slots=slots,
        start_seconds=ready,
        sweep_seconds=swept,
    )


class _quiet_logs:
    """Dask's warnings about lost workers are the sweep's business, not the user's screen:
    ``distributed`` logs at ERROR only while the sweep runs."""

    def __enter__(self) -> None:
        self.saved = {n: logging.getLogger(n).level for n in _LOGGERS}
        for n in _LOGGERS:
            logging.getLogger(n).setLevel(logging.ERROR)

    def __exit__(self, *exc: object) -> None:
        for n, level in self.saved.items():
            logging.getLogger(n).setLevel(level)


_LOGGERS: Sequence[str] = (
    "distributed",
    "distributed.client",
    "distributed.scheduler",
    "distributed.worker",
    "distributed.nanny",
)
