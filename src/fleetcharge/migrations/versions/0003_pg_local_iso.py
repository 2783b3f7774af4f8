"""fc_local_iso(): render a timestamp in a location's time zone, on PostgreSQL

PostgreSQL renders the /usage and /sessions pages as JSON itself; this function
formats a timestamptz as ISO 8601 with the zone's UTC offset, exactly like
`fleetcharge.timezones.local_iso` (seconds, e.g. 2024-02-10T05:21:36+10:00).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 01:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LOCAL_ISO = """
CREATE OR REPLACE FUNCTION fc_local_iso(ts timestamptz, tz text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT to_char(ts AT TIME ZONE tz, 'YYYY-MM-DD"T"HH24:MI:SS')
    || CASE WHEN off < interval '0' THEN '-' || to_char(-off, 'HH24:MI')
            ELSE '+' || to_char(off, 'HH24:MI') END
  FROM (SELECT (ts AT TIME ZONE tz) - (ts AT TIME ZONE 'UTC') AS off) AS o
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(LOCAL_ISO)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS fc_local_iso(timestamptz, text)")
