"""ocpp_meter_values: no foreign keys and no station-time index

Stored readings are most of what the database writes. Per row, the two foreign-key checks
(each a lookup that also locks the station's and the transaction's row, which concurrent
batches then share) and an index no query used cost PostgreSQL more than the row itself
(bench/ocpp_load.py). The central system writes only ids it has just read: the admitted
station's, and transactions looked up for that station; neither is ever deleted.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 14:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ocpp_meter_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ocpp_meter_values_station_time"))
        batch_op.drop_constraint(
            batch_op.f("fk_ocpp_meter_values_station_id_stations"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_ocpp_meter_values_transaction_id_ocpp_transactions"),
            type_="foreignkey",
        )


def downgrade() -> None:
    with op.batch_alter_table("ocpp_meter_values", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_ocpp_meter_values_transaction_id_ocpp_transactions"),
            "ocpp_transactions",
            ["transaction_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_ocpp_meter_values_station_id_stations"),
            "stations",
            ["station_id"],
            ["id"],
        )
        batch_op.create_index(
            batch_op.f("ix_ocpp_meter_values_station_time"),
            ["station_id", "connector_number", "sampled_at"],
            unique=False,
        )
