"""The ledger's exceptions. Every one carries ``problems``: one line each, for the CLI."""

from __future__ import annotations

from collections.abc import Sequence


class LedgerError(Exception):
    """The ledger could not do what was asked; nothing was written."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class NotInitialised(LedgerError):
    """The database holds no ledger, or an older schema: run ``railplan ledger init``."""


class Refused(LedgerError):
    """The change does not fit (TEU, tonnes, reefer plugs, dangerous goods, a border quota,
    a train's state, an unknown id); one line per reason. Nothing was written."""


class Conflict(LedgerError):
    """The change lost a race: another writer held the lock too long, or the database broke a
    deadlock or a serialisation conflict. Nothing was written; trying again may succeed."""


class StaleVersion(Conflict):
    """A change made on ledger version ``base`` while the ledger is at ``current``."""

    def __init__(self, base: int, current: int) -> None:
        self.base, self.current = base, current
        super().__init__(
            [
                f"stale ledger version: the change was made on version {base}, the ledger is at "
                f"version {current}; re-plan on the current ledger"
            ]
        )
