"""A throwaway PostgreSQL cluster on loopback: :func:`cluster` (for the benchmarks, and the
tests' ``pg_url`` fixture).

Debian's PostgreSQL (``make postgres`` installs it): ``initdb`` and ``pg_ctl`` refuse root, so
they run as the ``postgres`` user in a temporary folder it owns, listening on a free loopback
port (and a socket in that folder). The cluster and its folder are gone after the block.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


class Unavailable(RuntimeError):
    """PostgreSQL is not installed here, or cannot be run (no ``postgres`` user)."""


def initdb() -> str | None:
    """The newest ``initdb`` of Debian's packages (or on the path), None when absent."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return found[-1] if found else shutil.which("initdb")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


def _run(args: list[str]) -> None:
    subprocess.run(_as_postgres(args), check=True, capture_output=True)


@contextlib.contextmanager
def cluster(max_connections: int = 50) -> Iterator[str]:
    """``postgresql+psycopg://postgres@127.0.0.1:PORT/postgres`` of a new cluster, stopped and
    deleted afterwards. :class:`Unavailable` when PostgreSQL cannot run here;
    ``subprocess.CalledProcessError`` when it would not start."""
    exe = initdb()
    if exe is None:
        raise Unavailable(
            "PostgreSQL is not installed (initdb not found; make postgres installs it)"
        )
    bindir = Path(exe).parent
    folder = Path(tempfile.mkdtemp(prefix="railplan-pg-"))
    if os.geteuid() == 0:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(folder, ignore_errors=True)
            raise Unavailable("no postgres user to run initdb as (initdb refuses root)") from None
        os.chown(folder, pw.pw_uid, pw.pw_gid)
    data, port = folder / "data", free_port()
    opts = (
        f"-k {folder} -p {port} -c listen_addresses=127.0.0.1 -c fsync=on "
        f"-c max_connections={max_connections}"
    )
    ctl = str(bindir / "pg_ctl")
    try:
        _run([exe, "-D", str(data), "--auth=trust", "-U", "postgres", "-E", "UTF8", "--no-sync"])
        _run([ctl, "-D", str(data), "-l", str(folder / "log"), "-o", opts, "-w", "start"])
    except subprocess.CalledProcessError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres([ctl, "-D", str(data), "-m", "fast", "stop"]), capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)


__all__ = ["Unavailable", "cluster", "free_port", "initdb"]
