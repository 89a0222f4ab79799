"""Ledger fixtures: a throwaway PostgreSQL cluster for the session, and ``db_url``, which runs
a test once on SQLite and once on PostgreSQL (a fresh database each time).

The cluster is :func:`benchmarks.pg.cluster` (Debian's PostgreSQL, run as the ``postgres``
user on a free loopback port). Skipped only when PostgreSQL is absent.
"""

from __future__ import annotations

import itertools
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import pg

_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """``postgresql+psycopg://postgres@127.0.0.1:PORT/postgres`` of a throwaway cluster."""
    try:
        with pg.cluster() as url:
            yield url
    except pg.Unavailable as e:
        pytest.skip(str(e))
    except subprocess.CalledProcessError as e:
        out = (e.stderr or b"").decode(errors="replace").strip().splitlines()
        pytest.fail(f"could not start PostgreSQL: {out[-1] if out else e}")


def _fresh_pg_database(pg_url: str) -> str:
    import psycopg

    name = f"ledger_{os.getpid()}_{next(_counter)}"
    conninfo = pg_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg_url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty database: a SQLite file, or a fresh database on the session's cluster."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.db'}"
    return _fresh_pg_database(request.getfixturevalue("pg_url"))
