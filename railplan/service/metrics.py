"""Request latencies and the body-size limit (one ASGI middleware), and the Prometheus text of
``GET /metrics``.

Latencies are kept per (method, route template, status) in a histogram with fixed buckets,
so ``/metrics`` shows ``railplan_http_request_duration_seconds_bucket{le=...}`` as
Prometheus expects; jobs by state and solve seconds come from the jobs table.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from railplan.service.errors import problem_response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Latencies:
    """Histogram of request durations per (method, route, status)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: dict[tuple[str, str, int], list[int]] = defaultdict(
            lambda: [0] * (len(BUCKETS) + 1)
        )
        self.sums: dict[tuple[str, str, int], float] = defaultdict(float)

    def add(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        with self.lock:
            self.counts[key][bisect.bisect_left(BUCKETS, seconds)] += 1
            self.sums[key] += seconds

    def text(self) -> list[str]:
        name = "railplan_http_request_duration_seconds"
        out = [
            f"# HELP {name} Time to answer a request, by method, route and status.",
            f"# TYPE {name} histogram",
        ]
        with self.lock:
            for (method, route, status), counts in sorted(self.counts.items()):
                labels = f'method="{method}",route="{route}",status="{status}"'
                total = 0
                for le, n in zip((*BUCKETS, float("inf")), counts, strict=True):
                    total += n
                    shown = "+Inf" if le == float("inf") else f"{le:g}"
                    out.append(f'{name}_bucket{{{labels},le="{shown}"}} {total}')
                out.append(f"{name}_sum{{{labels}}} {self.sums[(method, route, status)]:.6f}")
                out.append(f"{name}_count{{{labels}}} {total}")
        return out


class Middleware:
    """Times every request and refuses bodies over ``max_body_bytes`` with 413 (by its
    ``Content-Length`` at once, or as soon as a streamed body passes the limit)."""

    def __init__(self, app: ASGIApp, latencies: Latencies, max_body_bytes: int) -> None:
        self.app = app
        self.latencies = latencies
        self.max = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        status = [500]
        too_big = f"request body over {self.max:,} bytes; expected at most {self.max:,}"

        async def sending(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                status[0] = int(msg["status"])
            await send(msg)

        length = dict(scope.get("headers") or []).get(b"content-length")
        try:
            if length is not None and length.isdigit() and int(length) > self.max:
                await problem_response(413, [too_big])(scope, receive, sending)
                return
            seen = [0]

            async def receiving() -> Message:
                msg = await receive()
                seen[0] += len(msg.get("body", b""))
                if seen[0] > self.max:
                    raise _TooBig
                return msg

            try:
                await self.app(scope, receiving, sending)
            except _TooBig:
                await problem_response(413, [too_big])(scope, receive, sending)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            self.latencies.add(scope["method"], path, status[0], time.perf_counter() - t0)


class _TooBig(Exception):
    pass


def job_metrics(counts: Mapping[str, int], solve: tuple[int, float]) -> list[str]:
    """Prometheus lines of the jobs: how many in each state, and the solve seconds of the
    finished ones (count and sum)."""
    out = ["# HELP railplan_jobs Jobs by state.", "# TYPE railplan_jobs gauge"]
    out += [f'railplan_jobs{{state="{s}"}} {n}' for s, n in counts.items()]
    n, total = solve
    out += [
        "# HELP railplan_job_solve_seconds Solver seconds of finished jobs.",
        "# TYPE railplan_job_solve_seconds summary",
        f"railplan_job_solve_seconds_count {n}",
        f"railplan_job_solve_seconds_sum {total:.3f}",
    ]
    return out


__all__ = ["Latencies", "Middleware", "job_metrics"]
