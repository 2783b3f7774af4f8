"""vehicle_counts: each organisation's number of vehicle records, kept by triggers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 07:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UPSERT = (
    "INSERT INTO vehicle_counts (organisation_id, vehicles) {rows}"
    " ON CONFLICT (organisation_id)"
    " DO UPDATE SET vehicles = vehicle_counts.vehicles + EXCLUDED.vehicles"
)
_CHANGES = (
    "SELECT organisation_id, sum(delta) FROM ({changes}) AS changes"
    " GROUP BY organisation_id HAVING sum(delta) <> 0 ORDER BY organisation_id"
)
_ADDED = "SELECT organisation_id, 1 AS delta FROM new_rows"
_REMOVED = "SELECT organisation_id, -1 AS delta FROM old_rows"


def _upsert(changes: str) -> str:
    return _UPSERT.format(rows=_CHANGES.format(changes=changes))


# PostgreSQL: statement-level triggers adding up each statement's rows per organisation
# (a COPY of 10,000 vehicles is one update of one count).
_PG_FUNCTION = f"""
CREATE FUNCTION vehicles_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_upsert(_ADDED)};
    ELSIF TG_OP = 'DELETE' THEN
        {_upsert(_REMOVED)};
    ELSE
        {_upsert(f"{_ADDED} UNION ALL {_REMOVED}")};
    END IF;
    RETURN NULL;
END $$
"""
_PG_TRIGGERS = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}
# SQLite: row-level triggers.
_SQLITE_ADD = (
    "INSERT INTO vehicle_counts (organisation_id, vehicles) VALUES ({row}.organisation_id, {n})"
    " ON CONFLICT (organisation_id) DO UPDATE SET vehicles = vehicles + {n};"
)
_SQLITE_TRIGGERS = {
    "INSERT": _SQLITE_ADD.format(row="NEW", n=1),
    "DELETE": _SQLITE_ADD.format(row="OLD", n=-1),
    "UPDATE OF organisation_id": _SQLITE_ADD.format(row="OLD", n=-1)
    + _SQLITE_ADD.format(row="NEW", n=1),
}


def _trigger_name(event: str) -> str:
    return f"vehicles_counted_on_{event.split()[0].lower()}"


def upgrade() -> None:
    op.create_table(
        "vehicle_counts",
        sa.Column("organisation_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("vehicles", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_vehicle_counts_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("organisation_id", name=op.f("pk_vehicle_counts")),
    )
    op.execute(
        "INSERT INTO vehicle_counts (organisation_id, vehicles)"
        " SELECT organisation_id, count(*) FROM vehicles GROUP BY organisation_id"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for event, transition in _PG_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {_trigger_name(event)} AFTER {event} ON vehicles {transition}"
                " FOR EACH STATEMENT EXECUTE FUNCTION vehicles_counted()"
            )
    else:
        for event, body in _SQLITE_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {_trigger_name(event)} AFTER {event} ON vehicles"
                f" FOR EACH ROW BEGIN {body} END"
            )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for event in _SQLITE_TRIGGERS:
        op.execute(
            f"DROP TRIGGER IF EXISTS {_trigger_name(event)}"
            + (" ON vehicles" if postgresql else "")
        )
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS vehicles_counted()")
    op.drop_table("vehicle_counts")
