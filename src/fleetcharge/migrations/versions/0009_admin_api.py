"""admin api: accounts, audit, versions, assignment history

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import fleetcharge.models.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column("at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_uuid", sa.Uuid(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=24), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("resource", sa.String(length=40), nullable=False),
        sa.Column("resource_uuid", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column(
            "before",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "after",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("uuid", name=op.f("uq_audit_events_uuid")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_events_organisation", ["organisation_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_audit_events_resource", ["resource", "resource_uuid", "id"], unique=False
        )

    op.create_table(
        "accounts",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.CheckConstraint(
            "(organisation_id IS NULL AND role IN ('admin', 'support', 'billing'))"
            " OR (organisation_id IS NOT NULL AND role IN ('fleet_manager'))",
            name=op.f("ck_accounts_role_fits_scope"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_accounts_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("uuid", name=op.f("uq_accounts_uuid")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accounts_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "admin_tokens",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("expires_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_admin_tokens_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_tokens")),
        sa.UniqueConstraint("secret_sha256", name=op.f("uq_admin_tokens_secret_sha256")),
        sa.UniqueConstraint("uuid", name=op.f("uq_admin_tokens_uuid")),
    )
    with op.batch_alter_table("admin_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_admin_tokens_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "idempotent_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_sha256", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column(
            "response",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "created_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_idempotent_requests_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotent_requests")),
        sa.UniqueConstraint("account_id", "key", name=op.f("uq_idempotent_requests_account_id")),
    )
    op.create_table(
        "station_tariff_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("tariff_id", sa.Integer(), nullable=True),
        sa.Column(
            "valid_from", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_station_tariff_changes_station_id_stations"),
        ),
        sa.ForeignKeyConstraint(
            ["tariff_id"], ["tariffs.id"], name=op.f("fk_station_tariff_changes_tariff_id_tariffs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_tariff_changes")),
    )
    with op.batch_alter_table("station_tariff_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_station_tariff_changes_station_from", ["station_id", "valid_from"], unique=False
        )

    op.create_table(
        "card_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column(
            "valid_from", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["card_id"], ["cards.id"], name=op.f("fk_card_assignments_card_id_cards")
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_card_assignments_vehicle_id_vehicles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_card_assignments")),
    )
    with op.batch_alter_table("card_assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_card_assignments_card_from", ["card_id", "valid_from"], unique=False
        )

    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("fleets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("contact_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("contact_email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("contact_phone", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "decommissioned_at",
                fleetcharge.models.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("tariffs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("vehicles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.create_index("ix_vehicles_org_id", ["organisation_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vehicles", schema=None) as batch_op:
        batch_op.drop_index("ix_vehicles_org_id")
        batch_op.drop_column("version")

    with op.batch_alter_table("tariffs", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("decommissioned_at")

    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("contact_phone")
        batch_op.drop_column("contact_email")
        batch_op.drop_column("contact_name")
        batch_op.drop_column("address")

    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("fleets", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_column("version")

    with op.batch_alter_table("card_assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_card_assignments_card_from")

    op.drop_table("card_assignments")
    with op.batch_alter_table("station_tariff_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_station_tariff_changes_station_from")

    op.drop_table("station_tariff_changes")
    op.drop_table("idempotent_requests")
    with op.batch_alter_table("admin_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_tokens_account_id"))

    op.drop_table("admin_tokens")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_organisation_id"))

    op.drop_table("accounts")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_resource")
        batch_op.drop_index("ix_audit_events_organisation")

    op.drop_table("audit_events")
