"""tariff versions; every OCPI 2.2.1 tariff field kept

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 17:40:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import fleetcharge.models.types

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_TERMS = ("min_price_excl_vat", "max_price_excl_vat", "type", "valid_from", "valid_until")


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _new_terms() -> list[sa.Column[Any]]:
    return [
        sa.Column(
            "min_price_excl_vat", fleetcharge.models.types.ExactDecimal(12, 2), nullable=True
        ),
        sa.Column(
            "max_price_excl_vat", fleetcharge.models.types.ExactDecimal(12, 2), nullable=True
        ),
        sa.Column("type", sa.String(length=20), nullable=True),
        sa.Column("valid_from", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "valid_until", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("document", _json(), nullable=True),
    ]


def upgrade() -> None:
    with op.batch_alter_table("tariffs") as batch:
        for column in _new_terms():
            batch.add_column(column)
    op.create_table(
        "tariff_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tariff_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("tax_rate", fleetcharge.models.types.ExactDecimal(6, 4), nullable=False),
        sa.Column("parking_grace_minutes", sa.Integer(), nullable=False),
        sa.Column("elements", _json(), nullable=False),
        sa.Column("min_price", fleetcharge.models.types.ExactDecimal(12, 2), nullable=True),
        sa.Column("max_price", fleetcharge.models.types.ExactDecimal(12, 2), nullable=True),
        *_new_terms(),
        sa.Column(
            "created_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tariff_id"], ["tariffs.id"], name=op.f("fk_tariff_versions_tariff_id_tariffs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tariff_versions")),
        sa.UniqueConstraint("tariff_id", "number", name=op.f("uq_tariff_versions_tariff_id")),
    )
    op.create_index(
        op.f("ix_tariff_versions_tariff_id"), "tariff_versions", ["tariff_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_tariff_versions_tariff_id"), table_name="tariff_versions")
    op.drop_table("tariff_versions")
    with op.batch_alter_table("tariffs") as batch:
        for name in (*NEW_TERMS, "document"):
            batch.drop_column(name)
