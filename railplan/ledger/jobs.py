"""Solve jobs in the ledger's database: the queue, their state, events and result files.

:class:`JobStore` is the only code that reads or writes the jobs tables
(:mod:`railplan.ledger.job_tables`). Every method is one short transaction (SQLite: ``BEGIN
IMMEDIATE``, see :mod:`railplan.ledger.engine`), so the API and any number of workers, on
this machine or (with PostgreSQL) on others, share the queue without a broker.

Claiming is one conditional update, ``UPDATE jobs SET state='running' ... WHERE job_id=:id
AND state='queued'``: atomic on both databases, so two workers never run the same job. A
running job carries its worker's heartbeat; :meth:`JobStore.recover` hands a job whose
heartbeat stopped (its worker was killed) back to the queue while ``attempts <
max_attempts``, else marks it failed with the reason. No job is ever deleted or left
without a final state once its worker is gone.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import Engine, Table, func, insert, select, update
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from railplan.ledger import engine as eng
from railplan.ledger.errors import LedgerError, NotInitialised
from railplan.ledger.job_tables import FINAL_STATES, JobEventRow, JobFileRow, JobRow
from railplan.ledger.rows import aware
from railplan.ledger.versions import now

T = TypeVar("T")
JOBS = cast(Table, JobRow.__table__)
EVENTS = cast(Table, JobEventRow.__table__)
FILES = cast(Table, JobFileRow.__table__)
#: the columns of a job but its params (the batch itself: megabytes for a large one) and its
#: result: what a status read needs
BRIEF = tuple(c for c in JOBS.c if c.name not in ("params", "result"))


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """A job as stored (times aware, UTC)."""

    job_id: str
    kind: str
    state: str
    params: dict[str, Any]
    owner: str
    customer: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    heartbeat_at: dt.datetime | None
    attempts: int
    max_attempts: int
    worker: str | None
    pid: int | None
    cancel_requested: bool
    error: str | None
    elapsed_s: float | None
    best_cost: float | None
    bound: float | None
    gap: float | None
    result: dict[str, Any] | None
    committed_version: int | None

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES


@dataclass(frozen=True, slots=True, kw_only=True)
class JobEvent:
    """One event of a job: ``id`` increases over all jobs (the SSE ``id:`` field)."""

    id: int
    job_id: str
    at: dt.datetime
    kind: str
    data: dict[str, Any]


def worker_name() -> str:
    """``host:pid`` of this process: who holds a running job."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive_here(worker: str | None) -> bool | None:
    """Whether ``worker`` (``host:pid``) is a live process on this host; None for another
    host (only its heartbeat can tell)."""
    if not worker or ":" not in worker:
        return None
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (dead, not yet reaped) is not alive
        stat = open(f"/proc/{pid}/stat", encoding="ascii").read()  # noqa: SIM115
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]


def _job(r: Any) -> Job:
    m = r._mapping
    times = ("created_at", "started_at", "finished_at", "heartbeat_at")
    kw: dict[str, Any] = {"params": {}, "result": None} | {k: m[k] for k in m}
    for k in times:
        if kw[k] is not None:
            kw[k] = aware(kw[k])
    return Job(**kw)


