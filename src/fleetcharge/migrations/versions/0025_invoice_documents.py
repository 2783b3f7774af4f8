"""invoice documents: organisations' billing details, due dates, void times, replacements

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 03:10:00.000000
"""

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import fleetcharge.models.types

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT_TERMS_DAYS = 14

# A document drafted for a month whose document of the same kind (not an adjustment note)
# was voided replaces the newest such void document drafted before it: that is how a
# re-run of the month has always produced replacements.
_BACKFILL_REPLACES = """
UPDATE invoices SET replaces_invoice_id = (
    SELECT v.id FROM invoices v
    WHERE v.organisation_id = invoices.organisation_id
      AND v.kind = invoices.kind
      AND v.period_start = invoices.period_start
      AND v.adjusts_invoice_id IS NULL
      AND v.status = 'void'
      AND v.id < invoices.id
    ORDER BY v.id DESC
    LIMIT 1
)
WHERE adjusts_invoice_id IS NULL
"""


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("organisations") as batch:
        batch.add_column(sa.Column("legal_name", sa.String(length=200), nullable=True))
        batch.add_column(
            sa.Column("billing_emails", _json(), server_default=sa.text("'[]'"), nullable=False)
        )
        batch.add_column(sa.Column("purchase_order", sa.String(length=200), nullable=True))
        batch.add_column(
            sa.Column(
                "payment_terms_days",
                sa.Integer(),
                server_default=str(DEFAULT_TERMS_DAYS),
                nullable=False,
            )
        )
        batch.create_check_constraint(
            op.f("ck_organisations_payment_terms_range"),
            "payment_terms_days >= 0 AND payment_terms_days <= 365",
        )
    with op.batch_alter_table("invoices") as batch:
        batch.add_column(sa.Column("due_date", sa.Date(), nullable=True))
        batch.add_column(
            sa.Column(
                "voided_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch.add_column(sa.Column("replaces_invoice_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_invoices_replaces_invoice_id_invoices"),
            "invoices",
            ["replaces_invoice_id"],
            ["id"],
        )
    connection = op.get_bind()
    connection.execute(sa.text(_BACKFILL_REPLACES))
    # Issued documents were due on the default terms from their date of issue.
    issued = connection.execute(
        sa.text("SELECT id, invoice_date FROM invoices WHERE invoice_number IS NOT NULL")
    ).all()
    if issued:
        connection.execute(
            sa.text("UPDATE invoices SET due_date = :due WHERE id = :id"),
            [
                {"id": row.id, "due": _as_date(row.invoice_date) + timedelta(DEFAULT_TERMS_DAYS)}
                for row in issued
            ],
        )


def downgrade() -> None:
    with op.batch_alter_table("invoices") as batch:
        batch.drop_constraint(op.f("fk_invoices_replaces_invoice_id_invoices"), type_="foreignkey")
        batch.drop_column("replaces_invoice_id")
        batch.drop_column("voided_at")
        batch.drop_column("due_date")
    with op.batch_alter_table("organisations") as batch:
        batch.drop_constraint(op.f("ck_organisations_payment_terms_range"), type_="check")
        batch.drop_column("payment_terms_days")
        batch.drop_column("purchase_order")
        batch.drop_column("billing_emails")
        batch.drop_column("legal_name")


def _as_date(value: date | str) -> date:
    # SQLite returns dates as text from a raw query.
    return date.fromisoformat(value) if isinstance(value, str) else value
