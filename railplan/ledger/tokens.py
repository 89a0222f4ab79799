"""API tokens in the ledger's database: created, checked, listed and revoked.

A token is ``rp_<id>_<secret>``: the id is public (it names the token in lists and logs), the
secret is 32 random bytes (URL-safe base64) shown once, at creation. Only the SHA-256 of the
secret is stored; a plain hash suffices because the secret has 256 bits of entropy (a slow
password hash guards low-entropy passwords, not random keys), and checking compares digests
in constant time (:func:`hmac.compare_digest`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from railplan.ledger.errors import LedgerError, Refused
from railplan.ledger.job_tables import ROLES, TokenRow
from railplan.ledger.jobs import JobStore
from railplan.ledger.rows import aware
from railplan.ledger.versions import now

TOKENS = cast(Table, TokenRow.__table__)
PREFIX = "rp_"


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenInfo:
    """A token as stored, without its secret."""

    token_id: str
    role: str
    customer: str | None
    name: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _info(r: Any) -> TokenInfo:
    m = r._mapping
    return TokenInfo(
        token_id=m["token_id"],
        role=m["role"],
        customer=m["customer"],
        name=m["name"],
        created_at=aware(m["created_at"]),
        revoked_at=None if m["revoked_at"] is None else aware(m["revoked_at"]),
    )


def split_token(token: str) -> tuple[str, str] | None:
    """(id, secret) of ``rp_<id>_<secret>``, or None if it is not of that form."""
    if not token.startswith(PREFIX):
        return None
    token_id, sep, secret = token[len(PREFIX) :].partition("_")
    if not sep or not token_id or not secret or len(token_id) > 24:
        return None
    return token_id, secret


class TokenStore:
    """The tokens of the ledger behind ``jobs`` (its engine is shared)."""

    def __init__(self, jobs: JobStore) -> None:
        self.jobs = jobs

    def create(self, role: str, *, customer: str | None = None, name: str = "") -> str:
        """A new token of ``role`` (viewer, planner, admin), scoped to ``customer`` if given;
        returns the whole token (its secret is not stored and cannot be shown again)."""
        if role not in ROLES:
            raise Refused([f"--role {role!r}: expected one of {', '.join(ROLES)}"])
        if customer is not None and (not customer.strip() or len(customer) > 200):
            raise Refused(
                [f"--customer {customer!r}: expected a customer name of 1-200 characters"]
            )
        if role == "admin" and customer is not None:
            raise Refused(["--customer: an admin token cannot be scoped to a customer"])
        token_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        values = {
            "token_id": token_id,
            "secret_sha256": _digest(secret),
            "role": role,
            "customer": customer,
            "name": name[:200],
            "created_at": now(),
        }
        self.jobs._run(lambda c: c.execute(insert(TOKENS).values(**values)))
        return f"{PREFIX}{token_id}_{secret}"

    def verify(self, token: str) -> TokenInfo | None:
        """The token's record if ``token`` is a live (not revoked) token, else None."""
        parts = split_token(token)
        if parts is None:
            return None
        token_id, secret = parts
        q = select(TOKENS).where(TOKENS.c.token_id == token_id)
        r = self.jobs._run(lambda c: c.execute(q).first(), write=False)
        if r is None or r.revoked_at is not None:
            return None
        if not hmac.compare_digest(r.secret_sha256, _digest(secret)):
            return None
        return _info(r)

    def tokens(self) -> list[TokenInfo]:
        q = select(TOKENS).order_by(TOKENS.c.created_at, TOKENS.c.token_id)
        return self.jobs._run(lambda c: [_info(r) for r in c.execute(q)], write=False)

    def any_live(self) -> bool:
        """Whether any token is live (then every request must carry one)."""
        q = select(func.count()).select_from(TOKENS).where(TOKENS.c.revoked_at.is_(None))
        try:
            return bool(self.jobs._run(lambda c: c.execute(q).scalar_one(), write=False))
        except SQLAlchemyError as e:  # pragma: no cover - _run maps these already
            raise LedgerError([str(e)]) from e

    def revoke(self, token_id: str) -> TokenInfo:
        """Revoke a token (kept, for the record); :class:`Refused` for an unknown id."""

        def go(c: Connection) -> int:
            res = c.execute(
                update(TOKENS)
                .where(TOKENS.c.token_id == token_id, TOKENS.c.revoked_at.is_(None))
                .values(revoked_at=now())
            )
            return int(res.rowcount)

        self.jobs._run(go)
        for t in self.tokens():
            if t.token_id == token_id:
                return t
        raise Refused([f"token {token_id!r}: unknown token"])


__all__ = ["PREFIX", "TokenInfo", "TokenStore", "split_token"]
