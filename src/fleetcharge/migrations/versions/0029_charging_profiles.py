"""charging_profiles: every SetChargingProfile sent to a station and its answer

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04 11:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fleetcharge.models.types

revision: str = "0029"
down_revision: str | None = "0028"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _moment(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, fleetcharge.models.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "charging_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=24), nullable=False),
        sa.Column("stack_level", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        sa.Column("profile", fleetcharge.models.types.JSONDocument, nullable=False),
        sa.Column("unit", sa.String(length=1), nullable=False),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=True),
        _moment("sent_at", nullable=False),
        _moment("cleared_at"),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_charging_profiles_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charging_profiles")),
        sa.UniqueConstraint("uuid", name=op.f("uq_charging_profiles_uuid")),
    )
    op.create_index(
        "ix_charging_profiles_station_id", "charging_profiles", ["station_id", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_charging_profiles_station_id", table_name="charging_profiles")
    op.drop_table("charging_profiles")
