"""smart charging sites: site power settings (site_power), weekly limit windows, circuits,
station phases and circuit, vehicle and fleet charging fields, session charging needs

Revision ID: 0030
Revises: 0028
Create Date: 2026-12-04 11:30:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import fleetcharge.models.types

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_decimal = fleetcharge.models.types.ExactDecimal


def _moment(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, fleetcharge.models.types.UTCDateTime(timezone=True), nullable=nullable)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "site_power",
        sa.Column("location_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("limit_kw", _decimal(9, 1), nullable=True),
        sa.Column("strategy", sa.String(length=16), nullable=False),
        _moment("updated_at", nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_site_power_location_id_locations")
        ),
        sa.PrimaryKeyConstraint("location_id", name=op.f("pk_site_power")),
    )
    op.create_table(
        "site_limit_windows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.Integer(), nullable=False),
        sa.Column("starts", sa.Time(), nullable=False),
        sa.Column("ends", sa.Time(), nullable=False),
        sa.Column("limit_kw", _decimal(9, 1), nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_site_limit_windows_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_limit_windows")),
    )
    op.create_index(
        "ix_site_limit_windows_location", "site_limit_windows", ["location_id", "id"], unique=False
    )
    op.create_table(
        "site_circuits",
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("limit_kw", _decimal(9, 1), nullable=True),
        sa.Column("limit_a", _decimal(7, 1), nullable=True),
        sa.Column("phases", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.Uuid(), nullable=False),
        _moment("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["location_id"], ["locations.id"], name=op.f("fk_site_circuits_location_id_locations")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["site_circuits.id"],
            name=op.f("fk_site_circuits_parent_id_site_circuits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_circuits")),
        sa.UniqueConstraint("location_id", "name", name=op.f("uq_site_circuits_location_id")),
        sa.UniqueConstraint("uuid", name=op.f("uq_site_circuits_uuid")),
    )
    op.create_index(
        op.f("ix_site_circuits_location_id"), "site_circuits", ["location_id"], unique=False
    )
    op.create_table(
        "session_charging_needs",
        sa.Column("transaction_id", sa.Integer(), autoincrement=False, nullable=False),
        _moment("departure_at"),
        sa.Column("energy_kwh", _decimal(9, 2), nullable=True),
        _moment("updated_at", nullable=False),
        sa.PrimaryKeyConstraint("transaction_id", name=op.f("pk_session_charging_needs")),
    )
    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phases", sa.Integer(), server_default="3", nullable=False))
        batch_op.add_column(sa.Column("circuit_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_stations_circuit_id"), ["circuit_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_stations_circuit_id_site_circuits"),
            "site_circuits",
            ["circuit_id"],
            ["id"],
        )
    with op.batch_alter_table("vehicles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_charge_power_kw", _decimal(8, 1), nullable=True))
        batch_op.add_column(sa.Column("priority", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("departure_times", _json(), server_default="{}", nullable=False)
        )
        batch_op.add_column(sa.Column("target_energy_kwh", _decimal(9, 2), nullable=True))
    with op.batch_alter_table("fleets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("fleets", schema=None) as batch_op:
        batch_op.drop_column("priority")
    with op.batch_alter_table("vehicles", schema=None) as batch_op:
        batch_op.drop_column("target_energy_kwh")
        batch_op.drop_column("departure_times")
        batch_op.drop_column("priority")
        batch_op.drop_column("max_charge_power_kw")
    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_stations_circuit_id_site_circuits"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_stations_circuit_id"))
        batch_op.drop_column("circuit_id")
        batch_op.drop_column("phases")
    op.drop_table("session_charging_needs")
    op.drop_index(op.f("ix_site_circuits_location_id"), table_name="site_circuits")
    op.drop_table("site_circuits")
    op.drop_index("ix_site_limit_windows_location", table_name="site_limit_windows")
    op.drop_table("site_limit_windows")
    op.drop_table("site_power")
