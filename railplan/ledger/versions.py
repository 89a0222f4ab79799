"""What every write does around its changes: lock the meta row first, record the version row
and the events, and move the meta row's version from ``v0`` to ``v = v0 + 1`` last.

The invariants these keep (checked by :meth:`Ledger.check`): versions ``1..meta`` contiguous,
each with ``parent = version - 1`` and at least one event in the log.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Connection

from railplan.ledger.errors import Conflict
from railplan.ledger.rows import META, VER


def now() -> dt.datetime:
    """The time a change is recorded at (aware, UTC)."""
    return dt.datetime.now(dt.UTC)


def read_version(c: Connection) -> int:
    """The meta row's version, without a lock (a read)."""
    return int(c.execute(select(META.c.version).where(META.c.id == 1)).scalar_one())


def lock_meta(c: Connection) -> int:
    """Lock the meta row (every writer takes it first: writers are serialised on PostgreSQL
    too, and no two can lock rows in different orders) and return the version."""
    return int(
        c.execute(select(META.c.version).where(META.c.id == 1).with_for_update()).scalar_one()
    )


def bump_meta(c: Connection, v0: int, v: int) -> None:
    """Move the meta row from ``v0`` to ``v``; :class:`Conflict` if it is not at ``v0``."""
    res = c.execute(update(META).where(META.c.id == 1, META.c.version == v0).values(version=v))
    if res.rowcount != 1:
        raise Conflict([f"the ledger moved from version {v0} while this change held its lock"])


def add_version(
    c: Connection,
    v: int,
    parent: int,
    kind: str,
    who: str,
    at: dt.datetime,
    inputs_hash: str | None = None,
    objective_cents: int | None = None,
) -> None:
    """Insert the ``versions`` row of version ``v`` (``who`` default: the OS user)."""
    c.execute(
        insert(VER).values(
            version=v,
            parent=parent,
            kind=kind,
            who=who or default_who(),
            at=at,
            inputs_hash=inputs_hash,
            objective_cents=objective_cents,
        )
    )


def default_who() -> str:
    """``$USER``, else ``$LOGNAME``, else ``unknown``."""
    return os.environ.get("USER") or os.environ.get("LOGNAME") or "unknown"


def event(v: int, at: dt.datetime, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """An ``events`` row of version ``v`` (kinds and payloads: :mod:`railplan.ledger.replay`)."""
    return {"version": v, "at": at, "kind": kind, "payload": payload}