class JobStore:
    """The jobs tables of the ledger at ``url`` (the schema comes from ``railplan ledger
    init``; a database at another revision is :class:`NotInitialised`)."""

    def __init__(self, url: str, *, busy_timeout: float = eng.BUSY_TIMEOUT_S) -> None:
        self.url = url
        self.engine: Engine = eng.make_engine(url, busy_timeout=busy_timeout)
        self._ready = False

    def close(self) -> None:
        self.engine.dispose()

    def _run(self, fn: Callable[[Connection], T], *, write: bool = True) -> T:
        if not self._ready:
            self.require_schema()
        try:
            if write:
                with self.engine.begin() as conn:
                    return fn(conn)
            opts = (
                {"isolation_level": "REPEATABLE READ"}
                if eng.is_postgres(self.engine)
                else dict(eng.READ)
            )
            with self.engine.connect().execution_options(**opts) as conn, conn.begin():
                return fn(conn)
        except SQLAlchemyError as e:
            text = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
            raise LedgerError([f"jobs database: {text}"]) from e

    def require_schema(self) -> None:
        """:class:`NotInitialised` unless the database is at the package's schema."""
        shown = make_url(self.url).render_as_string(hide_password=True)
        try:
            with self.engine.connect().execution_options(**eng.READ) as conn:
                rev = eng.current(conn)
        except SQLAlchemyError as e:
            raise LedgerError([f"--db {shown}: {e}"]) from e
        if rev != eng.head():
            raise NotInitialised(
                [f"--db {shown}: is at schema {rev}, not {eng.head()}; run railplan ledger init"]
            )
        self._ready = True

    # ------------------------------------------------------------------ submitting, reading

    def submit(
        self,
        kind: str,
        params: Mapping[str, Any],
        *,
        owner: str = "",
        customer: str | None = None,
        max_attempts: int = 2,
    ) -> Job:
        """Queue a job; returns it (state ``queued``, one ``state`` event)."""
        job_id = uuid.uuid4().hex
        t = now()

        def go(c: Connection) -> None:
            c.execute(
                insert(JOBS).values(
                    job_id=job_id,
                    kind=kind,
                    state="queued",
                    params=dict(params),
                    owner=owner,
                    customer=customer,
                    created_at=t,
                    attempts=0,
                    max_attempts=max_attempts,
                    cancel_requested=False,
                )
            )
            _event(c, job_id, "state", {"state": "queued"}, t)

        self._run(go)
        job = self.get(job_id)
        assert job is not None
        return job

    def get(self, job_id: str, *, brief: bool = False) -> Job | None:
        """The job; ``brief``: without reading its params and result (``{}`` and None in the
        record), for status reads that need neither."""

        def go(c: Connection) -> Job | None:
            cols = BRIEF if brief else (JOBS,)
            r = c.execute(select(*cols).where(JOBS.c.job_id == job_id)).first()
            return None if r is None else _job(r)

        return self._run(go, write=False)

    def jobs(
        self,
        *,
        customer: str | None = None,
        state: str | None = None,
        limit: int = 100,
        brief: bool = False,
    ) -> list[Job]:
        """The newest jobs first (only ``customer``'s when given; ``brief`` as in
        :meth:`get`)."""
        q = select(*(BRIEF if brief else (JOBS,))).order_by(JOBS.c.created_at.desc()).limit(limit)
        if customer is not None:
            q = q.where(JOBS.c.customer == customer)
        if state is not None:
            q = q.where(JOBS.c.state == state)
        return self._run(lambda c: [_job(r) for r in c.execute(q)], write=False)

    def events(self, job_id: str, after: int = 0) -> list[JobEvent]:
        """The job's events with ``id > after``, in order."""
        q = (
            select(EVENTS)
            .where(EVENTS.c.job_id == job_id, EVENTS.c.id > after)
            .order_by(EVENTS.c.id)
        )
        return self._run(
            lambda c: [
                JobEvent(id=r.id, job_id=r.job_id, at=aware(r.at), kind=r.kind, data=r.data)
                for r in c.execute(q)
            ],
            write=False,
        )

    def counts(self) -> dict[str, int]:
        """Jobs per state (every state, zeros included)."""
        from railplan.ledger.job_tables import JOB_STATES

        q = select(JOBS.c.state, func.count()).group_by(JOBS.c.state)
        got = self._run(lambda c: {s: int(n) for s, n in c.execute(q)}, write=False)
        return {s: got.get(s, 0) for s in JOB_STATES}

    def file(self, job_id: str, name: str) -> bytes | None:
        q = select(FILES.c.content).where(FILES.c.job_id == job_id, FILES.c.name == name)
        return self._run(lambda c: c.execute(q).scalar_one_or_none(), write=False)

    def file_names(self, job_id: str) -> list[str]:
        q = select(FILES.c.name).where(FILES.c.job_id == job_id).order_by(FILES.c.name)
        return self._run(lambda c: list(c.execute(q).scalars()), write=False)

    # ------------------------------------------------------------------ the worker's side

    def claim(self, worker: str) -> Job | None:
        """Take the oldest queued job for ``worker`` (state ``running``, one more attempt), or
        None when the queue is empty or another worker won every candidate."""

        def go(c: Connection) -> str | None:
            q = (
                select(JOBS.c.job_id)
                .where(JOBS.c.state == "queued")
                .order_by(JOBS.c.created_at)
                .limit(5)
            )
            for job_id in list(c.execute(q).scalars()):
                t = now()
                res = c.execute(
                    update(JOBS)
                    .where(JOBS.c.job_id == job_id, JOBS.c.state == "queued")
                    .values(
                        state="running",
                        attempts=JOBS.c.attempts + 1,
                        worker=worker,
                        pid=None,
                        started_at=t,
                        heartbeat_at=t,
                    )
                )
                if res.rowcount == 1:
                    _event(c, job_id, "state", {"state": "running", "worker": worker}, t)
                    return str(job_id)
            return None

        job_id = self._run(go)
        return None if job_id is None else self.get(job_id)

    def started(self, job_id: str, worker: str, pid: int) -> None:
        """Record the solve process of a job ``worker`` runs."""
        self._run(
            lambda c: c.execute(
                update(JOBS)
                .where(JOBS.c.job_id == job_id, JOBS.c.worker == worker)
                .values(pid=pid, heartbeat_at=now())
            )
        )

    def heartbeat(self, job_ids: Iterable[str], worker: str) -> set[str]:
        """Mark ``worker``'s running jobs alive; returns those whose cancel was requested."""
        ids = list(job_ids)
        if not ids:
            return set()

        def go(c: Connection) -> set[str]:
            c.execute(
                update(JOBS)
                .where(JOBS.c.job_id.in_(ids), JOBS.c.worker == worker, JOBS.c.state == "running")
                .values(heartbeat_at=now())
            )
            q = select(JOBS.c.job_id).where(
                JOBS.c.job_id.in_(ids), JOBS.c.cancel_requested.is_(True)
            )
            return set(c.execute(q).scalars())

        return self._run(go)

    def progress(
        self, job_id: str, *, elapsed_s: float, best_cost: float, bound: float, gap: float
    ) -> None:
        """The solve's progress: stored on the job and appended as a ``progress`` event."""
        data = {"elapsed_s": elapsed_s, "best_cost": best_cost, "bound": bound, "gap": gap}

        def go(c: Connection) -> None:
            res = c.execute(
                update(JOBS)
                .where(JOBS.c.job_id == job_id, JOBS.c.state == "running")
                .values(heartbeat_at=now(), **data)
            )
            if res.rowcount == 1:
                _event(c, job_id, "progress", data, now())

        self._run(go)

    def finish(self, job_id: str, result: Mapping[str, Any], files: Mapping[str, bytes]) -> bool:
        """Mark a running job done with its result and files, in one transaction; False (and
        nothing written) if the job is no longer running (cancelled, or taken over)."""

        def go(c: Connection) -> bool:
            t = now()
            res = c.execute(
                update(JOBS)
                .where(JOBS.c.job_id == job_id, JOBS.c.state == "running")
                .values(state="done", finished_at=t, result=dict(result), error=None)
            )
            if res.rowcount != 1:
                return False
            for name, content in sorted(files.items()):
                c.execute(insert(FILES).values(job_id=job_id, name=name, content=content))
            _event(c, job_id, "state", {"state": "done", **_brief(result)}, t)
            return True

        return self._run(go)

    def fail(self, job_id: str, reason: str, *, retry: bool = False) -> str | None:
        """A running (or queued) job went wrong: back to the queue when ``retry`` and an
        attempt is left, else failed with ``reason``. Returns the new state (None: the job had
        already ended)."""

        def go(c: Connection) -> str | None:
            r = c.execute(select(JOBS).where(JOBS.c.job_id == job_id).with_for_update()).first()
            if r is None or r.state in FINAL_STATES:
                return None
            t = now()
            if r.cancel_requested:
                state, vals = "cancelled", {"finished_at": t, "error": "cancelled"}
            elif retry and r.attempts < r.max_attempts:
                state, vals = "queued", {"worker": None, "pid": None, "error": reason}
            else:
                state, vals = "failed", {"finished_at": t, "error": reason}
            c.execute(update(JOBS).where(JOBS.c.job_id == job_id).values(state=state, **vals))
            _event(c, job_id, "state", {"state": state, "reason": reason}, t)
            return state

        return self._run(go)

    def cancel(self, job_id: str) -> Job | None:
        """Cancel a job: a queued one at once; a running one is asked to stop (its worker
        kills the solve and marks it cancelled); a finished one stays as it is."""

        def go(c: Connection) -> bool:
            r = c.execute(select(JOBS).where(JOBS.c.job_id == job_id).with_for_update()).first()
            if r is None:
                return False
            t = now()
            if r.state == "queued":
                c.execute(
                    update(JOBS)
                    .where(JOBS.c.job_id == job_id, JOBS.c.state == "queued")
                    .values(state="cancelled", cancel_requested=True, finished_at=t)
                )
                _event(c, job_id, "state", {"state": "cancelled"}, t)
            elif r.state == "running" and not r.cancel_requested:
                c.execute(update(JOBS).where(JOBS.c.job_id == job_id).values(cancel_requested=True))
                _event(c, job_id, "cancel", {"requested": True}, t)
            return True

        return self.get(job_id, brief=True) if self._run(go) else None

    def mark_committed(self, job_id: str, version: int) -> None:
        self._run(
            lambda c: c.execute(
                update(JOBS).where(JOBS.c.job_id == job_id).values(committed_version=version)
            )
        )

    def recover(self, *, stale_after_s: float, at: dt.datetime | None = None) -> list[str]:
        """Running jobs whose worker is gone (a dead process on this host, or no heartbeat for
        ``stale_after_s``): each goes back to the queue if it has an attempt left, else fails
        with the reason. Returns their ids."""
        t = aware(at or now())
        running = self.jobs(state="running", limit=10_000, brief=True)
        lost = []
        for j in running:
            alive = _alive_here(j.worker)
            beat = j.heartbeat_at or j.started_at or j.created_at
            silent = (t - beat).total_seconds()
            if alive is False:
                why = f"worker {j.worker} died (attempt {j.attempts} of {j.max_attempts})"
            elif silent > stale_after_s:
                why = (
                    f"worker {j.worker} lost: no heartbeat for {silent:.0f} s "
                    f"(attempt {j.attempts} of {j.max_attempts})"
                )
            else:
                continue
            if self.fail(j.job_id, why, retry=True) is not None:
                lost.append(j.job_id)
        return lost


def _brief(result: Mapping[str, Any]) -> dict[str, Any]:
    keys = ("status", "objective", "total_cost", "bound", "gap")
    return {k: result[k] for k in keys if k in result}


def _event(c: Connection, job_id: str, kind: str, data: dict[str, Any], at: dt.datetime) -> None:
    c.execute(insert(EVENTS).values(job_id=job_id, at=at, kind=kind, data=data))


__all__ = ["Job", "JobEvent", "JobStore", "worker_name"]
