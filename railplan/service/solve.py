"""One job in its own spawned process: read the batch, plan it on what the ledger leaves, write
the plan folder into the jobs tables.

The process is started by :mod:`railplan.service.worker` with the ``spawn`` method (a fresh
interpreter: forking a process that runs threads can deadlock). It caps its own address space
(``RLIMIT_AS``) so that a runaway solve fails with ``MemoryError`` (or is killed) instead of
taking the machine, and ends itself when its supervisor is gone (its parent process id
changes), so that an orphan never finishes a job the queue has handed to someone else.
"""

from __future__ import annotations

import base64
import os
import resource
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import network
from network.io import TableError
from railplan.ledger import JobStore, Ledger, LedgerError
from railplan.ledger.planning import lots, running, with_bookings
from railplan.service import commit
from railplan.service.drawing import drawer
from routing.api import read_problem

#: names of the batch files a job may carry, as ``railplan plan`` takes them
INPUT_KINDS = ("shipments", "departures", "rates", "border_quota", "trucking")
#: seconds between two progress rows of one job (the solver may report far more often)
PROGRESS_EVERY_S = 0.5


def cap_memory(memory_mb: int) -> None:
    """Limit this process's address space to ``memory_mb`` MiB (0: no limit). Only the soft
    limit: :func:`uncap_memory` lifts it again to record the failure."""
    if memory_mb > 0:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024, hard))


def uncap_memory() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


def watch_parent() -> None:
    """End this process (exit 70) as soon as its parent is gone."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(70)

    threading.Thread(target=watch, daemon=True, name="watch-parent").start()


def run_job(url: str, job_id: str, memory_mb: int) -> None:
    """The spawned process's entry point: run the job and record its end (done, or failed with
    the reason; bad input is not retried). A crash of this process is handled by its
    supervisor."""
    watch_parent()
    store = JobStore(url)
    job = store.get(job_id)  # the database driver is loaded before the cap
    if job is None:
        return
    cap_memory(memory_mb)
    try:
        result, files = execute(url, job.kind, job.params, _reporter(store, job_id))
    except TableError as e:  # InputError, NetworkError, EventError
        store.fail(job_id, "; ".join(e.problems))
    except LedgerError as e:
        store.fail(job_id, "; ".join(e.problems))
    except MemoryError:
        uncap_memory()  # room to record why
        store.fail(job_id, f"out of memory: the solve passed the cap of {memory_mb} MB")
    except Exception as e:
        store.fail(job_id, f"internal error: {type(e).__name__}: {e}")
    else:
        if store.finish(job_id, result, files) and result.get("committed_version") is not None:
            store.mark_committed(job_id, int(result["committed_version"]))
    finally:
        store.close()


def _reporter(store: JobStore, job_id: str) -> Callable[[float, float, float], None]:
    last = [0.0]

    def report(elapsed: float, best: float, bound: float) -> None:
        t = time.monotonic()
        if t - last[0] < PROGRESS_EVERY_S:
            return
        last[0] = t
        gap = (best - bound) / max(abs(best), 1e-9)
        store.progress(job_id, elapsed_s=elapsed, best_cost=best, bound=bound, gap=gap)

    return report


def execute(
    url: str,
    kind: str,
    params: Mapping[str, Any],
    progress: Callable[[float, float, float], None],
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Run a job of ``kind`` (``plan`` or ``replan``): returns its result (the plan's summary
    and what a commit needs) and its files."""
    if kind not in ("plan", "replan"):
        raise ValueError(f"unknown job kind {kind!r}")
    with tempfile.TemporaryDirectory(prefix="railplan-job-") as tmp:
        if kind == "replan":
            from railplan.service import replan

            return replan.run(url, params, Path(tmp), progress)
        return _plan(url, params, Path(tmp), progress)


def write_inputs(folder: Path, files: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Write the job's batch files (``{kind: {"name": ..., "base64": ...}}``) into
    ``folder``; returns kind -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for kind, f in files.items():
        if kind not in INPUT_KINDS:
            raise ValueError(f"unknown input {kind!r}")
        path = folder / Path(f["name"]).name
        path.write_bytes(base64.b64decode(f["base64"]))
        paths[kind] = str(path)
    return paths


def _plan(
    url: str,
    params: Mapping[str, Any],
    tmp: Path,
    progress: Callable[[float, float, float], None],
) -> tuple[dict[str, Any], dict[str, bytes]]:
    opts = dict(params.get("options", {}))
    net = network.load(params.get("network"))
    paths = write_inputs(tmp / "in", params["files"])
    problem = read_problem(
        paths["shipments"],
        net,
        departures=paths.get("departures"),
        rates=paths.get("rates"),
        border_quota=paths.get("border_quota"),
        trucking=paths.get("trucking"),
        start=_date(opts.get("start")),
        days=opts.get("days"),
        scope=opts.get("scope", "shanxi"),
        unassigned_penalty=float(opts.get("unassigned_penalty", 20_000.0)),
    )
    with Ledger(url) as led:
        led.register_departures(
            problem.departures, quota=problem.quota, quota_by_date=problem.quota_by_date
        )
        base = led.version()
        booked, _ = lots(led.bookings("confirmed"), move_penalty=0.0, pin_all=True)
        problem = with_bookings(problem, booked, running(led.departures()))
    from routing.api import solve_problem  # the solver: in the solve process only
    from routing.io import write_plan

    plan = solve_problem(
        problem,
        time_limit=float(opts.get("time_limit", 30.0)),
        seed=int(opts.get("seed", 0)),
        progress=progress,
    )
    out = tmp / "plan"
    lang = str(opts.get("lang", "en"))
    draw = drawer(plan, net, bool(opts.get("offline", False)), lang)
    write_plan(plan, out, extra=draw if opts.get("maps", True) else None, lang=lang)
    files = {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    lot_ids = {s.shipment_id for s in booked}
    new = [a for a in plan.assignments if a.shipment_id not in lot_ids]
    ships = [s for s in problem.shipments if s.shipment_id not in lot_ids]
    files["commit.json"] = commit.dump(base, new, ships)
    result = {
        **{k: v for k, v in plan.summary.items() if _plain(v)},
        "base_version": base,
        "new_assignments": len(new),
    }
    return result, files


def _plain(v: Any) -> bool:
    """A value JSON holds as it is."""
    if isinstance(v, str | int | float | bool) or v is None:
        return True
    if isinstance(v, list | tuple):
        return all(_plain(x) for x in v)
    if isinstance(v, dict):
        return all(isinstance(k, str) and _plain(x) for k, x in v.items())
    return False


def _date(v: Any) -> Any:
    import datetime as dt

    return None if v is None else dt.date.fromisoformat(str(v))


def main(argv: list[str]) -> int:
    """``python -m railplan.service.solve URL JOB_ID MEMORY_MB`` (what the supervisor runs)."""
    url, job_id, memory_mb = argv
    # the solver and the maps before the memory cap (the API process, which imports this
    # module for write_inputs, never loads them): a shared library mapped under the cap can fail
    import maps  # noqa: F401
    import routing.optimise  # noqa: F401

    run_job(url, job_id, int(memory_mb))
    return 0


__all__ = ["INPUT_KINDS", "cap_memory", "execute", "main", "run_job", "write_inputs"]

if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
