"""Engines and migrations: SQLite set up for concurrent writers, PostgreSQL as it comes.

SQLite: WAL journal (readers never block the writer), ``synchronous=FULL`` (a committed
transaction survives a crash of the machine, not only of the process), a busy timeout, foreign
keys on, and every write transaction opened with ``BEGIN IMMEDIATE``: it takes the database's
write lock at its start, so two writers never both read the same free capacity and then both
write. Reads (:func:`reading`) open a plain deferred transaction: a consistent snapshot that
takes no lock. PostgreSQL: writes lock the rows they change (``SELECT ... FOR UPDATE``, in one
fixed order, see :mod:`railplan.ledger.changes`); reads run at REPEATABLE READ (one snapshot).
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from railplan.ledger.errors import LedgerError

#: seconds a writer waits for the write lock (SQLite) or a row lock (PostgreSQL) before giving up
BUSY_TIMEOUT_S = 30.0
READ = {"ledger_read": True}


def make_engine(url: str, *, busy_timeout: float = BUSY_TIMEOUT_S) -> Engine:
    """An engine for ``url`` (``sqlite:///FILE`` or ``postgresql+psycopg://...``); a URL that
    cannot be parsed or names an unknown driver is a :class:`LedgerError`."""
    try:
        u = make_url(url)
    except ArgumentError as e:
        raise LedgerError([f"--db {url!r}: not a database URL ({e})"]) from e
    try:
        if u.get_backend_name() == "sqlite":
            return _sqlite_engine(url, busy_timeout)
        if u.get_backend_name() == "postgresql":
            ms = int(busy_timeout * 1000)
            return create_engine(
                url,
                pool_pre_ping=True,
                connect_args={"options": f"-c lock_timeout={ms}"},
            )
    except (ArgumentError, NoSuchModuleError) as e:
        raise LedgerError([f"--db {url!r}: {e}"]) from e
    raise LedgerError(
        [f"--db {url!r}: expected sqlite:///FILE or postgresql+psycopg://USER@HOST:PORT/DB"]
    )


def _sqlite_engine(url: str, busy_timeout: float) -> Engine:
    engine = create_engine(url, connect_args={"timeout": busy_timeout})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _rec: Any) -> None:
        dbapi_conn.isolation_level = None  # the driver's own BEGIN is off; ours is below
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        if conn.get_execution_options().get("ledger_read"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def _config(conn: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("railplan.ledger") / "migrations"))
    cfg.attributes["connection"] = conn
    return cfg


def head() -> str:
    """The newest revision the package carries."""
    cfg = Config()
    cfg.set_main_option("script_location", str(files("railplan.ledger") / "migrations"))
    h = ScriptDirectory.from_config(cfg).get_current_head()
    assert h is not None
    return h


def current(conn: Connection) -> str | None:
    """The revision the database is at (None: not a ledger yet)."""
    return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine) -> tuple[str | None, str]:
    """Create or upgrade the schema to :func:`head` in one transaction (several processes may
    call it at once: on PostgreSQL an advisory lock serialises them, on SQLite the write
    lock). Returns (revision before, revision after)."""
    with engine.begin() as conn:
        if is_postgres(engine):
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
        before = current(conn)
        if before != head():
            command.upgrade(_config(conn), "head")
        return before, head()
