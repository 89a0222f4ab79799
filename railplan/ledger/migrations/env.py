"""Alembic environment of the ledger, run programmatically by :func:`railplan.ledger.engine.migrate`
(no alembic.ini): the caller hands the connection in ``config.attributes["connection"]``."""

from __future__ import annotations

from alembic import context

from railplan.ledger.schema import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
