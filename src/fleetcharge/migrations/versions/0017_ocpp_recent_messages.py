"""ocpp_recent_messages: the last frames exchanged with each station, a fixed ring of slots;
connector_current_status: each connector's latest status, filled from the history

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fleetcharge.models.types

revision: str = "0017"
down_revision: str | None = "0016"
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
    op.create_table(
        "connector_current_status",
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("connector_number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_code", sa.String(length=24), nullable=False),
        sa.Column("status_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("history_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_connector_current_status_station_id_stations"),
        ),
        sa.PrimaryKeyConstraint(
            "station_id", "connector_number", name=op.f("pk_connector_current_status")
        ),
    )
    op.execute(_LATEST_FROM_HISTORY)


# The latest of each connector's history, in the history's own order.
_LATEST_FROM_HISTORY = """
INSERT INTO connector_current_status
    (station_id, connector_number, status, error_code, status_at, history_id)
SELECT station_id, connector_number, status, error_code, status_at, id FROM (
    SELECT h.*, row_number() OVER (
        PARTITION BY station_id, connector_number ORDER BY status_at DESC, id DESC
    ) AS place
    FROM connector_status_history h
) ranked
WHERE place = 1
"""


def downgrade() -> None:
    op.drop_table("connector_current_status")
    op.drop_table("ocpp_recent_messages")
