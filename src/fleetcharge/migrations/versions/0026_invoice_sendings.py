"""invoice sendings: each emailing of a document or payment reminder, and its result

A partial unique index keeps an ordinary (not forced) sending, pending or sent, unique per
invoice: two senders cannot both claim a document.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 03:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fleetcharge.models.types

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ONE_SENDING_WHERE = "kind = 'sending' AND NOT forced AND result <> 'failed'"


def upgrade() -> None:
    op.create_table(
        "invoice_sendings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("forced", sa.Boolean(), nullable=False),
        sa.Column("recipients", fleetcharge.models.types.JSONDocument, nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("attachment_sha256", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=300), nullable=False),
        sa.Column(
            "attempted_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("sent_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("result", sa.String(length=8), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("actor_uuid", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=24), nullable=False),
        sa.CheckConstraint(
            "kind IN ('sending', 'reminder')", name=op.f("ck_invoice_sendings_kind")
        ),
        sa.CheckConstraint(
            "result IN ('pending', 'sent', 'failed')", name=op.f("ck_invoice_sendings_result")
        ),
        sa.CheckConstraint(
            "(result = 'sent') = (sent_at IS NOT NULL)",
            name=op.f("ck_invoice_sendings_sent_when_sent"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_sendings_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_sendings")),
        sa.UniqueConstraint("uuid", name=op.f("uq_invoice_sendings_uuid")),
    )
    op.create_index("ix_invoice_sendings_invoice_id_id", "invoice_sendings", ["invoice_id", "id"])
    op.create_index(
        "uq_invoice_sendings_sent_once",
        "invoice_sendings",
        ["invoice_id"],
        unique=True,
        sqlite_where=sa.text(ONE_SENDING_WHERE),
        postgresql_where=sa.text(ONE_SENDING_WHERE),
    )


def downgrade() -> None:
    op.drop_index("uq_invoice_sendings_sent_once", table_name="invoice_sendings")
    op.drop_index("ix_invoice_sendings_invoice_id_id", table_name="invoice_sendings")
    op.drop_table("invoice_sendings")
