"""cards: the organisation a card belongs to, even while it is on no vehicle

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 05:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_cards_org_id", ["organisation_id", "id"], unique=False)
        batch_op.create_foreign_key(
            op.f("fk_cards_organisation_id_organisations"),
            "organisations",
            ["organisation_id"],
            ["id"],
        )
    op.execute(
        "UPDATE cards SET organisation_id = "
        "(SELECT vehicles.organisation_id FROM vehicles WHERE vehicles.id = cards.vehicle_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_cards_organisation_id_organisations"), type_="foreignkey")
        batch_op.drop_index("ix_cards_org_id")
        batch_op.drop_column("organisation_id")
