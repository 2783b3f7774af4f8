"""local authorisation lists sent to stations (location_local_lists, local_list_states,
local_list_entries), and reservations

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fleetcharge.models.types

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _moment(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, fleetcharge.models.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "location_local_lists",
        sa.Column("location_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_location_local_lists_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("location_id", name=op.f("pk_location_local_lists")),
    )
    op.create_table(
        "local_list_states",
        sa.Column("station_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_update_type", sa.String(length=12), nullable=True),
        sa.Column("last_result", sa.String(length=32), nullable=True),
        _moment("last_sync_at"),
        _moment("synced_at"),
        sa.Column("reported_version", sa.Integer(), nullable=True),
        _moment("reported_at"),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_local_list_states_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("station_id", name=op.f("pk_local_list_states")),
    )
    op.create_table(
        "local_list_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("id_tag", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _moment("expiry_date"),
        sa.Column("parent_id_tag", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_local_list_entries_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_list_entries")),
        sa.UniqueConstraint("station_id", "id_tag", name=op.f("uq_local_list_entries_station_id")),
    )
    op.create_table(
        "reservations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        _moment("created_at", nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("connector_number", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=True),
        sa.Column("id_tag", sa.String(length=20), nullable=False),
        sa.Column("parent_id_tag", sa.String(length=20), nullable=True),
        _moment("expires_at", nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("station_answer", sa.String(length=32), nullable=True),
        sa.Column("cancel_answer", sa.String(length=32), nullable=True),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        _moment("ended_at"),
        sa.ForeignKeyConstraint(
            ["card_id"], ["cards.id"], name=op.f("fk_reservations_card_id_cards")
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_reservations_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservations")),
        sa.UniqueConstraint("uuid", name=op.f("uq_reservations_uuid")),
    )
    op.create_index("ix_reservations_station_id", "reservations", ["station_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_reservations_station_id", table_name="reservations")
    op.drop_table("reservations")
    op.drop_table("local_list_entries")
    op.drop_table("local_list_states")
    op.drop_table("location_local_lists")
