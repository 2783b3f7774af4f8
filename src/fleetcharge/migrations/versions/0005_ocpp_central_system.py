"""OCPP 1.6J central system: transactions, meter values, connector status history,
unmatched messages, and what stations report about themselves

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 12:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import fleetcharge.models.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "connector_status_history",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("connector_number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_code", sa.String(length=24), nullable=False),
        sa.Column("info", sa.String(length=50), nullable=True),
        sa.Column("vendor_id", sa.String(length=255), nullable=True),
        sa.Column("vendor_error_code", sa.String(length=50), nullable=True),
        sa.Column(
            "reported_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("status_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "received_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_connector_status_history_station_id_stations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_connector_status_history")),
    )
    with op.batch_alter_table("connector_status_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_connector_status_history_time"),
            ["station_id", "connector_number", "status_at"],
            unique=False,
        )

    op.create_table(
        "ocpp_unmatched_messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column(
            "received_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_ocpp_unmatched_messages_station_id_stations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocpp_unmatched_messages")),
    )
    with op.batch_alter_table("ocpp_unmatched_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ocpp_unmatched_messages_station_id"), ["station_id"], unique=False
        )

    op.create_table(
        "ocpp_transactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("id_tag", sa.String(length=64), nullable=False),
        sa.Column("id_tag_status", sa.String(length=16), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=True),
        sa.Column("reservation_id", sa.Integer(), nullable=True),
        sa.Column("meter_start_wh", sa.BigInteger(), nullable=False),
        sa.Column(
            "start_reported_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "started_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "received_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("meter_stop_wh", sa.BigInteger(), nullable=True),
        sa.Column(
            "stop_reported_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("stopped_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "stop_received_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("stop_reason", sa.String(length=16), nullable=True),
        sa.Column("stop_id_tag", sa.String(length=64), nullable=True),
        sa.Column(
            "session_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "flags",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["card_id"], ["cards.id"], name=op.f("fk_ocpp_transactions_card_id_cards")
        ),
        sa.ForeignKeyConstraint(
            ["connector_id"],
            ["connectors.id"],
            name=op.f("fk_ocpp_transactions_connector_id_connectors"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["charge_sessions.id"],
            name=op.f("fk_ocpp_transactions_session_id_charge_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_ocpp_transactions_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocpp_transactions")),
        sa.UniqueConstraint("session_id", name=op.f("uq_ocpp_transactions_session_id")),
        sa.UniqueConstraint(
            "station_id",
            "connector_id",
            "id_tag",
            "start_reported_at",
            "meter_start_wh",
            name=op.f("uq_ocpp_transactions_station_id"),
        ),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("ocpp_transactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ocpp_transactions_connector_state"),
            ["connector_id", "state"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_ocpp_transactions_id_tag_state"), ["id_tag", "state"], unique=False
        )

    op.create_table(
        "ocpp_meter_values",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("connector_number", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=True),
        sa.Column("reported_transaction_id", sa.BigInteger(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column(
            "reported_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "sampled_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("measurand", sa.String(length=40), nullable=False),
        sa.Column("phase", sa.String(length=8), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=True),
        sa.Column("context", sa.String(length=24), nullable=True),
        sa.Column("location", sa.String(length=8), nullable=True),
        sa.Column("value_format", sa.String(length=10), nullable=True),
        sa.Column("value_raw", sa.Text(), nullable=False),
        sa.Column("value", fleetcharge.models.types.ExactDecimal(20, 6), nullable=True),
        sa.Column("normalised_unit", sa.String(length=16), nullable=True),
        sa.Column(
            "received_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_ocpp_meter_values_station_id_stations")
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["ocpp_transactions.id"],
            name=op.f("fk_ocpp_meter_values_transaction_id_ocpp_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocpp_meter_values")),
    )
    with op.batch_alter_table("ocpp_meter_values", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ocpp_meter_values_station_time"),
            ["station_id", "connector_number", "sampled_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_ocpp_meter_values_transaction_id"), ["transaction_id"], unique=False
        )

    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vendor", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("model", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("serial_number", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("firmware_version", sa.String(length=50), nullable=True))
        batch_op.add_column(
            sa.Column(
                "last_boot_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("firmware_status", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("diagnostics_status", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.drop_column("diagnostics_status")
        batch_op.drop_column("firmware_status")
        batch_op.drop_column("last_boot_at")
        batch_op.drop_column("firmware_version")
        batch_op.drop_column("serial_number")
        batch_op.drop_column("model")
        batch_op.drop_column("vendor")

    with op.batch_alter_table("ocpp_meter_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ocpp_meter_values_transaction_id"))
        batch_op.drop_index(batch_op.f("ix_ocpp_meter_values_station_time"))

    op.drop_table("ocpp_meter_values")
    with op.batch_alter_table("ocpp_transactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ocpp_transactions_id_tag_state"))
        batch_op.drop_index(batch_op.f("ix_ocpp_transactions_connector_state"))

    op.drop_table("ocpp_transactions")
    with op.batch_alter_table("ocpp_unmatched_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ocpp_unmatched_messages_station_id"))

    op.drop_table("ocpp_unmatched_messages")
    with op.batch_alter_table("connector_status_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_connector_status_history_time"))

    op.drop_table("connector_status_history")
