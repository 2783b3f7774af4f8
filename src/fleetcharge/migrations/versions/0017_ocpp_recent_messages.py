"""ocpp_recent_messages: the last frames exchanged with each station, a fixed ring of slots

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-03 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fleetcharge.models.types

revision: str = "0017"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ocpp_recent_messages",
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("message_type", sa.Integer(), nullable=True),
        sa.Column("unique_id", sa.String(length=36), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=True),
        sa.Column("frame", sa.Text(), nullable=False),
        sa.Column("at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("station_id", "slot", name=op.f("pk_ocpp_recent_messages")),
    )


def downgrade() -> None:
    op.drop_table("ocpp_recent_messages")
