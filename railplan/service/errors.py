"""Errors as RFC 9457 problem details (``application/problem+json``).

Every error answer is ``{"type", "title", "status", "detail", "errors"}``: ``errors`` holds
one line per problem, the same lines the CLI prints after ``error:`` (a bad batch: one per
file, row and column), ``detail`` joins them. Bad input is 422, a business refusal (a full
train, a stale ledger version, an unknown booking on a known route) 409, never 500.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from network.io import TableError
from railplan.ledger import Conflict, LedgerError, NotInitialised, Refused

PROBLEM = "application/problem+json"
TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    500: "Internal server error",
    503: "Service unavailable",
}


class Problem(Exception):
    """An error answer: ``status`` and one line per problem."""

    def __init__(
        self, status: int, problems: Sequence[str], *, headers: dict[str, str] | None = None
    ) -> None:
        self.status = status
        self.problems = list(problems)
        self.headers = headers or {}
        super().__init__("; ".join(self.problems))


def problem_response(
    status: int, problems: Sequence[str], headers: dict[str, str] | None = None
) -> JSONResponse:
    title = TITLES.get(status, "Error")
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": "; ".join(problems) or title,
        "errors": list(problems) or [title],
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _validation_lines(exc: RequestValidationError) -> list[str]:
    lines = []
    for e in exc.errors():
        where = ".".join(str(p) for p in e.get("loc", ()))
        got = e.get("input")
        shown = "" if got is None or isinstance(got, dict | list) else f" {str(got)[:80]!r}:"
        lines.append(f"{where}:{shown} {e.get('msg', 'invalid')}")
    return lines


def allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """The methods of every route whose path matches the request's."""
    methods: set[str] = set()
    for route in app.router.routes:
        regex = getattr(route, "path_regex", None)
        if regex is not None and regex.match(request.url.path):
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def install(app: FastAPI) -> None:
    """Map every exception to a problem answer."""

    @app.exception_handler(Problem)
    async def _problem(_r: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.problems, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # every method of the path, not only the first route's
            headers["Allow"] = ", ".join(allowed_methods(app, request))
        return problem_response(exc.status_code, [str(exc.detail)], headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_r: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(422, _validation_lines(exc))

    @app.exception_handler(TableError)
    async def _input(_r: Request, exc: TableError) -> JSONResponse:
        return problem_response(422, exc.problems)

    @app.exception_handler(LedgerError)
    async def _ledger(_r: Request, exc: LedgerError) -> JSONResponse:
        if isinstance(exc, Refused | Conflict):
            return problem_response(409, exc.problems)
        if isinstance(exc, NotInitialised):
            return problem_response(503, exc.problems)
        return problem_response(503, exc.problems)

    @app.exception_handler(Exception)
    async def _internal(_r: Request, exc: Exception) -> JSONResponse:
        return problem_response(500, [f"internal error: {type(exc).__name__}: {exc}"])


__all__ = ["PROBLEM", "Problem", "install", "problem_response"]
