"""Ledger fixtures: a throwaway PostgreSQL cluster for the session, and ``db_url``, which runs
a test once on SQLite and once on PostgreSQL (a fresh database each time).

The cluster is Debian's PostgreSQL (``make postgres`` installs it): ``initdb`` and ``pg_ctl``
refuse root, so they run as the ``postgres`` user in a temporary folder it owns, listening on a
free loopback port (and a socket in that folder). Skipped only when ``initdb`` is absent.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_counter = itertools.count()


def _initdb() -> str | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return found[-1] if found else shutil.which("initdb")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """``postgresql+psycopg://postgres@127.0.0.1:PORT/postgres`` of a throwaway cluster."""
    initdb = _initdb()
    if initdb is None:
        pytest.skip("PostgreSQL is not installed (initdb not found; make postgres installs it)")
    bindir = Path(initdb).parent
    if os.geteuid() == 0:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("no postgres user to run initdb as (initdb refuses root)")
    folder = Path(tempfile.mkdtemp(prefix="railplan-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        os.chown(folder, pw.pw_uid, pw.pw_gid)
    port = _free_port()
    log = folder / "log"
    try:
        subprocess.run(
            _as_postgres(
                [
                    initdb,
                    "-D",
                    str(data),
                    "--auth=trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
        )
        subprocess.run(
            _as_postgres(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(log),
                    "-o",
                    f"-k {folder} -p {port} -c listen_addresses=127.0.0.1 -c fsync=on "
                    "-c max_connections=50",
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
    except subprocess.CalledProcessError as e:
        shutil.rmtree(folder, ignore_errors=True)
        out = (e.stderr or b"").decode(errors="replace").strip().splitlines()
        pytest.fail(f"could not start PostgreSQL: {out[-1] if out else e}")
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


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
