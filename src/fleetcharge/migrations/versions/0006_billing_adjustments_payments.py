"""billing: adjustment notes, payments, lifecycle checks, RCTIs share their site-host
invoice's session links, which lose their surrogate id

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

import fleetcharge.models.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ONE_PER_PERIOD = "status <> 'void'"
NEW_ONE_PER_PERIOD = "status <> 'void' AND adjusts_invoice_id IS NULL"
CHECKS = {
    "kind_known": "kind IN ('fleet', 'site_host', 'rcti')",
    "status_known": "status IN ('draft', 'approved', 'paid', 'void')",
    "numbered_once_issued": "(status = 'draft' AND invoice_number IS NULL)"
    " OR (status <> 'draft' AND invoice_number IS NOT NULL)",
    "adjustments_credit": "(adjusts_invoice_id IS NULL AND total_amount >= 0)"
    " OR (adjusts_invoice_id IS NOT NULL AND total_amount < 0)",
    "paid_within_total": "(total_amount >= 0 AND total_paid >= 0 AND total_paid <= total_amount)"
    " OR (total_amount < 0 AND total_paid <= 0 AND total_paid >= total_amount)",
    "paid_in_full": "status <> 'paid' OR total_paid = total_amount",
    "void_unpaid": "status <> 'void' OR total_paid = 0",
}


def _one_per_period(batch_op: BatchOperations, where: str) -> None:
    batch_op.create_index(
        "uq_invoices_one_per_period",
        ["organisation_id", "kind", "period_start"],
        unique=True,
        sqlite_where=sa.text(where),
        postgresql_where=sa.text(where),
    )


def upgrade() -> None:
    # Links keyed by (invoice, session): the surrogate id, its sequence and its index go.
    with op.batch_alter_table("invoice_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_sessions_invoice_id"))
        batch_op.drop_column("id")
        batch_op.create_primary_key("pk_invoice_sessions", ["invoice_id", "session_id"])

    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("adjusts_invoice_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_invoices_adjusts_invoice_id_invoices"),
            "invoices",
            ["adjusts_invoice_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_invoices_adjusts_invoice_id"), ["adjusts_invoice_id"], unique=False
        )
        batch_op.drop_index("uq_invoices_one_per_period")
        _one_per_period(batch_op, NEW_ONE_PER_PERIOD)
        for name, condition in CHECKS.items():
            batch_op.create_check_constraint(op.f(f"ck_invoices_{name}"), condition)
        batch_op.add_column(sa.Column("accompanies_invoice_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_invoices_accompanies_invoice_id_invoices"),
            "invoices",
            ["accompanies_invoice_id"],
            ["id"],
        )

    # Each RCTI now reads the links of the site-host invoice of its host and month.
    op.execute(
        "UPDATE invoices SET accompanies_invoice_id = ("
        " SELECT s.id FROM invoices AS s WHERE s.kind = 'site_host'"
        " AND s.organisation_id = invoices.organisation_id"
        " AND s.period_start = invoices.period_start AND s.adjusts_invoice_id IS NULL"
        " AND (s.status = 'void') = (invoices.status = 'void') ORDER BY s.id DESC LIMIT 1)"
        " WHERE kind = 'rcti'"
    )
    op.execute("DELETE FROM invoice_sessions WHERE kind = 'rcti'")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index(
            "uq_invoices_one_rcti_per_site_host_invoice",
            ["accompanies_invoice_id"],
            unique=True,
            sqlite_where=sa.text("status <> 'void'"),
            postgresql_where=sa.text("status <> 'void'"),
        )

    op.create_table(
        "invoice_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount", fleetcharge.models.types.ExactDecimal(14, 2), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("counterpart_invoice_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint("amount <> 0", name=op.f("ck_invoice_payments_not_zero")),
        sa.ForeignKeyConstraint(
            ["counterpart_invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_payments_counterpart_invoice_id_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_payments_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_payments")),
    )
    with op.batch_alter_table("invoice_payments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_payments_invoice_id"), ["invoice_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("invoice_payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_payments_invoice_id"))
    op.drop_table("invoice_payments")

    op.execute(
        "INSERT INTO invoice_sessions (invoice_id, session_id, kind, active)"
        " SELECT r.id, l.session_id, 'rcti', r.status <> 'void' AND l.active"
        " FROM invoices AS r JOIN invoice_sessions AS l ON l.invoice_id = r.accompanies_invoice_id"
        " WHERE r.kind = 'rcti'"
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("uq_invoices_one_rcti_per_site_host_invoice")
        batch_op.drop_constraint(
            batch_op.f("fk_invoices_accompanies_invoice_id_invoices"), type_="foreignkey"
        )
        batch_op.drop_column("accompanies_invoice_id")

    # Adjustment notes cannot exist without the column that says what they adjust.
    op.execute(
        "DELETE FROM invoice_line_items WHERE invoice_id IN"
        " (SELECT id FROM invoices WHERE adjusts_invoice_id IS NOT NULL)"
    )
    op.execute("DELETE FROM invoices WHERE adjusts_invoice_id IS NOT NULL")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        for name in CHECKS:
            batch_op.drop_constraint(op.f(f"ck_invoices_{name}"), type_="check")
        batch_op.drop_index("uq_invoices_one_per_period")
        _one_per_period(batch_op, OLD_ONE_PER_PERIOD)
        batch_op.drop_index(batch_op.f("ix_invoices_adjusts_invoice_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_invoices_adjusts_invoice_id_invoices"), type_="foreignkey"
        )
        batch_op.drop_column("adjusts_invoice_id")

    _restore_surrogate_session_link_ids()


def _restore_surrogate_session_link_ids() -> None:
    with op.batch_alter_table("invoice_sessions", schema=None) as batch_op:
        batch_op.drop_index("uq_invoice_sessions_billed_once")
        batch_op.drop_constraint("pk_invoice_sessions", type_="primary")
    op.rename_table("invoice_sessions", "invoice_sessions_0006")
    op.create_table(
        "invoice_sessions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column(
            "session_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_sessions_invoice_id_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["charge_sessions.id"],
            name=op.f("fk_invoice_sessions_session_id_charge_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_sessions")),
    )
    op.execute(
        "INSERT INTO invoice_sessions (invoice_id, session_id, kind, active)"
        " SELECT invoice_id, session_id, kind, active FROM invoice_sessions_0006"
        " ORDER BY invoice_id, session_id"
    )
    op.drop_table("invoice_sessions_0006")
    with op.batch_alter_table("invoice_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_sessions_invoice_id"), ["invoice_id"], unique=False
        )
        batch_op.create_index(
            "uq_invoice_sessions_billed_once",
            ["session_id", "kind"],
            unique=True,
            sqlite_where=sa.text("active"),
            postgresql_where=sa.text("active"),
        )
