"""webhook deliveries get a public uuid (the admin API's delivery log and redelivery), and
an index paging a subscription's log by id

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04 03:20:00.000000
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0028"
down_revision: str | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uuid", sa.Uuid(), nullable=True))
    deliveries = sa.table(
        "webhook_deliveries", sa.column("id", sa.Integer), sa.column("uuid", sa.Uuid)
    )
    connection = op.get_bind()
    ids = connection.execute(sa.select(deliveries.c.id).where(deliveries.c.uuid.is_(None)))
    for (delivery_id,) in ids.fetchall():
        connection.execute(
            deliveries.update().where(deliveries.c.id == delivery_id).values(uuid=uuid.uuid4())
        )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.alter_column("uuid", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_unique_constraint(op.f("uq_webhook_deliveries_uuid"), ["uuid"])
        batch_op.create_index("ix_webhook_deliveries_log", ["subscription_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_webhook_deliveries_log")
        batch_op.drop_constraint(op.f("uq_webhook_deliveries_uuid"), type_="unique")
        batch_op.drop_column("uuid")
