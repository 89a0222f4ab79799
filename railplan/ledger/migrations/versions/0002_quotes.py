"""Quotes and their holds: a ``quotes`` table (one row per quote that was held: what was
asked, the option held, the ledger version it was made on, until when it holds, its state)
and ``bookings.quote_id`` (the held or accepted bookings of a quote).

A held quote's bookings are ``held`` bookings with ``hold_until`` = the quote's
``hold_until``; ``railplan ledger accept QUOTE_ID`` confirms them. A quote is ``held``,
``accepted``, ``expired`` (its hold passed; its bookings freed) or ``released``.

Revision ID: 0002_quotes
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_quotes"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quotes",
        sa.Column("quote_id", sa.String(length=40), nullable=False),
        sa.Column("made_version", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hold_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("departure_id", sa.String(length=80), nullable=False),
        sa.Column("containers", sa.Integer(), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("option", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "state IN ('held', 'accepted', 'expired', 'released')",
            name=op.f("ck_quotes_state"),
        ),
        sa.CheckConstraint("containers >= 1", name=op.f("ck_quotes_containers")),
        sa.CheckConstraint("price_cents >= 0", name=op.f("ck_quotes_money")),
        sa.PrimaryKeyConstraint("quote_id", name=op.f("pk_quotes")),
    )
    with op.batch_alter_table("bookings") as batch:
        batch.add_column(sa.Column("quote_id", sa.String(length=40), nullable=True))
        batch.create_index(batch.f("ix_bookings_quote_id"), ["quote_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("bookings") as batch:
        batch.drop_index(batch.f("ix_bookings_quote_id"))
        batch.drop_column("quote_id")
    op.drop_table("quotes")
