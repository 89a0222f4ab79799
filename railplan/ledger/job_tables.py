"""The service's tables: solve jobs, their events and result files, and API tokens.

They live in the ledger's database (one machine needs no broker: the jobs table is the queue)
and on the ledger's declarative :class:`~railplan.ledger.schema.Base`, so that Alembic's
revision ``0003_service`` and these models are compared by the same test as the ledger's own.
A job's state moves only forward: ``queued -> running -> done | failed | cancelled`` (a
running job whose worker died goes back to ``queued`` once, counted in ``attempts``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from railplan.ledger.schema import Base

JOB_STATES = ("queued", "running", "done", "failed", "cancelled")
#: states a job never leaves
FINAL_STATES = ("done", "failed", "cancelled")
ROLES = ("viewer", "planner", "admin")


class JobRow(Base):
    """A solve job (a plan or a re-plan): its parameters, state, progress and result."""

    __tablename__ = "jobs"
    job_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(12))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    owner: Mapped[str] = mapped_column(String(80))
    customer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer)
    max_attempts: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    pid: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    elapsed_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    best_cost: Mapped[float | None] = mapped_column(Float, nullable=True)
    bound: Mapped[float | None] = mapped_column(Float, nullable=True)
    gap: Mapped[float | None] = mapped_column(Float, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    committed_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    __table_args__ = (
        CheckConstraint(
            "state IN ('queued', 'running', 'done', 'failed', 'cancelled')", name="state"
        ),
        CheckConstraint("attempts >= 0 AND attempts <= max_attempts", name="attempts"),
        Index("ix_jobs_state_created", "state", "created_at"),
    )


class JobEventRow(Base):
    """One event of a job, in order (``id`` is the SSE event id): a state change or progress."""

    __tablename__ = "job_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(String(40), ForeignKey("jobs.job_id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class JobFileRow(Base):
    """A file of a finished job's plan folder (``assignments.csv``, ``plan.xlsx``,
    ``map.html``, ``inputs/shipments.json``, ...), kept in the database so that a worker on
    another machine can hand it to the API."""

    __tablename__ = "job_files"
    job_id: Mapped[str] = mapped_column(String(40), ForeignKey("jobs.job_id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class TokenRow(Base):
    """An API token: its public id, the SHA-256 of its secret (never the secret), its role and,
    for a customer's token, the customer whose bookings and jobs it may reach."""

    __tablename__ = "api_tokens"
    token_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(12))
    customer: Mapped[str | None] = mapped_column(String(200), nullable=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    __table_args__ = (CheckConstraint("role IN ('viewer', 'planner', 'admin')", name="role"),)


__all__ = [
    "FINAL_STATES",
    "JOB_STATES",
    "ROLES",
    "JobEventRow",
    "JobFileRow",
    "JobRow",
    "TokenRow",
]
