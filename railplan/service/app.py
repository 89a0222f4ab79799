"""The FastAPI app of ``railplan serve``: :func:`create_app`.

The app holds one :class:`~railplan.ledger.Ledger`, one :class:`~railplan.ledger.JobStore`
and the network, loaded once. Solves never run here: ``POST /v1/plans`` queues a job that a
supervisor (a thread of the server when ``settings.workers > 0``, or ``railplan worker``
elsewhere) runs in a spawned process.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

import network
from railplan.ledger import JobStore, Ledger, LedgerError, TokenStore
from railplan.service import errors
from railplan.service.auth import Gate, require
from railplan.service.metrics import Latencies, Middleware, job_metrics
from railplan.service.models import Health, ProblemOut
from railplan.service.routes_jobs import router as jobs_router
from railplan.service.routes_ledger import router as ledger_router
from railplan.service.routes_quotes import router as quotes_router
from railplan.service.settings import Settings
from railplan.service.worker import WorkerSettings, start_thread

VERSION = "1"


def create_app(settings: Settings) -> FastAPI:
    """The app on ``settings.db`` (a ledger made by ``railplan ledger init``)."""
    led = Ledger(settings.db)
    jobs = JobStore(settings.db)
    tokens = TokenStore(jobs)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sup = None
        if settings.workers > 0:
            sup, thread = start_thread(
                WorkerSettings(
                    url=settings.db, slots=settings.workers, memory_mb=settings.memory_mb
                )
            )
        try:
            yield
        finally:
            if sup is not None:
                sup.stop()
                thread.join(10)
            led.close()
            jobs.close()

    app = FastAPI(
        title="railplan",
        version=VERSION,
        summary="Plan Shanxi's international container trains: jobs, plans, the booking ledger.",
        lifespan=lifespan,
        responses={500: {"model": ProblemOut, "content": {"application/problem+json": {}}}},
    )
    app.state.settings = settings
    app.state.ledger = led
    app.state.jobs = jobs
    app.state.tokens = tokens
    app.state.gate = Gate(tokens, settings.auth_cache_s)
    app.state.net = network.load(settings.network_dir)
    app.state.latencies = Latencies()
    app.state.departures = {}
    errors.install(app)
    app.include_router(jobs_router)
    app.include_router(ledger_router)
    app.include_router(quotes_router)
    _health(app)
    app.add_middleware(
        Middleware,
        latencies=app.state.latencies,
        max_body_bytes=settings.max_body_bytes,
    )
    return app


def _health(app: FastAPI) -> None:
    @app.get("/healthz", response_model=Health)
    def healthz() -> Health:
        """The process answers."""
        return Health(status="ok")

    @app.get("/readyz", response_model=Health, responses={503: {"model": ProblemOut}})
    def readyz(request: Request) -> Health:
        """The database answers and is at the package's schema (else 503)."""
        led: Ledger = request.app.state.ledger
        from railplan.ledger.engine import head

        v = led.version()  # NotInitialised / LedgerError -> 503
        return Health(status="ready", schema_revision=head(), ledger_version=v)

    auth = {
        c: {"model": ProblemOut, "content": {"application/problem+json": {}}} for c in (401, 403)
    }

    @app.get("/metrics", response_class=PlainTextResponse, responses=auth)  # type: ignore[arg-type]
    async def metrics(request: Request) -> PlainTextResponse:
        """Prometheus text: jobs by state, solve seconds, request latencies."""
        await run_in_threadpool(require("viewer"), request)
        st = request.app.state
        try:
            counts = await run_in_threadpool(st.jobs.counts)
            done = await run_in_threadpool(st.jobs.jobs, state="done", limit=10_000)
        except LedgerError:
            counts, done = {}, []
        secs = [float((j.result or {}).get("solve_seconds", 0.0)) for j in done]
        lines = job_metrics(counts, (len(secs), sum(secs))) + st.latencies.text()
        return PlainTextResponse("\n".join(lines) + "\n", media_type="text/plain; version=0.0.4")


__all__ = ["VERSION", "create_app"]
