"""charge_sessions: indexes for the console's fleet overview and sessions table

The fleet overview sums a month of an organisation's sessions per day, fleet, vehicle and
location; on PostgreSQL the index carries those columns (INCLUDE) so the month is read
from the index alone. The sessions table sorts by energy, cost or revenue as well as by
completion, and filters by fleet, vehicle, card or location; each order is an index, so a
page continues after the previous one's last (value, id) at any depth.

Revision ID: 0018
Revises: 0014
Create Date: 2026-12-03 15:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0014"
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


def upgrade() -> None:
    op.create_index(
        "ix_charge_sessions_payer_month",
        "charge_sessions",
        ["payer_organisation_id", "stop_local_date"],
        postgresql_include=[
            "fleet_id",
            "vehicle_id",
            "location_id",
            "consumption_kwh",
            "cost_to_driver",
        ],
    )
    for name, columns in TABLE_ORDERS:
        op.create_index(f"ix_charge_sessions_{name}", "charge_sessions", columns)


def downgrade() -> None:
    for name, _ in reversed(TABLE_ORDERS):
        op.drop_index(f"ix_charge_sessions_{name}", table_name="charge_sessions")
    op.drop_index("ix_charge_sessions_payer_month", table_name="charge_sessions")
