"""invoice number counter

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIRST_INVOICE_NUMBER = 10000001


def upgrade() -> None:
    counter = op.create_table(
        "invoice_number_counter",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("next_number", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_invoice_number_counter_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_number_counter")),
    )
    op.bulk_insert(counter, [{"id": 1, "next_number": FIRST_INVOICE_NUMBER}])


def downgrade() -> None:
    op.drop_table("invoice_number_counter")
