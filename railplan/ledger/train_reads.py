"""One train's usage, read alone (the service's ``GET /v1/trains/{id}``): the train's row and
the TEU of its bookings by state, in one snapshot. :meth:`Ledger.used_capacity` reads every
train and every booking, which a ledger of a year's 3,300 trains makes slow for one train.

Expired quote holds: :meth:`Ledger.used_capacity` releases them before it reads; this read
does the same through the ledger whenever the snapshot holds one (it then answers ``None``
for ``expired`` and the caller reads again), so no answer counts an expired quote hold.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.engine import Connection

from railplan.ledger.holds import expired_ids
from railplan.ledger.jobs import JobStore
from railplan.ledger.records import DepartureRecord, Usage
from railplan.ledger.rows import BOOK, DEP, departure_record, usage_from_row
from railplan.ledger.versions import now


def train_usage(store: JobStore, departure_id: str) -> tuple[DepartureRecord, Usage] | bool | None:
    """The train and its usage; None for an unknown train; False when an expired quote hold
    must be released first (:meth:`railplan.ledger.Ledger.used_capacity` does)."""

    def go(c: Connection) -> tuple[DepartureRecord, Usage] | bool | None:
        if expired_ids(c, now()):
            return False
        r = c.execute(select(DEP).where(DEP.c.departure_id == departure_id)).mappings().first()
        if r is None:
            return None
        split: dict[str, int] = defaultdict(int)
        q = select(BOOK.c.state, BOOK.c.containers, BOOK.c.teu_per_container).where(
            BOOK.c.departure_id == departure_id
        )
        for state, n, teu in c.execute(q):
            split[state] += n * teu
        return departure_record(r), usage_from_row(r, split)

    return store._run(go, write=False)


__all__ = ["train_usage"]
