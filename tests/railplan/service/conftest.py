"""Service fixtures: a fresh ledger, the app in-process (``TestClient``), small real batches.

``batch_csv`` is the head of the bundled sample batch (real shipments of the demo), small
enough that a job's solve takes about a second; a job's process still pays the interpreter's
start and imports (a few seconds on these machines).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from railplan.ledger import Ledger
from railplan.service.app import create_app
from railplan.service.settings import Settings
from tests.factories import SAMPLE
from tests.railplan.ledger.conftest import db_url, pg_url  # noqa: F401  (fixtures)

#: jobs here must end well within this (solve about 1 s plus the process's start)
JOB_TIMEOUT_S = 60.0


def sample_csv(rows: int) -> bytes:
    """The header and the first ``rows`` shipments of the bundled sample batch."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    return ("\n".join(lines[: rows + 1]) + "\n").encode()


@pytest.fixture
def ledger_url(tmp_path: Path) -> str:
    """A new SQLite ledger at the current schema."""
    url = f"sqlite:///{tmp_path / 'service.db'}"
    with Ledger(url) as led:
        led.init()
    return url


def make_client(url: str, **kw: Any) -> TestClient:
    return TestClient(create_app(Settings(db=url, **kw)), raise_server_exceptions=False)


@pytest.fixture
def client(ledger_url: str) -> Iterator[TestClient]:
    """The app on a fresh ledger, no solve slots (jobs stay queued), no token (open mode)."""
    with make_client(ledger_url, workers=0) as c:
        yield c


def wait_for(c: TestClient, job_id: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Poll the job until it ends; its last state."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < JOB_TIMEOUT_S:
        j: dict[str, Any] = c.get(f"/v1/jobs/{job_id}", headers=headers).json()
        if j["state"] in ("done", "failed", "cancelled"):
            return j
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not end within {JOB_TIMEOUT_S} s")


Poll = Callable[[TestClient, str], dict[str, Any]]
