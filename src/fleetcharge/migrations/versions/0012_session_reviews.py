"""session reviews: implausible sessions held for an operator; vehicles' power limits

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 08:22:39.326770
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import fleetcharge.models.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_reviews",
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("host_organisation_id", sa.Integer(), nullable=False),
        sa.Column("payer_organisation_id", sa.Integer(), nullable=True),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column(
            "reasons",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "started_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "stopped_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("energy_kwh", fleetcharge.models.types.ExactDecimal(14, 3), nullable=False),
        sa.Column("deliverable_kwh", fleetcharge.models.types.ExactDecimal(14, 3), nullable=False),
        sa.Column("cost_to_driver", fleetcharge.models.types.ExactDecimal(14, 2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "session_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "reviewed_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("reviewed_by", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "corrected_energy_kwh", fleetcharge.models.types.ExactDecimal(14, 3), nullable=True
        ),
        sa.Column(
            "corrected_stop_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column(
            "created_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["host_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_session_reviews_host_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["payer_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_session_reviews_payer_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["charge_sessions.id"],
            name=op.f("fk_session_reviews_session_id_charge_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_session_reviews_station_id_stations")
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["ocpp_transactions.id"],
            name=op.f("fk_session_reviews_transaction_id_ocpp_transactions"),
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_session_reviews_vehicle_id_vehicles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_reviews")),
        sa.UniqueConstraint("session_id", name=op.f("uq_session_reviews_session_id")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_session_reviews_transaction_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_session_reviews_uuid")),
    )
    op.create_index(
        "ix_session_reviews_payer_id",
        "session_reviews",
        ["payer_organisation_id", "id"],
        unique=False,
    )
    op.create_index("ix_session_reviews_state_id", "session_reviews", ["state", "id"], unique=False)
    # Plain ALTER TABLE on SQLite too: a batch rebuild would drop the vehicle_counts triggers.
    op.add_column(
        "vehicles",
        sa.Column("max_ac_power_kw", fleetcharge.models.types.ExactDecimal(8, 1), nullable=True),
    )
    op.add_column(
        "vehicles",
        sa.Column("max_dc_power_kw", fleetcharge.models.types.ExactDecimal(8, 1), nullable=True),
    )


def downgrade() -> None:
    op.drop_column("vehicles", "max_dc_power_kw")
    op.drop_column("vehicles", "max_ac_power_kw")
    op.drop_index("ix_session_reviews_state_id", table_name="session_reviews")
    op.drop_index("ix_session_reviews_payer_id", table_name="session_reviews")
    op.drop_table("session_reviews")
