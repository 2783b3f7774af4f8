"""the site control loop's tables: the latest allocation of each open transaction at a
controlled site (site_allocations), and who controls each site (site_control_state)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fleetcharge.models.types

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _moment(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, fleetcharge.models.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "site_allocations",
        sa.Column("transaction_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("station_identity", sa.String(length=64), nullable=False),
        sa.Column("connector_number", sa.Integer(), nullable=False),
        sa.Column("limit_w", sa.Float(), nullable=False),
        sa.Column("limit_a", sa.Float(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("controllable", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("drawn_w", sa.Float(), nullable=True),
        _moment("computed_at", nullable=False),
        sa.Column("sent_limit_w", sa.Float(), nullable=True),
        sa.Column("profile_status", sa.String(length=16), nullable=True),
        _moment("sent_at"),
        sa.Column("accepted_limit_w", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_site_allocations_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("transaction_id", name=op.f("pk_site_allocations")),
    )
    op.create_index(
        op.f("ix_site_allocations_location_id"), "site_allocations", ["location_id"], unique=False
    )
    op.create_table(
        "site_control_state",
        sa.Column("location_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=False),
        _moment("lease_until", nullable=False),
        _moment("computed_at"),
        sa.Column("limit_w", sa.Float(), nullable=True),
        sa.Column("load_w", sa.Float(), nullable=True),
        sa.Column("allocated_w", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_site_control_state_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("location_id", name=op.f("pk_site_control_state")),
    )


def downgrade() -> None:
    op.drop_table("site_control_state")
    op.drop_index(op.f("ix_site_allocations_location_id"), table_name="site_allocations")
    op.drop_table("site_allocations")
