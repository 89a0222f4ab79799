"""``/v1/plans`` and ``/v1/jobs``: submit a batch, follow its job, fetch and commit its plan."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from railplan.ledger import Job, JobStore, Ledger
from railplan.service import commit, replan
from railplan.service.auth import Caller, require
from railplan.service.batch import XLSX, PlanOptions, check_batch, files_of
from railplan.service.errors import Problem
from railplan.service.models import (
    CommitOut,
    IsoDate,
    JobList,
    JobOut,
    PlanBatch,
    PlanOut,
    ProblemOut,
    ReplanIn,
)
from routing.io import read_table

router = APIRouter(prefix="/v1")
ERRORS: dict[int | str, dict[str, Any]] = {
    c: {"model": ProblemOut, "content": {"application/problem+json": {}}}
    for c in (400, 401, 403, 404, 409, 422)
}
#: seconds between two looks at a job's events while a client follows them
EVENTS_POLL_S = 0.3
#: a comment line this often keeps proxies from closing a quiet event stream
KEEPALIVE_S = 15.0

Viewer = Annotated[Caller, Depends(require("viewer"))]
Planner = Annotated[Caller, Depends(require("planner"))]


def _store(request: Request) -> JobStore:
    store: JobStore = request.app.state.jobs
    return store


#: the kinds of job whose result is a plan (read and committed through ``/v1/plans/{id}``)
PLAN_KINDS = ("plan", "replan")


def job_out(j: Job) -> JobOut:
    links = {"self": f"/v1/jobs/{j.job_id}", "events": f"/v1/jobs/{j.job_id}/events"}
    if j.kind in PLAN_KINDS:
        links["plan"] = f"/v1/plans/{j.job_id}"
    return JobOut(
        job_id=j.job_id,
        kind=j.kind,
        state=j.state,  # type: ignore[arg-type]
        created_at=j.created_at,
        started_at=j.started_at,
        finished_at=j.finished_at,
        attempts=j.attempts,
        max_attempts=j.max_attempts,
        cancel_requested=j.cancel_requested,
        error=j.error,
        elapsed_s=j.elapsed_s,
        best_cost=j.best_cost,
        bound=j.bound,
        gap=j.gap,
        customer=j.customer,
        committed_version=j.committed_version,
        links=links,
    )


def visible_job(store: JobStore, job_id: str, caller: Caller, *, brief: bool = False) -> Job:
    """The job, if it exists and the caller may see it (404 otherwise: a customer's token
    does not learn that another customer's job exists); ``brief``: without its params and
    result (:meth:`~railplan.ledger.JobStore.get`)."""
    j = store.get(job_id, brief=brief)
    if j is None or not caller.sees(j.customer):
        raise Problem(404, [f"job {job_id}: no such job"])
    return j


PLAN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": PlanBatch.model_json_schema(ref_template="#/components/schemas/{model}")
            },
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.post(
    "/plans",
    status_code=202,
    response_model=JobOut,
    responses=ERRORS | {413: ERRORS[409], 415: ERRORS[409]},
    openapi_extra=PLAN_BODY,
    summary="Plan a batch (a job)",
)
async def submit_plan(
    request: Request,
    response: Response,
    caller: Planner,
    start: IsoDate | None = None,
    days: Annotated[int | None, Query(ge=1, le=1096)] = None,
    scope: Literal["shanxi", "national", "all"] = "shanxi",
    unassigned_penalty: Annotated[float, Query(ge=0, le=1e9)] = 20_000.0,
    time_limit: Annotated[float, Query(gt=0, le=86_400)] = 30.0,
    seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    maps: bool = True,
    offline: bool = False,
    lang: Literal["en", "zh"] = "en",
) -> JobOut:
    """A batch as JSON tables, or one shipments file as the body (``text/csv``, or an XLSX
    workbook whose sheets may hold the other tables); the options of ``railplan plan`` as
    query parameters. Every problem of the batch is a ``422`` line, as the CLI prints it."""
    st = request.app.state
    opts = PlanOptions(
        start=start,
        days=days,
        scope=scope,
        unassigned_penalty=unassigned_penalty,
        time_limit=time_limit,
        seed=seed,
        maps=maps,
        offline=offline,
        lang=lang,
    )
    opts.check(st.settings.max_time_limit_s)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    files = files_of(media, await request.body(), st.settings.max_shipments)
    customers = await run_in_threadpool(check_batch, files, opts, st.net, st.settings.max_shipments)
    if caller.customer is not None and customers - {caller.customer}:
        others = ", ".join(sorted(repr(c) for c in customers - {caller.customer}))
        raise Problem(
            403, [f"this token plans for {caller.customer!r} only; the batch has {others}"]
        )
    params = {"files": files, "options": opts.as_json(), "network": st.settings.network_dir}
    job = await run_in_threadpool(
        _store(request).submit, "plan", params, owner=caller.token_id, customer=caller.customer
    )
    response.headers["Location"] = f"/v1/jobs/{job.job_id}"
    return job_out(job)


def running_ids(led: Ledger) -> set[str]:
    return {d.departure.departure_id for d in led.departures() if d.state != "cancelled"}


@router.post(
    "/replans",
    status_code=202,
    response_model=JobOut,
    responses=ERRORS,
    summary="Re-plan the ledger's bookings after events (a job)",
)
async def submit_replan(
    request: Request, response: Response, caller: Planner, body: ReplanIn
) -> JobOut:
    """The ledger's confirmed bookings planned again after the events of the body (as
    ``railplan replan``), in a solve process. The result is a plan (``/v1/plans/{id}``, with
    ``changes.csv``); ``commit: true`` books it as soon as it is made, else
    ``POST /v1/plans/{id}/commit`` does (``409`` if the ledger moved on meanwhile)."""
    st = request.app.state
    if caller.customer is not None:
        raise Problem(403, ["a re-plan moves every customer's bookings: not for a customer token"])
    led: Ledger = st.ledger
    trains = await run_in_threadpool(running_ids, led)
    params, problems = replan.check(body, st.net, trains)
    if body.time_limit > st.settings.max_time_limit_s:
        problems.append(
            f"time_limit {body.time_limit:g}: expected over 0 to {st.settings.max_time_limit_s:g} s"
        )
    if problems:
        raise Problem(422, problems)
    params |= {"network": st.settings.network_dir, "who": f"service:{caller.token_id or 'open'}"}
    job = await run_in_threadpool(_store(request).submit, "replan", params, owner=caller.token_id)
    response.headers["Location"] = f"/v1/jobs/{job.job_id}"
    return job_out(job)


@router.get("/jobs", response_model=JobList, responses=ERRORS)
def list_jobs(
    request: Request,
    caller: Viewer,
    state: Literal["queued", "running", "done", "failed", "cancelled"] | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> JobList:
    """The newest jobs first (a customer's token: only its own)."""
    jobs = _store(request).jobs(customer=caller.customer, state=state, limit=limit, brief=True)
    return JobList(jobs=[job_out(j) for j in jobs])


@router.get("/jobs/{job_id}", response_model=JobOut, responses=ERRORS)
def get_job(request: Request, job_id: str, caller: Viewer) -> JobOut:
    """State (queued, running, done, failed, cancelled), elapsed, best cost, bound, gap."""
    return job_out(visible_job(_store(request), job_id, caller, brief=True))


@router.delete("/jobs/{job_id}", response_model=JobOut, responses=ERRORS)
def cancel_job(request: Request, job_id: str, caller: Planner) -> JobOut:
    """Cancel a job: a queued one at once, a running one within a second or so (its solve
    process is killed); a finished job stays as it is."""
    store = _store(request)
    visible_job(store, job_id, caller, brief=True)
    j = store.cancel(job_id)
    assert j is not None
    return job_out(j)


def _sse(event_id: int, kind: str, data: dict[str, Any]) -> str:
    return f"id: {event_id}\nevent: {kind}\ndata: {json.dumps(data, default=str)}\n\n"


async def _follow(store: JobStore, job_id: str, after: int) -> AsyncIterator[str]:
    last, quiet = after, 0.0
    while True:
        events = await run_in_threadpool(store.events, job_id, last)
        for e in events:
            last = e.id
            yield _sse(e.id, e.kind, {"job_id": job_id, "at": e.at.isoformat(), **e.data})
        if events:
            quiet = 0.0
        job = await run_in_threadpool(store.get, job_id)
        if job is None or job.final:
            rest = await run_in_threadpool(store.events, job_id, last)
            for e in rest:
                yield _sse(e.id, e.kind, {"job_id": job_id, "at": e.at.isoformat(), **e.data})
            return
        await asyncio.sleep(EVENTS_POLL_S)
        quiet += EVENTS_POLL_S
        if quiet >= KEEPALIVE_S:
            quiet = 0.0
            yield ": keep-alive\n\n"


@router.get(
    "/jobs/{job_id}/events",
    responses=ERRORS | {200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}},
    response_class=StreamingResponse,
)
def job_events(
    request: Request,
    job_id: str,
    caller: Viewer,
    last_event_id: Annotated[str | None, Header()] = None,
) -> StreamingResponse:
    """Server-Sent Events: every state change and progress report of the job as it happens
    (``event: state`` / ``progress`` / ``cancel``, ``id:`` increasing); the stream closes
    after the job's end. Send ``Last-Event-ID`` to resume after that event."""
    store = _store(request)
    visible_job(store, job_id, caller, brief=True)
    after = int(last_event_id) if last_event_id and last_event_id.strip().isdigit() else 0
    return StreamingResponse(
        _follow(store, job_id, after),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


def done_plan(request: Request, job_id: str, caller: Caller) -> Job:
    j = visible_job(_store(request), job_id, caller)
    if j.kind not in PLAN_KINDS:
        raise Problem(404, [f"job {job_id} is a {j.kind} job, not a plan"])
    if j.state != "done":
        why = f": {j.error}" if j.error else ""
        raise Problem(409, [f"plan {job_id} is not ready: its job is {j.state}{why}"])
    return j


def _rows(store: JobStore, job_id: str, name: str) -> list[dict[str, str]]:
    import tempfile
    from pathlib import Path

    content = store.file(job_id, name) or b""
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / name
        p.write_bytes(content)
        _, rows = read_table(p)
    return [r for _, r in rows]


@router.get("/plans/{job_id}", response_model=PlanOut, responses=ERRORS)
def get_plan(request: Request, job_id: str, caller: Viewer) -> PlanOut:
    """The finished plan: summary, assignments, trains and unassigned shipments."""
    job = done_plan(request, job_id, caller)
    store = _store(request)
    summary = json.loads(store.file(job_id, "summary.json") or b"{}")
    return PlanOut(
        job_id=job_id,
        summary=summary,
        assignments=_rows(store, job_id, "assignments.csv"),
        trains=_rows(store, job_id, "trains.csv"),
        unassigned=_rows(store, job_id, "unassigned.csv"),
        files=[n for n in store.file_names(job_id) if n != "commit.json"],
        job_result=job.result or {},
    )


PLAN_FILES = {
    "assignments.csv": ("assignments.csv", "text/csv; charset=utf-8"),
    "trains.csv": ("trains.csv", "text/csv; charset=utf-8"),
    "unassigned.csv": ("unassigned.csv", "text/csv; charset=utf-8"),
    "emissions.csv": ("emissions.csv", "text/csv; charset=utf-8"),
    "changes.csv": ("changes.csv", "text/csv; charset=utf-8"),
    "plan.xlsx": ("plan.xlsx", XLSX),
    "map": ("map.html", "text/html; charset=utf-8"),
    "report": ("report.html", "text/html; charset=utf-8"),
}


def _file_route(path: str, name: str, media: str) -> None:
    @router.get(
        f"/plans/{{job_id}}/{path}",
        responses=ERRORS
        | {200: {"content": {media.split(";")[0]: {"schema": {"type": "string"}}}}},
        response_class=Response,
        name=f"plan_{path.replace('.', '_')}",
        summary=f"The plan's {name}",
    )
    def get_file(request: Request, job_id: str, caller: Viewer) -> Response:
        done_plan(request, job_id, caller)
        content = _store(request).file(job_id, name)
        if content is None:
            why = " (a re-plan's only)" if name == "changes.csv" else " (planned with maps=false?)"
            raise Problem(404, [f"plan {job_id} has no {name}{why}"])
        return Response(content, media_type=media)


for _path, (_name, _media) in PLAN_FILES.items():
    _file_route(_path, _name, _media)


@router.post("/plans/{job_id}/commit", response_model=CommitOut, responses=ERRORS)
def commit_plan(request: Request, job_id: str, caller: Planner) -> CommitOut:
    """Book the plan's new assignments, as one ledger transaction on the version the plan was
    made on: ``409`` if the ledger has moved on since (plan again) or the plan was committed."""
    j = done_plan(request, job_id, caller)
    if j.committed_version is not None:
        raise Problem(
            409, [f"plan {job_id} was committed already (ledger version {j.committed_version})"]
        )
    content = _store(request).file(job_id, "commit.json")
    if content is None:
        raise Problem(409, [f"plan {job_id} has nothing to commit"])
    base, assignments, shipments = commit.load(content)
    moves = commit.moves_of(content)
    led: Ledger = request.app.state.ledger
    res = led.commit_assignments(
        assignments,
        shipments=shipments,
        base_version=base,
        who=f"service:{caller.token_id or 'open'}",
        objective=(j.result or {}).get("objective"),
        **moves.ledger_args(),
    )
    _store(request).mark_committed(job_id, res.version)
    return CommitOut(job_id=job_id, version=res.version, booking_ids=list(res.booking_ids))


__all__ = ["job_out", "router", "visible_job"]
