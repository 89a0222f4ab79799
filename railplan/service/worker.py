"""The supervisor: claim queued jobs and run each in its own spawned process.

A job's process is a fresh interpreter (``python -m railplan.service.solve URL JOB MB``):
the spawn start method's semantics (nothing inherited but the environment; forking a process
that runs threads can deadlock) without multiprocessing's re-import of the parent's main
module, so it works the same under ``railplan serve``, ``railplan worker`` and pytest.

One :class:`Supervisor` runs inside ``railplan serve`` (in a thread: it only polls the
database and watches processes, it never solves) and one in each ``railplan worker``. Every
``poll_s`` it

1. hands back jobs whose worker is gone (:meth:`railplan.ledger.JobStore.recover`: a dead
   process on this host at once, a silent one on another host after ``stale_after_s``);
2. beats the heart of its running jobs and kills those whose cancel was asked
   (state ``cancelled``);
3. ends jobs whose process died without recording an end (``kill -9``, out of memory,
   a segfault): retried once if an attempt is left, else failed with the reason;
4. kills a job past its wall-clock budget (``time_limit`` plus ``grace_s``): failed;
5. claims queued jobs while fewer than ``slots`` run.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from railplan.ledger import Job, JobStore, LedgerError, worker_name

#: seconds a running job may go without a heartbeat before another worker takes it over
STALE_AFTER_S = 8.0


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkerSettings:
    """The knobs of a supervisor."""

    url: str
    slots: int = 1
    poll_s: float = 0.5
    stale_after_s: float = STALE_AFTER_S
    memory_mb: int = 4096
    #: seconds a job may run past its own time limit (reading, building, writing the plan)
    grace_s: float = 120.0


@dataclass(slots=True)
class _Running:
    job: Job
    proc: subprocess.Popen[bytes]
    started: float
    budget_s: float


@dataclass(slots=True)
class Supervisor:
    """Runs jobs of the database at ``settings.url`` until :meth:`stop`."""

    settings: WorkerSettings
    name: str = field(default_factory=worker_name)
    running: dict[str, _Running] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        """Supervise until :meth:`stop`; then kill what still runs and hand it back."""
        store = JobStore(self.settings.url)
        try:
            while not self._stop.is_set():
                try:
                    self.step(store)
                except LedgerError:  # the database is away for a moment: next round
                    pass
                except Exception as e:  # never let the loop die: jobs would wait forever
                    print(f"railplan worker: {type(e).__name__}: {e}", file=sys.stderr)
                self._stop.wait(self.settings.poll_s)
        finally:
            self._hand_back(store)
            store.close()

    def step(self, store: JobStore) -> None:
        """One round of the loop (see the module docstring)."""
        store.recover(stale_after_s=self.settings.stale_after_s)
        cancel = store.heartbeat(self.running, self.name)
        now = time.monotonic()
        for job_id, r in list(self.running.items()):
            if job_id in cancel:
                _kill(r.proc)
                store.fail(job_id, "cancelled")
                del self.running[job_id]
            elif r.proc.poll() is not None:
                del self.running[job_id]
                if r.proc.returncode != 0:  # a clean end recorded itself
                    store.fail(job_id, _death(r.proc.returncode), retry=True)
                else:
                    store.fail(job_id, "the solve process ended without a result")
            elif now - r.started > r.budget_s:
                _kill(r.proc)
                del self.running[job_id]
                store.fail(job_id, f"killed after {r.budget_s:.0f} s: past its time limit")
        while len(self.running) < self.settings.slots and not self._stop.is_set():
            job = store.claim(self.name)
            if job is None:
                break
            self._start(store, job)

    def _start(self, store: JobStore, job: Job) -> None:
        args = [sys.executable, "-m", "railplan.service.solve", self.settings.url]
        proc = subprocess.Popen(
            [*args, job.job_id, str(self.settings.memory_mb)], stdin=subprocess.DEVNULL
        )
        store.started(job.job_id, self.name, proc.pid)
        limit = solve_seconds(job.params)
        self.running[job.job_id] = _Running(
            job=job, proc=proc, started=time.monotonic(), budget_s=limit + self.settings.grace_s
        )

    def _hand_back(self, store: JobStore) -> None:
        for job_id, r in list(self.running.items()):
            _kill(r.proc)
            with contextlib.suppress(LedgerError):  # else the next worker recovers it
                store.fail(job_id, f"worker {self.name} stopped", retry=True)
        self.running.clear()


def solve_seconds(params: Mapping[str, Any]) -> float:
    """The seconds of solving a job asks for: a plan's ``options.time_limit``; a re-plan's
    ``time_limit`` once for each of its move penalties."""
    if "options" in params:
        return float(params["options"].get("time_limit", 30.0))
    n = max(1, len(params.get("move_penalties") or []))
    return float(params.get("time_limit", 30.0)) * n


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


def _death(exitcode: int | None) -> str:
    """Why a solve process ended without recording its end."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (killed, or out of memory)" if name == "SIGKILL" else ""
        return f"the solve process was killed by {name}{hint}"
    return f"the solve process exited with status {exitcode}"


def start_thread(settings: WorkerSettings) -> tuple[Supervisor, threading.Thread]:
    """A supervisor in a daemon thread of this process (``railplan serve``)."""
    sup = Supervisor(settings)
    t = threading.Thread(target=sup.run, name="railplan-supervisor", daemon=True)
    t.start()
    return sup, t


__all__ = ["STALE_AFTER_S", "Supervisor", "WorkerSettings", "solve_seconds", "start_thread"]
