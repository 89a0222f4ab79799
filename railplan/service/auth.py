"""Who may do what: bearer tokens and their roles.

Roles are ordered, each may do what the one before may: ``viewer`` reads (jobs, plans, trains,
bookings, the network, the timetable); ``planner`` also plans, re-plans, commits, books and
cancels; ``admin`` also manages tokens. A token scoped to a customer reaches only that
customer's bookings and jobs, and books only for it.

While the database holds no live token the service is open (every caller acts as an admin);
``railplan serve`` then refuses to listen on anything but loopback. Once a token exists,
every ``/v1`` request needs one: none or an unknown one is 401, a role too low 403.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import Request

from railplan.ledger import TokenInfo, TokenStore
from railplan.service.errors import Problem

RANK = {"viewer": 0, "planner": 1, "admin": 2}


@dataclass(frozen=True, slots=True, kw_only=True)
class Caller:
    """Who is calling: a token's id (``""`` in the open mode), its role and customer scope."""

    token_id: str
    role: str
    customer: str | None = None

    def may(self, role: str) -> bool:
        return RANK[self.role] >= RANK[role]

    def sees(self, customer: str | None) -> bool:
        """Whether this caller may see a record of ``customer``."""
        return self.customer is None or self.customer == customer


OPEN = Caller(token_id="", role="admin")


class Gate:
    """Checks the ``Authorization: Bearer`` header against the token store; answers are
    cached for ``cache_s`` seconds (a revoked token stops within that time)."""

    def __init__(self, tokens: TokenStore, cache_s: float) -> None:
        self.tokens = tokens
        self.cache_s = cache_s
        self._any: tuple[float, bool] = (-1e9, False)
        self._seen: dict[str, tuple[float, TokenInfo | None]] = {}

    def open_mode(self) -> bool:
        """True while no live token exists."""
        t, live = self._any
        if time.monotonic() - t > self.cache_s:
            live = self.tokens.any_live()
            self._any = (time.monotonic(), live)
        return not live

    def caller(self, request: Request) -> Caller:
        if self.open_mode():
            return OPEN
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Problem(
                401,
                ["expected an Authorization: Bearer TOKEN header (railplan token create)"],
                headers={"WWW-Authenticate": "Bearer"},
            )
        info = self._verify(token.strip())
        if info is None:
            raise Problem(401, ["unknown or revoked token"], headers={"WWW-Authenticate": "Bearer"})
        return Caller(token_id=info.token_id, role=info.role, customer=info.customer)

    def _verify(self, token: str) -> TokenInfo | None:
        hit = self._seen.get(token)
        if hit is not None and time.monotonic() - hit[0] <= self.cache_s:
            return hit[1]
        info = self.tokens.verify(token)
        if len(self._seen) > 10_000:
            self._seen.clear()
        self._seen[token] = (time.monotonic(), info)
        return info


def require(role: str) -> Callable[[Request], Caller]:
    """A FastAPI dependency: the caller, if its role is at least ``role`` (else 403)."""

    def dep(request: Request) -> Caller:
        gate: Gate = request.app.state.gate
        c = gate.caller(request)
        if not c.may(role):
            raise Problem(403, [f"this needs the {role} role; the token's role is {c.role}"])
        return c

    dep.__name__ = f"require_{role}"
    return dep


__all__ = ["OPEN", "RANK", "Caller", "Gate", "require"]
