"""console people: accounts sign in with an email and a password; console sessions,
password reset tokens; organisation roles site_host and read_only

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-03 14:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fleetcharge.models.types

revision: str = "0016"
down_revision: str | None = "0014"  # the head on main (0014 follows 0015)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STAFF = "(organisation_id IS NULL AND role IN ('admin', 'support', 'billing'))"
_ROLES_BEFORE = f"{_STAFF} OR (organisation_id IS NOT NULL AND role IN ('fleet_manager'))"
_ROLES_AFTER = (
    f"{_STAFF} OR (organisation_id IS NOT NULL"
    " AND role IN ('fleet_manager', 'site_host', 'read_only'))"
)


def _timestamp(name: str, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, fleetcharge.models.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("password_hash", sa.String(length=256), nullable=True))
        batch_op.add_column(_timestamp("disabled_at", True))
        batch_op.create_unique_constraint(batch_op.f("uq_accounts_email"), ["email"])
        batch_op.drop_constraint(op.f("ck_accounts_role_fits_scope"), type_="check")
        batch_op.create_check_constraint(op.f("ck_accounts_role_fits_scope"), _ROLES_AFTER)

    op.create_table(
        "console_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        _timestamp("last_seen_at", False),
        _timestamp("expires_at", False),
        _timestamp("ended_at", True),
        _timestamp("created_at", False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_console_sessions_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sessions")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_console_sessions_secret_sha256")),
    )
    op.create_index(
        op.f("ix_console_sessions_account_id"), "console_sessions", ["account_id"], unique=False
    )

    op.create_table(
        "password_reset_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        _timestamp("expires_at", False),
        _timestamp("ended_at", True),
        _timestamp("created_at", False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_password_reset_tokens_account_id_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_reset_tokens")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_password_reset_tokens_secret_sha256")),
    )
    op.create_index(
        op.f("ix_password_reset_tokens_account_id"),
        "password_reset_tokens",
        ["account_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_password_reset_tokens_account_id"), table_name="password_reset_tokens")
    op.drop_table("password_reset_tokens")
    op.drop_index(op.f("ix_console_sessions_account_id"), table_name="console_sessions")
    op.drop_table("console_sessions")
    # Members of the new roles cannot stay: the downgraded schema has no place for them.
    new_roles = "SELECT id FROM accounts WHERE role IN ('site_host', 'read_only')"
    for table in ("admin_tokens", "idempotent_requests"):
        op.execute(f"DELETE FROM {table} WHERE account_id IN ({new_roles})")
    op.execute("DELETE FROM accounts WHERE role IN ('site_host', 'read_only')")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_accounts_role_fits_scope"), type_="check")
        batch_op.create_check_constraint(op.f("ck_accounts_role_fits_scope"), _ROLES_BEFORE)
        batch_op.drop_constraint(batch_op.f("uq_accounts_email"), type_="unique")
        batch_op.drop_column("disabled_at")
        batch_op.drop_column("password_hash")
        batch_op.drop_column("email")
