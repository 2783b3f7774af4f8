"""firmware updates, diagnostics and log uploads, and their files: firmware_files (images
operators upload), station_transfers (each UpdateFirmware, SignedUpdateFirmware,
GetDiagnostics and GetLog request; its id is the requestId), station_transfer_statuses (the
statuses stations reported for each) and station_uploads (the files stations uploaded)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import fleetcharge.models.types

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = fleetcharge.models.types.UTCDateTime(timezone=True)
JSON_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "firmware_files",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("signing_certificate", sa.Text(), nullable=True),
        sa.Column("signature", sa.String(length=800), nullable=True),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_firmware_files")),
        sa.UniqueConstraint("uuid", name=op.f("uq_firmware_files_uuid")),
    )
    op.create_index(op.f("ix_firmware_files_sha256"), "firmware_files", ["sha256"])
    op.create_table(
        "station_transfers",
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("log_type", sa.String(length=16), nullable=True),
        sa.Column("firmware_file_id", sa.Integer(), nullable=True),
        sa.Column("request", JSON_DOCUMENT, nullable=False),
        sa.Column("answer", JSON_DOCUMENT, nullable=True),
        sa.Column("error", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("status_at", UTC_DATETIME, nullable=True),
        sa.Column("token_sha256", sa.String(length=64), nullable=True),
        sa.Column("token_expires_at", UTC_DATETIME, nullable=True),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["firmware_file_id"],
            ["firmware_files.id"],
            name=op.f("fk_station_transfers_firmware_file_id_firmware_files"),
        ),
        sa.ForeignKeyConstraint(
            ["station_id"], ["stations.id"], name=op.f("fk_station_transfers_station_id_stations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_transfers")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_station_transfers_token_sha256")),
        sa.UniqueConstraint("uuid", name=op.f("uq_station_transfers_uuid")),
    )
    op.create_index(op.f("ix_station_transfers_station_id"), "station_transfers", ["station_id"])
    op.create_table(
        "station_transfer_statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("received_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["station_transfers.id"],
            name=op.f("fk_station_transfer_statuses_transfer_id_station_transfers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_transfer_statuses")),
    )
    op.create_index(
        op.f("ix_station_transfer_statuses_transfer_id"),
        "station_transfer_statuses",
        ["transfer_id"],
    )
    op.create_table(
        "station_uploads",
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=200), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("received_at", UTC_DATETIME, nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["station_transfers.id"],
            name=op.f("fk_station_uploads_transfer_id_station_transfers"),
        ),
        sa.PrimaryKeyConstraint("transfer_id", name=op.f("pk_station_uploads")),
    )


def downgrade() -> None:
    op.drop_table("station_uploads")
    op.drop_index(
        op.f("ix_station_transfer_statuses_transfer_id"), table_name="station_transfer_statuses"
    )
    op.drop_table("station_transfer_statuses")
    op.drop_index(op.f("ix_station_transfers_station_id"), table_name="station_transfers")
    op.drop_table("station_transfers")
    op.drop_index(op.f("ix_firmware_files_sha256"), table_name="firmware_files")
    op.drop_table("firmware_files")
