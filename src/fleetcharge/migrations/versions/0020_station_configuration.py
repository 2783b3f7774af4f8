"""charge stations' configuration keys as they reported them

One row per station and key: the value the station last reported (GetConfiguration) or
accepted (ChangeConfiguration), whether it is read-only, keys it named unknown, and since
when a change waits for the station's reboot (RebootRequired). Write-only keys
(AuthorizationKey) have no value here: they are never stored in clear.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import fleetcharge.models.types

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "station_configuration_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("readonly", sa.Boolean(), nullable=True),
        sa.Column("known", sa.Boolean(), nullable=False),
        sa.Column(
            "reported_at", fleetcharge.models.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "reboot_required_since",
            fleetcharge.models.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_station_configuration_keys_station_id_stations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_station_configuration_keys")),
        sa.UniqueConstraint(
            "station_id", "key", name=op.f("uq_station_configuration_keys_station_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("station_configuration_keys")
