"""What a running service is configured with (one frozen record, from ``railplan serve``)."""

from __future__ import annotations

from dataclasses import dataclass

#: the largest request body accepted, bytes (a national month's batch is about 1.5 MB as CSV)
MAX_BODY_BYTES = 20 * 1024 * 1024
#: the most shipments one batch may hold (a generated national month has 21,000)
MAX_SHIPMENTS = 50_000
#: the longest solve a job may ask for, seconds
MAX_TIME_LIMIT_S = 3_600.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """``db``: the ledger's URL; ``network_dir``: the network folder (None: bundled);
    ``workers``: solve slots of the supervisor inside the server (0: none, jobs wait for
    ``railplan worker``); ``memory_mb``: each solve's address-space cap; the limits answer
    ``413`` (body) and ``422`` (batch size, time limit)."""

    db: str
    network_dir: str | None = None
    workers: int = 1
    memory_mb: int = 4096
    max_body_bytes: int = MAX_BODY_BYTES
    max_shipments: int = MAX_SHIPMENTS
    max_time_limit_s: float = MAX_TIME_LIMIT_S
    #: seconds a verified token (or the answer "no tokens exist") is trusted before it is
    #: looked up again: a revoked token stops working within this time
    auth_cache_s: float = 5.0
