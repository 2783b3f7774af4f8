"""tariff min/max price and per-organisation tariff overrides

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fleetcharge.models.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tariffs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("min_price", fleetcharge.models.types.ExactDecimal(12, 2), nullable=True)
        )
        batch_op.add_column(
            sa.Column("max_price", fleetcharge.models.types.ExactDecimal(12, 2), nullable=True)
        )
    op.create_table(
        "tariff_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("tariff_id", sa.Integer(), nullable=False),
        sa.Column(
            "created_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_tariff_overrides_location_id_locations"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_tariff_overrides_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["tariff_id"], ["tariffs.id"], name=op.f("fk_tariff_overrides_tariff_id_tariffs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariff_overrides")),
        sa.UniqueConstraint(
            "organisation_id", "location_id", name=op.f("uq_tariff_overrides_organisation_id")
        ),
    )
    with op.batch_alter_table("tariff_overrides", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tariff_overrides_location_id"), ["location_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tariff_overrides", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tariff_overrides_location_id"))
    op.drop_table("tariff_overrides")
    with op.batch_alter_table("tariffs", schema=None) as batch_op:
        batch_op.drop_column("max_price")
        batch_op.drop_column("min_price")
