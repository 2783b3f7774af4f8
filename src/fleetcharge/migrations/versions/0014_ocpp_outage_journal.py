"""ocpp_journal_progress: how far each outage journal has been applied; transactions of a
connector by start time

Revision ID: 0014
Revises: 0015
Create Date: 2026-12-04 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fleetcharge.models.types

revision: str = "0014"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ocpp_journal_progress",
        sa.Column("journal", sa.String(length=36), nullable=False),
        sa.Column("applied_through", sa.BigInteger(), nullable=False),
        sa.Column(
            "updated_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("journal", name=op.f("pk_ocpp_journal_progress")),
    )
    op.create_index(
        "ix_ocpp_transactions_connector_started",
        "ocpp_transactions",
        ["connector_id", "started_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_ocpp_transactions_connector_started", table_name="ocpp_transactions")
    op.drop_table("ocpp_journal_progress")
