"""The initial ledger: departures, crossings, bookings, versions, the event log and the meta
row (version 0).

Revision ID: 0001_initial
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crossings",
        sa.Column("port", sa.String(length=80), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=True),
        sa.Column("trains", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "trains >= 0 AND (quota IS NULL OR trains <= quota)", name=op.f("ck_crossings_quota")
        ),
        sa.PrimaryKeyConstraint("port", "day", name=op.f("pk_crossings")),
    )
    op.create_table(
        "departures",
        sa.Column("departure_id", sa.String(length=80), nullable=False),
        sa.Column("origin", sa.String(length=80), nullable=False),
        sa.Column("destination", sa.String(length=80), nullable=False),
        sa.Column("border_port", sa.String(length=80), nullable=False),
        sa.Column("depart_date", sa.Date(), nullable=False),
        sa.Column("border_offset_days", sa.Integer(), nullable=False),
        sa.Column("transit_days", sa.Integer(), nullable=False),
        sa.Column("capacity_teu", sa.Integer(), nullable=False),
        sa.Column("max_gross_kg", sa.BigInteger(), nullable=True),
        sa.Column("fixed_cost_cents", sa.BigInteger(), nullable=False),
        sa.Column("rate_per_teu_cents", sa.BigInteger(), nullable=False),
        sa.Column("min_load_teu", sa.Integer(), nullable=False),
        sa.Column("reefer_plugs", sa.Integer(), nullable=False),
        sa.Column("dg_allowed", sa.Boolean(), nullable=False),
        sa.Column("service_id", sa.String(length=80), nullable=False),
        sa.Column("corridor", sa.String(length=40), nullable=False),
        sa.Column("route", sa.Text(), nullable=False),
        sa.Column("countries", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("used_teu", sa.Integer(), nullable=False),
        sa.Column("used_kg", sa.BigInteger(), nullable=False),
        sa.Column("used_plugs", sa.Integer(), nullable=False),
        sa.Column("active_bookings", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "state <> 'cancelled' OR active_bookings = 0",
            name=op.f("ck_departures_cancelled_empty"),
        ),
        sa.CheckConstraint(
            "state IN ('scheduled', 'cancelled', 'departed')", name=op.f("ck_departures_state")
        ),
        sa.CheckConstraint("active_bookings >= 0", name=op.f("ck_departures_active")),
        sa.CheckConstraint("capacity_teu > 0", name=op.f("ck_departures_capacity")),
        sa.CheckConstraint(
            "fixed_cost_cents >= 0 AND rate_per_teu_cents >= 0", name=op.f("ck_departures_money")
        ),
        sa.CheckConstraint(
            "used_kg >= 0 AND (max_gross_kg IS NULL OR used_kg <= max_gross_kg)",
            name=op.f("ck_departures_kg"),
        ),
        sa.CheckConstraint(
            "used_plugs >= 0 AND used_plugs <= reefer_plugs", name=op.f("ck_departures_plugs")
        ),
        sa.CheckConstraint(
            "used_teu >= 0 AND used_teu <= capacity_teu", name=op.f("ck_departures_teu")
        ),
        sa.PrimaryKeyConstraint("departure_id", name=op.f("pk_departures")),
    )
    op.create_index(
        "ix_departures_crossing", "departures", ["border_port", "depart_date"], unique=False
    )
    op.create_table(
        "ledger_meta",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_ledger_meta_one_row")),
        sa.CheckConstraint("version >= 0", name=op.f("ck_ledger_meta_version")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_meta")),
    )
    op.create_table(
        "versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("parent", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("who", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("inputs_hash", sa.String(length=128), nullable=True),
        sa.Column("objective_cents", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_versions")),
    )
    op.create_table(
        "bookings",
        sa.Column("booking_id", sa.String(length=40), nullable=False),
        sa.Column("shipment_id", sa.String(length=120), nullable=False),
        sa.Column("customer", sa.String(length=200), nullable=False),
        sa.Column("containers", sa.Integer(), nullable=False),
        sa.Column("container_type", sa.String(length=8), nullable=False),
        sa.Column("teu_per_container", sa.Integer(), nullable=False),
        sa.Column("reefer", sa.Boolean(), nullable=False),
        sa.Column("gross_kg", sa.BigInteger(), nullable=False),
        sa.Column("origin", sa.String(length=80), nullable=False),
        sa.Column("destination", sa.String(length=80), nullable=False),
        sa.Column("ready_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("late_penalty_cents_per_teu_day", sa.BigInteger(), nullable=False),
        sa.Column("split", sa.Boolean(), nullable=False),
        sa.Column("avoid_countries", sa.String(length=200), nullable=False),
        sa.Column("dg_class", sa.String(length=20), nullable=False),
        sa.Column("departure_id", sa.String(length=80), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("hold_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rate_per_teu_cents", sa.BigInteger(), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("created_version", sa.Integer(), nullable=False),
        sa.Column("updated_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "state IN ('held', 'confirmed', 'cancelled')", name=op.f("ck_bookings_state")
        ),
        sa.CheckConstraint("containers >= 1", name=op.f("ck_bookings_containers")),
        sa.CheckConstraint(
            "gross_kg > 0 AND teu_per_container > 0", name=op.f("ck_bookings_sizes")
        ),
        sa.CheckConstraint(
            "price_cents >= 0 AND rate_per_teu_cents >= 0", name=op.f("ck_bookings_money")
        ),
        sa.ForeignKeyConstraint(
            ["created_version"],
            ["versions.version"],
            name=op.f("fk_bookings_created_version_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["departure_id"],
            ["departures.departure_id"],
            name=op.f("fk_bookings_departure_id_departures"),
        ),
        sa.ForeignKeyConstraint(
            ["updated_version"],
            ["versions.version"],
            name=op.f("fk_bookings_updated_version_versions"),
        ),
        sa.PrimaryKeyConstraint("booking_id", name=op.f("pk_bookings")),
    )
    op.create_index(op.f("ix_bookings_departure_id"), "bookings", ["departure_id"], unique=False)
    op.create_index(op.f("ix_bookings_shipment_id"), "bookings", ["shipment_id"], unique=False)
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version"], ["versions.version"], name=op.f("fk_events_version_versions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index(op.f("ix_events_version"), "events", ["version"], unique=False)
    meta = sa.table("ledger_meta", sa.column("id", sa.Integer), sa.column("version", sa.Integer))
    op.bulk_insert(meta, [{"id": 1, "version": 0}])


def downgrade() -> None:
    op.drop_index(op.f("ix_events_version"), table_name="events")
    op.drop_table("events")
    op.drop_index(op.f("ix_bookings_shipment_id"), table_name="bookings")
    op.drop_index(op.f("ix_bookings_departure_id"), table_name="bookings")
    op.drop_table("bookings")
    op.drop_table("versions")
    op.drop_table("ledger_meta")
    op.drop_index("ix_departures_crossing", table_name="departures")
    op.drop_table("departures")
    op.drop_table("crossings")
