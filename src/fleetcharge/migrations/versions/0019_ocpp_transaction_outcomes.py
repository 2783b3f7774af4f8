"""transactions refused or settled (issue 16 item 7)

Transactions gain two states (refused, settled: strings in the existing column); open ones
are found by age for the expiry sweep; a StatusNotification keeps when the connection it
came on was opened, so that one without a timestamp received after a gap does not move a
session's end or parking.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fleetcharge.models.types

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("connector_status_history", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "connected_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=True
            )
        )
    with op.batch_alter_table("ocpp_transactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ocpp_transactions_state_started"), ["state", "started_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ocpp_transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ocpp_transactions_state_started"))
    with op.batch_alter_table("connector_status_history", schema=None) as batch_op:
        batch_op.drop_column("connected_at")
