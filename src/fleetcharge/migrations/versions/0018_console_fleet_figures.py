"""usage totals for the console's fleet overview; charge_sessions indexes for its table

The fleet overview reads a month of an organisation's sessions summed per day and fleet
(usage_day_totals) and per month, vehicle and location (usage_month_totals), filled here
from the sessions recorded so far and kept in step as sessions are recorded. The
sessions table sorts by energy, cost or revenue as well as by completion, and filters by
fleet, vehicle, card or location; each order is an index, so a page continues after the
previous one's last (value, id) at any depth.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fleetcharge.models.types

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out rather than imported from the models: a migration stays as it was written.
TABLE_ORDERS = (
    ("payer_energy", ["payer_organisation_id", "consumption_kwh", "id"]),
    ("payer_cost", ["payer_organisation_id", "cost_to_driver", "id"]),
    ("host_energy", ["host_organisation_id", "consumption_kwh", "id"]),
    ("host_revenue", ["host_organisation_id", "total_revenue", "id"]),
    ("fleet_order", ["fleet_id", "stop_date_time", "id"]),
    ("vehicle_order", ["vehicle_id", "stop_date_time", "id"]),
    ("card_order", ["card_id", "stop_date_time", "id"]),
    ("location_order", ["location_id", "stop_date_time", "id"]),
)


def _totals_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("energy_kwh", fleetcharge.models.types.ExactDecimal(18, 3), nullable=False),
        sa.Column("cost", fleetcharge.models.types.ExactDecimal(18, 2), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "usage_day_totals",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("fleet_id", sa.Integer(), nullable=False),
        *_totals_columns(),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_usage_day_totals_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["fleet_id"], ["fleets.id"], name=op.f("fk_usage_day_totals_fleet_id_fleets")
        ),
        sa.PrimaryKeyConstraint(
            "organisation_id", "local_date", "fleet_id", name=op.f("pk_usage_day_totals")
        ),
    )
    op.create_table(
        "usage_month_totals",
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        *_totals_columns(),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_usage_month_totals_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_usage_month_totals_vehicle_id_vehicles")
        ),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_usage_month_totals_location_id_locations"),
        ),
        sa.PrimaryKeyConstraint(
            "organisation_id",
            "month",
            "vehicle_id",
            "location_id",
            name=op.f("pk_usage_month_totals"),
        ),
    )
    month = (
        "date(stop_local_date, 'start of month')"
        if op.get_bind().dialect.name == "sqlite"
        else "date_trunc('month', stop_local_date)::date"
    )
    paid = "payer_organisation_id IS NOT NULL AND vehicle_id IS NOT NULL"
    figures = "count(*), sum(consumption_kwh), sum(cost_to_driver)"
    op.execute(
        "INSERT INTO usage_day_totals"
        " (organisation_id, local_date, fleet_id, sessions, energy_kwh, cost)"
        f" SELECT payer_organisation_id, stop_local_date, fleet_id, {figures}"
        f" FROM charge_sessions WHERE {paid}"
        " GROUP BY payer_organisation_id, stop_local_date, fleet_id"
    )
    op.execute(
        "INSERT INTO usage_month_totals"
        " (organisation_id, month, vehicle_id, location_id, sessions, energy_kwh, cost)"
        f" SELECT payer_organisation_id, {month}, vehicle_id, location_id, {figures}"
        f" FROM charge_sessions WHERE {paid}"
        f" GROUP BY payer_organisation_id, {month}, vehicle_id, location_id"
    )
    for name, columns in TABLE_ORDERS:
        op.create_index(f"ix_charge_sessions_{name}", "charge_sessions", columns)


def downgrade() -> None:
    for name, _ in reversed(TABLE_ORDERS):
        op.drop_index(f"ix_charge_sessions_{name}", table_name="charge_sessions")
    op.drop_table("usage_month_totals")
    op.drop_table("usage_day_totals")
